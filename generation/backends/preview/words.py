"""The words of a prompt: normalising, tokens, and the scene-wide phrases (place, style, framing, lighting,
weather, camera, speed, gravity) found and blanked out before subjects are read."""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from . import scenery, vocab

_TOKEN_RE = re.compile(r"[a-z0-9]+")

# ---------------------------------------------------------------------------------------------------------
# Text helpers


def normalize(text: str) -> str:
    """Lower-case, accents dropped ("décapité" -> "decapite"), straight apostrophes, single spaces; punctuation kept
    for clause breaks."""
    text = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'").replace("\u2018", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z0-9,.;:!?'\- ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _find_first(patterns: Sequence[tuple[object, str]], text: str) -> tuple[object, int, int] | None:
    """The value whose pattern matches earliest in ``text`` (ties: the first listed), with its span."""
    best: tuple[int, int, object, int] | None = None
    for order, (value, pattern) in enumerate(patterns):
        match = re.search(rf"\b(?:{pattern})\b", text)
        if match and (best is None or (match.start(), order) < (best[0], best[3])):
            best = (match.start(), match.end(), value, order)
    if best is None:
        return None
    return best[2], best[0], best[1]


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


# ---------------------------------------------------------------------------------------------------------


_FAMILIES: tuple[tuple[str, Sequence[tuple[object, str]]], ...] = (
    ("place", scenery.PLACE_PATTERNS),
    ("style", scenery.STYLE_PATTERNS),
    ("framing", scenery.FRAMING_PATTERNS),
    ("lighting", vocab.LIGHTING_PATTERNS),
    ("weather", vocab.WEATHER_PATTERNS),
    ("camera", vocab.CAMERA_PATTERNS),
    ("speed", vocab.SPEED_PATTERNS),
    ("gravity", vocab.GRAVITY_PATTERNS),
)


def scan_scene_words(text: str) -> tuple[dict[str, object], str]:
    """Place (and its setting), style, lighting, weather, camera, speed and gravity named in normalised ``text``
    (None when not named), and the text with all those phrases blanked out (what is left describes the
    subjects)."""
    found: dict[str, object] = {}
    for field, patterns in _FAMILIES:
        search_in = _blank_snowfields(text) if field == "weather" else text
        hit = _find_first(patterns, search_in)
        found[field] = None if hit is None else hit[0]
    place = scenery.PLACES.get(found["place"]) if found["place"] else None
    found["setting"] = place.setting if place else None
    if place is not None and place.lighting and found["lighting"] is None:
        found["lighting"] = place.lighting  # "city at night", a stage under its lights
    rest = text
    for _, patterns in _FAMILIES:
        rest = _blank_matches(rest, patterns)
    return found, rest


def _blank_matches(text: str, patterns: Sequence[tuple[object, str]]) -> str:
    for _, pattern in patterns:
        for match in re.finditer(rf"\b(?:{pattern})\b", text):
            text = blank(text, match.start(), match.end())
    return text


def _blank_snowfields(text: str) -> str:
    """Snow-field phrases name a place, not falling snow: hide them from the weather search."""
    return _blank_matches(text, [p for p in scenery.PLACE_PATTERNS if p[0] == "snowfield"])
