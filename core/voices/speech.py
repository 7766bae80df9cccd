"""Speak one line with a catalogue voice, in English or French, with a delivery (worker only)."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import engines, voiceprint
from .catalogue import catalogue

MAX_LINE_CHARS = 300
# What each catalogue voice says to be measured, once per process, when a cameo's voice looks for its nearest.
REFERENCE_LINES = ("The red ball bounces across the kitchen floor.", "We should go home before the rain starts.")


def speak(text: str, voice: str, *, language: str = "en", delivery: str = "say", sample_rate: int) -> np.ndarray:
    """Mono float32 speech at ``sample_rate``, peak-normalised to the delivery's gain (read-only array)."""
    clean = re.sub(r"\s+", " ", text).strip()[:MAX_LINE_CHARS]
    return _speak(clean, voice, language, delivery, int(sample_rate))


def line_phonemes(text: str, language: str) -> list[str]:
    """The phonemes a line is spoken from, one string per sentence (what a test or the composer can inspect)."""
    return ["".join(sentence) for sentence in engines.phonemes(text, language)]


@lru_cache(maxsize=128)
def _speak(text: str, name: str, language: str, delivery_name: str, sample_rate: int) -> np.ndarray:
    book = catalogue()
    voice = book.voices.get(name) or book.voices[book.default]
    delivery = book.deliveries.get(delivery_name) or book.deliveries["say"]
    sentences = engines.phonemes(text, language) if text else []
    rate = voice.rate * delivery.rate
    if voice.engine == "piper":
        audio, native = engines.synthesize_piper(sentences, rate=rate)
    else:
        audio, native = engines.synthesize_kokoro(sentences, mix=dict(voice.mix), rate=rate)
    audio = engines.world_transform(audio, native, pitch=voice.pitch * delivery.pitch, formant=voice.formant,
                                     whisper=delivery.whisper)
    audio = engines.resample(audio, native, sample_rate)
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    if peak > 0:
        audio = audio * (delivery.gain / peak)
    audio = audio.astype(np.float32)
    audio.setflags(write=False)
    return audio


PROFILES_PATH = Path(__file__).with_name("voiceprints.json")


def catalogue_fingerprint() -> str:
    """What the catalogue's measured profiles depend on: how each voice is made (not its label or descriptions)
    and the reference lines."""
    sound = [[v.name, v.engine, list(v.mix), v.pitch, v.rate, v.formant] for v in catalogue().voices.values()]
    text = json.dumps(sound, sort_keys=True) + "\n".join(REFERENCE_LINES)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def measure_catalogue() -> dict[str, dict]:
    """Measure every catalogue voice saying the reference lines (about half a minute on two cores)."""
    profiles = {}
    for name in catalogue().voices:
        audio = np.concatenate([speak(line, name, sample_rate=voiceprint.RATE) for line in REFERENCE_LINES])
        profiles[name] = voiceprint.measure(audio, voiceprint.RATE)
    return profiles


@lru_cache(maxsize=1)
def catalogue_profiles() -> dict[str, dict]:
    """Every catalogue voice's measured profile: from ``voiceprints.json`` when it was measured from this very
    catalogue (``manage.py voices_measure`` writes it), measured now otherwise."""
    try:
        stored = json.loads(PROFILES_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    if stored.get("fingerprint") == catalogue_fingerprint():
        return stored["profiles"]
    return measure_catalogue()


def voice_for(profile: dict) -> str:
    """The catalogue voice nearest to a measured voice: the one a cameo's lines are spoken by, then converted."""
    return voiceprint.nearest(profile, catalogue_profiles())


def speak_as(text: str, profile: dict, *, language: str = "en", delivery: str = "say", sample_rate: int) -> np.ndarray:
    """``text`` spoken toward a measured voice (a cameo owner's): the nearest catalogue voice, converted with
    WORLD to the profile's pitch distribution and formants. Mono float32 at ``sample_rate``."""
    base = voice_for(profile)
    audio = np.array(speak(text, base, language=language, delivery=delivery, sample_rate=voiceprint.RATE))
    gain = float(np.max(np.abs(audio))) if len(audio) else 0.0
    converted = voiceprint.convert(audio, voiceprint.RATE, profile)
    converted = engines.resample(converted, voiceprint.RATE, sample_rate)
    peak = float(np.max(np.abs(converted))) if len(converted) else 0.0
    if peak > 0:
        converted = converted * (gain / peak)
    return converted.astype(np.float32)
