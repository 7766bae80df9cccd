"""Challenge phrases: six random digits, read aloud one by one ("4 8 2 6 1 9").

Digits are the easiest thing to say and to hear back: every accent says them, speech recognition writes them
the same way whether they are said one by one or in pairs ("forty-eight"), and there is no spelling to argue
about. Six of them make a million phrases, so a clip recorded before the phrase was issued is very unlikely to
say it.
"""

from __future__ import annotations

import secrets

DIGITS = 6


def challenge_phrase() -> str:
    return " ".join(str(secrets.randbelow(10)) for _ in range(DIGITS))


def word_count(phrase: str) -> int:
    return len(phrase.split())
