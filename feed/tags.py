"""Hashtags: ``#word`` in a caption or a public prompt tags the post.

A tag is a run of letters, digits and underscores (any script) with at least one letter, after a ``#`` that does
not follow a word character (``a#b`` and ``&#123;`` are not tags), at most MAX_TAG characters. Names are kept
case-folded (``#Beach`` and ``#beach`` are one tag); ``#`` alone, emoji and all-digit runs are not tags.
"""

from __future__ import annotations

import re

MAX_TAG = 50
MAX_TAGS_PER_POST = 30
_TAG = re.compile(r"(?<![\w#&])#(\w{1,%d})(?!\w)" % MAX_TAG)
_HAS_LETTER = re.compile(r"[^\W\d_]")


def normalize(name: str) -> str | None:
    """A tag's stored name, or None when it is not a tag."""
    name = (name or "").strip().lstrip("#")
    if not name or len(name) > MAX_TAG or not re.fullmatch(r"\w+", name) or not _HAS_LETTER.search(name):
        return None
    return name.casefold()


def hashtags(*texts: str) -> list[str]:
    """The tags in these texts, case-folded, each once, in the order they first appear."""
    found: list[str] = []
    for text in texts:
        for match in _TAG.finditer(text or ""):
            name = normalize(match.group(1))
            if name is not None and name not in found:
                found.append(name)
    return found[:MAX_TAGS_PER_POST]


def spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each tag in ``text``, for turning them into links."""
    out = []
    for match in _TAG.finditer(text or ""):
        name = normalize(match.group(1))
        if name is not None:
            out.append((match.start(), match.end(), name))
    return out
