"""The voice catalogue (``catalogue.json``): who can speak, what they sound like, and how verbs change a delivery."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils import translation

CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")


@dataclass(frozen=True)
class Voice:
    name: str
    label: str
    engine: str  # "piper" | "kokoro"
    description: str
    gender: str  # "male" | "female" | "any"
    age: str  # "child" | "young" | "adult" | "old"
    languages: tuple[str, ...]
    pitch_hz: tuple[float, float]
    tags: tuple[str, ...] = ()
    mix: tuple[tuple[str, float], ...] = ()  # kokoro: weighted voice vectors
    pitch: float = 1.0
    rate: float = 1.0
    formant: float = 1.0
    description_fr: str = ""

    def public(self) -> dict:
        """What the API and the composer show (the description in the active language)."""
        french = (translation.get_language() or "").startswith("fr") and self.description_fr
        return {
            "name": self.name, "label": self.label, "description": self.description_fr if french else self.description,
            "gender": self.gender,
            "age": self.age, "languages": list(self.languages), "pitch_hz": list(self.pitch_hz), "engine": self.engine,
        }


@dataclass(frozen=True)
class Delivery:
    name: str
    rate: float = 1.0
    gain: float = 0.85
    pitch: float = 1.0
    whisper: bool = False
    words: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Catalogue:
    voices: dict[str, Voice]
    default: str
    speaker_words: dict[str, frozenset[str]]  # "female", "male", "child", "young", "old" -> words
    tag_words: dict[str, frozenset[str]]
    deliveries: dict[str, Delivery]

    def delivery_for(self, verb: str | None) -> Delivery:
        word = (verb or "").lower()
        for delivery in self.deliveries.values():
            if word in delivery.words:
                return delivery
        return self.deliveries["say"]


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    data = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    voices = {}
    for entry in data["voices"]:
        voices[entry["name"]] = Voice(
            name=entry["name"], label=entry["label"], engine=entry["engine"], description=entry["description"],
            gender=entry["gender"], age=entry["age"], languages=tuple(entry["languages"]),
            pitch_hz=tuple(entry["pitch_hz"]), tags=tuple(entry.get("tags", ())),
            mix=tuple(entry.get("mix", {}).items()), pitch=float(entry.get("pitch", 1.0)),
            rate=float(entry.get("rate", 1.0)), formant=float(entry.get("formant", 1.0)),
            description_fr=entry.get("description_fr", ""),
        )
    speakers = data["speakers"]
    deliveries = {
        name: Delivery(name=name, rate=spec["rate"], gain=spec["gain"], pitch=spec["pitch"],
                       whisper=bool(spec.get("whisper", False)), words=tuple(spec["words"]))
        for name, spec in data["deliveries"].items() if not name.startswith("_")
    }
    return Catalogue(
        voices=voices,
        default=data["default"],
        speaker_words={key: frozenset(speakers[key]) for key in ("female", "male", "child", "young", "old")},
        tag_words={tag: frozenset(words) for tag, words in speakers["tags"].items()},
        deliveries=deliveries,
    )


def voice(name: str) -> Voice:
    return catalogue().voices[name]
