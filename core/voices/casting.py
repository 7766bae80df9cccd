"""Casting: every speaker of a clip gets a voice that fits how the prompt describes them.

A speaker is described by the words around their line ("a little girl whispers", "the old fisherman says"): gender
and age words, and tags ("deep", "soft", "squeaky"). Each catalogue voice is scored against that description; a
voice already given to another speaker of the clip is avoided while others fit; ties break by a hash of the seed
and the speaker, so the same prompt and seed always cast the same way. A cast, once made, is kept by the clip's
remixes and extensions (it travels in the scene plan), unless the new prompt describes the speaker differently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .catalogue import Voice, catalogue

NARRATOR = "narrator"
_AGES = ("child", "young", "adult", "old")


@dataclass(frozen=True)
class Traits:
    gender: str | None = None
    age: str | None = None
    tags: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return self.gender is None and self.age is None and not self.tags


def speaker_key(line: Mapping) -> str:
    return (line.get("speaker") or NARRATOR).lower()


def traits(words: Iterable[str]) -> Traits:
    """What a speaker's words say about the voice that fits them."""
    lexicon = catalogue()
    words = {w.lower() for w in words}
    gender = None
    if words & lexicon.speaker_words["female"]:
        gender = "female"
    elif words & lexicon.speaker_words["male"]:
        gender = "male"
    age = None
    for candidate in ("old", "child", "young"):
        if words & lexicon.speaker_words[candidate]:
            age = candidate
            break
    tags = frozenset(tag for tag, tag_words in lexicon.tag_words.items() if words & tag_words)
    return Traits(gender=gender, age=age, tags=tags)


def fit(voice: Voice, wanted: Traits) -> float:
    """How well ``voice`` fits ``wanted`` (higher is better)."""
    score = 0.0
    if wanted.gender is not None:
        score += 3.0 if voice.gender == wanted.gender else (1.0 if voice.gender == "any" else -4.0)
    if wanted.age is not None:
        gap = abs(_AGES.index(voice.age) - _AGES.index(wanted.age))
        score += (4.0, 1.0, -2.0, -3.0)[gap]  # an exact age outweighs a voice of either gender
    elif wanted.gender is not None:
        score += 0.75 if voice.age == "adult" else 0.0  # "a man", "the woman": a grown-up unless told otherwise
    score += 1.5 * len(wanted.tags & set(voice.tags))
    if "deep" in wanted.tags and "high" in voice.tags or "high" in wanted.tags and "deep" in voice.tags:
        score -= 3.0
    return score


def conflicts(voice: Voice, wanted: Traits) -> bool:
    """A voice that contradicts the description (another gender, an age two steps away)."""
    if wanted.gender is not None and voice.gender not in ("any", wanted.gender):
        return True
    return wanted.age is not None and abs(_AGES.index(voice.age) - _AGES.index(wanted.age)) >= 2


def cast(lines: Sequence[Mapping], *, seed: int, previous: Mapping[str, str] | None = None,
         requested: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{speaker: voice name}`` for every speaker of ``lines``.

    ``requested`` (the author's choices) always wins; ``previous`` (the parent clip's cast) is kept unless the
    lines now describe that speaker in a way its voice contradicts.
    """
    voices = catalogue().voices
    result = {key.lower(): name for key, name in (requested or {}).items()}
    descriptions: dict[str, list[str]] = {}
    for line in lines:
        key = speaker_key(line)
        descriptions.setdefault(key, [])
        descriptions[key] += [key, *line.get("description", ())]
    for key, name in (previous or {}).items():
        if key in result or name not in voices:
            continue
        if key in descriptions and conflicts(voices[name], traits(descriptions[key])):
            continue
        result[key] = name
    for key, words in descriptions.items():
        if key in result:
            continue
        wanted = traits(words)
        taken = set(result.values())
        result[key] = max(voices.values(), key=lambda v: _rank(v, wanted, key, seed, taken)).name
    return result


def _rank(voice: Voice, wanted: Traits, key: str, seed: int, taken: set[str]) -> float:
    score = fit(voice, wanted)
    if voice.name in taken:
        score -= 6.0
    if wanted.empty and voice.name == catalogue().default:
        score += 2.0  # an undescribed speaker sounds like Riff always did
    digest = hashlib.sha256(f"{seed}:{key}:{voice.name}".encode()).digest()
    return score + digest[0] / 512.0  # a tie-break under half a point
