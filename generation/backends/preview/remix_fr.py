"""The remix phrases in French, with the same named groups as the English ones in :mod:`.remix` (which tries
both): "le ballon devient bleu", "peins le chat en rouge", "enlève la boîte", "remplace le chat par un chien",
"transforme le ballon en chien", "ajoute deux chiens noirs", "le ballon est plus grand". Prompts are normalised
first (accents dropped), so the patterns are written without accents."""

from __future__ import annotations

import re

from . import vocab

NOUN = "|".join(sorted(vocab.NOUNS, key=len, reverse=True))
COLOR = "|".join(sorted({*vocab.COLORS, *vocab.COLOR_ALIASES}, key=len, reverse=True))
ARTICLE = r"(?:le |la |les |l'|l |un |une |des |ce |cet |cette |ces |tous les |toutes les )?"
_BIGGER = r"plus grande?s?|plus gros(?:se|ses)?"
_SMALLER = r"plus petite?s?"
HOW = rf"{_BIGGER}|{_SMALLER}|enormes?|geante?s?|minuscules?"

REMOVE = (
    re.compile(rf"\b(?:enleve|enlevez|enlever|supprime|supprimez|supprimer|retire|retirez|retirer|sans)\s+{ARTICLE}"
               rf"(?P<noun>{NOUN})(?:\s+(?P<color>{COLOR}))?\b"),
)
REPLACE = (
    re.compile(rf"\b(?:remplace|remplacez|remplacer|echange|echangez)\s+{ARTICLE}(?P<n1>{NOUN})(?:\s+(?P<c1>{COLOR}))?"
               rf"\s+par\s+(?:un |une |le |la |des )?(?P<n2>{NOUN})(?:\s+(?P<c2>{COLOR}))?\b"),
    re.compile(rf"\b(?:transforme|transformez|transformer|change|changez|changer)\s+{ARTICLE}(?P<n1>{NOUN})"
               rf"(?:\s+(?P<c1>{COLOR}))?\s+en\s+(?:un |une )?(?P<n2>{NOUN})(?:\s+(?P<c2>{COLOR}))?\b"),
)
ADD = re.compile(
    rf"\b(?:ajoute|ajoutez|ajouter|avec|un autre|une autre|d'autres|encore)\b"
    rf"(?P<phrase>(?:\s+[a-z0-9']+){{0,4}}?\s+(?:{NOUN})(?:\s+(?:{COLOR}|petite?s?|grande?s?|gros|grosses?))*)\b"
    r"(?P<tail>[^,.;!?]*)"
)
RECOLOR = (
    re.compile(rf"\b{ARTICLE}(?P<noun>{NOUN})(?:\s+(?P<old>{COLOR}))?\s+(?:devient|deviennent|est maintenant|"
               rf"sont maintenant|est|sont|passe au|passent au|vire au|virent au)\s+(?:maintenant\s+)?(?P<color>{COLOR})\b"),
    re.compile(rf"\b(?:rends|rendez|rendre|peins|peignez|peindre|colore|colorez|colorer|mets|mettez)\s+"
               rf"(?P<target>{ARTICLE}(?P<noun>{NOUN})(?:\s+(?P<old>{COLOR}))?|le|la|les|tout)\s+(?:en\s+)?"
               rf"(?P<color>{COLOR})\b"),
)
RESIZE = (
    re.compile(rf"\b{ARTICLE}(?P<noun>{NOUN})(?:\s+(?P<old>{COLOR}))?\s+(?:est |sont |devient |deviennent )?"
               rf"(?:beaucoup |un peu |bien )?(?P<how>{HOW})\b"),
    re.compile(rf"\b(?:rends|rendez|rendre|fais|faites)[- ](?P<target>le|la|les|tout)\s+(?:beaucoup |un peu )?"
               rf"(?P<how>{_BIGGER}|{_SMALLER})\b"),
)
TARGETS = {"le": "it", "la": "it", "les": "them", "tout": "everything"}  # pronouns, as the English ones


def resize_factor(how: str) -> float | None:
    """The size factor a French size phrase asks for, or None when the phrase is not French."""
    if re.fullmatch(_BIGGER, how):
        return 1.5
    if re.fullmatch(_SMALLER, how):
        return 0.65
    if how.startswith("enorme"):
        return 1.9
    if how.startswith("geant"):
        return 2.0
    if how.startswith("minuscule"):
        return 0.5
    return None
