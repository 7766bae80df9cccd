"""Owner restrictions on a cameo ("no politics; always wearing a hat"), enforced on prompts.

Each clause separated by ';', ',' or a new line is one rule. Prohibitions ("no X", "never X", "don't X",
"not X") are refused when the prompt mentions X. Phrase matching is done here; the semantic check with the
sentence-embedding model lives in the worker-side policy module and uses the same clauses.
"""

from __future__ import annotations

import re
import unicodedata

_SPLIT = re.compile(r"[;\n,]+")
_PROHIBITION = re.compile(
    r"^(?:no|never|don'?t|do not|not|nothing|without)\b\s*(?:with\s+|in\s+|about\s+|show(?:ing)?\s+|use\s+)?(.+)$", re.I
)
_WORD = re.compile(r"[a-z0-9']+")
_STOP = {"a", "an", "the", "me", "my", "of", "in", "on", "any", "anything", "as", "at", "to", "be", "being"}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def _stem(word: str) -> str:
    word = word.strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in ("ies", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def clauses(restrictions: str) -> list[str]:
    return [c.strip() for c in _SPLIT.split(restrictions or "") if c.strip()]


def prohibitions(restrictions: str) -> list[tuple[str, str]]:
    """[(the clause as written, the prohibited subject)]."""
    out = []
    for clause in clauses(restrictions):
        match = _PROHIBITION.match(normalise(clause))
        if match:
            out.append((clause, match.group(1).strip(" .!")))
    return out


def restriction_violated(*, restrictions: str, prompt: str) -> str | None:
    """The first clause the prompt breaks (as the owner wrote it), or None."""
    prompt_words = {_stem(w) for w in _WORD.findall(normalise(prompt))}
    for clause, subject in prohibitions(restrictions):
        words = [_stem(w) for w in _WORD.findall(subject) if w not in _STOP]
        if words and all(w in prompt_words for w in words):
            return clause
    return None
