"""Which language a line is in (English or French), and whether Riff can speak its script at all."""

from __future__ import annotations

import re
import unicodedata

LANGUAGES = ("en", "fr")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_FRENCH_LETTERS = frozenset("éèêëàâçùûüôîïœÿ")
# Frequent short words that are only (or almost only) one language's.
_FRENCH = frozenset(
    "le la les un une des du de et est sont je tu il elle nous vous ils elles pas ne que qui quoi dans sur avec "
    "pour par au aux ce cette ces mon ma mes ton ta tes son sa ses notre votre leur oui non très encore regarde "
    "allez viens bonjour salut merci voilà ici c'est j'ai l'eau qu'il n'est on y en suis es ai as avons avez".split()
)
_ENGLISH = frozenset(
    "the a an and is are was were i you he she it we they not no yes with for of to in on at this that these my "
    "your his her our their very again look come go hello hi thanks here there what who where why how do does "
    "don't it's i'm let's".split()
)


def detect(text: str, default: str = "en") -> str:
    """``"fr"`` or ``"en"`` for one line, from its letters and its common words; ``default`` when it cannot tell."""
    words = [w.lower().replace("’", "'") for w in _WORD_RE.findall(text)]
    french = sum(w in _FRENCH or w.split("'")[0] in {"c", "j", "l", "d", "qu", "n", "s", "m", "t"} and "'" in w
                 for w in words)
    english = sum(w in _ENGLISH for w in words)
    french += 2 * sum(ch in _FRENCH_LETTERS for ch in text.lower())
    if french > english:
        return "fr"
    if english > french:
        return "en"
    return default


def speakable(text: str) -> bool:
    """True when every letter of ``text`` is Latin (the scripts English and French are written in)."""
    for char in text:
        if char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True
