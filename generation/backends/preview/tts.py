"""Dialogue speech for a scene plan: every speaker cast to a catalogue voice, every line spoken in its language
with its delivery (:mod:`core.voices`; worker only: the engines load on first use).

Both backends speak through here, so a clip's voices are the same on the CPU and on the GPU.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from core import voices
from core.voices import engines
from core.voices.speech import speak, speak_as
from generation.backends.base import BackendError, CameoRef

LEGACY_VOICE = "joe"  # every line of a clip made before the catalogue was spoken by this voice


def warm_up() -> None:
    """Load both engines now rather than on the first job with dialogue."""
    engines.piper_voice()
    engines.kokoro_vectors()


CAMEO_VOICE = "cameo:"  # a cast entry "cameo:<id>": the line is spoken with that cameo owner's own voice


def cameo_speakers(cameos: Sequence[CameoRef]) -> dict[str, CameoRef]:
    """Speaker words that give a line to a cameo whose owner's voice is kept and switched on: its name (first
    word too) and "@handle"."""
    speakers: dict[str, CameoRef] = {}
    for cameo in cameos:
        if not cameo.voice_profile:
            continue
        for key in (cameo.name.strip().lower(), cameo.name.strip().lower().split(" ")[0],
                    f"@{cameo.handle.lower()}" if cameo.handle else ""):
            if key:
                speakers.setdefault(key, cameo)
    return speakers


def cast_plan(plan: dict, *, seed: int, requested: Mapping[str, str] | None = None,
              parent_plan: dict | None = None, cameos: Sequence[CameoRef] = ()) -> None:
    """Set ``plan["cast"]``: the author's choices, a cameo's own voice for its lines, the parent's cast where
    there is one (a clip from before voices were cast keeps its single voice), and a fitting catalogue voice for
    every other speaker. A cameo voice whose cameo is not in this job (or whose owner switched it off) is recast."""
    previous = plan.get("cast")
    if previous is None and parent_plan is not None:
        previous = parent_plan.get("cast")
        if previous is None:
            previous = {voices.speaker_key(line): LEGACY_VOICE for line in parent_plan.get("dialogue") or []}
    by_speaker = cameo_speakers(cameos)
    usable = {f"{CAMEO_VOICE}{cameo.id}" for cameo in by_speaker.values()}
    previous = {k: v for k, v in (previous or {}).items() if not v.startswith(CAMEO_VOICE) or v in usable}
    chosen = {k.lower(): v for k, v in (requested or {}).items()}
    for line in plan["dialogue"]:
        key = voices.speaker_key(line)
        if key in by_speaker and key not in chosen:
            chosen[key] = f"{CAMEO_VOICE}{by_speaker[key].id}"
    plan["cast"] = voices.cast(plan["dialogue"], seed=seed, previous=previous, requested=chosen)


def speak_lines(plan: dict, sample_rate: int, *, language: str | None = None,
                cameos: Sequence[CameoRef] = ()) -> list[np.ndarray]:
    """Each of ``plan["dialogue"]``'s lines spoken by its speaker's voice (call :func:`cast_plan` first)."""
    book = voices.catalogue()
    profiles = {f"{CAMEO_VOICE}{c.id}": c.voice_profile for c in cameos if c.voice_profile}
    spoken = []
    for line in plan["dialogue"]:
        name = plan["cast"].get(voices.speaker_key(line), book.default)
        options = {"language": language or line.get("language") or "en",
                   "delivery": book.delivery_for(line.get("delivery")).name, "sample_rate": sample_rate}
        try:
            if name in profiles:
                spoken.append(speak_as(line["text"], profiles[name], **options))
            else:
                spoken.append(speak(line["text"], name if name in book.voices else book.default, **options))
        except engines.SpeechUnavailable as exc:
            raise BackendError(str(exc)) from exc
    return spoken
