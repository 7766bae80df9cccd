"""Messages written outside a request — a worker's reasons, notifications — in the language of the member they are for.

A member's language is the one they chose (``User.language``); without a choice, the site's default. Work done
in the background has no browser to ask, so a member who wants it in French chooses French once (the profile or
the language switch, which stores the choice for a signed-in member).

A notification keeps its sentence as a message id and its values (``message`` and ``params`` in its data), so it
reads in the reader's language at the moment it is read, even after they switch; ``text`` keeps the sentence in
the language of the moment it was made, for readers of the raw row.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def member_language(user) -> str:
    """The language to write to ``user`` in: their choice, else the site's default."""
    chosen = getattr(user, "language", "") or ""
    return chosen if translation.check_for_language(chosen) else settings.LANGUAGE_CODE


def in_language_of(user):
    """A context in which ``gettext`` writes to ``user`` in their language."""
    return translation.override(member_language(user))


class _Kept(dict):
    """Values for ``str.format_map``: a name with no value stays as it is written ("{actor}")."""

    def __missing__(self, key):
        return "{" + key + "}"


def render(message: str, params: dict | None = None) -> str:
    """``message`` (an English message id from the catalogue) in the active language, with ``params`` filled in.
    A translation that cannot be filled falls back to the English sentence, and a value that is missing stays as
    its name: never an error."""
    values = _Kept(params or {})
    try:
        return translation.gettext(message).format_map(values)
    except (IndexError, ValueError, AttributeError, TypeError):
        try:
            return message.format_map(values)
        except (IndexError, ValueError, AttributeError, TypeError):
            return message
