"""The clip's sound on the GPU path: quoted dialogue spoken by TTS over an ambience bed, from an optional diffusers
audio model or the preview backend's synthesiser, on the same timeline as the picture."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..base import GenerationRequest
from ..preview import audio, scene, tts
from ..preview.world import World
from .loading import BackendConfigError

AUDIO_BED_RMS = 0.05  # a generated bed sits under dialogue (speech is mixed at 0.6 of full scale)


def soundtrack(
    request: GenerationRequest,
    duration_s: float,
    *,
    bed: tuple[np.ndarray, int] | None = None,
    model_audio: np.ndarray | None = None,
    voiced: bool = True,
) -> tuple[np.ndarray, int, dict[str, str]]:
    """The clip's sound (quoted dialogue spoken by TTS over an ambience bed, mono float32 in [-1, 1]), its sample
    rate, and its cast (speaker -> voice; a remix keeps its parent's, as on the preview backend).

    The prompt is read by the preview backend's parser (setting, weather, quoted lines) and the sound is built
    with its speech and ambience functions, on a timeline of exactly ``duration_s``. ``bed`` (samples, rate)
    from an audio model replaces the synthesised ambience; it is repeated if shorter than the clip.
    ``model_audio`` is the sound a video model made with its picture (LTX-2), already at this rate and length:
    it is the soundtrack as it is, its own speech included, unless ``voiced`` — the author gave lines a voice or
    the clip has cameos — and then the lines are spoken by their voices over it, the model's sound ducked under
    them as an ambience bed is.
    """
    if model_audio is not None and not voiced:
        return np.clip(model_audio, -1.0, 1.0).astype(np.float32), audio.SAMPLE_RATE, {}
    sample_rate = audio.SAMPLE_RATE
    n = round(duration_s * sample_rate)
    earliest = None
    prompt = request.prompt
    if request.kind == "storyboard" and request.shots:
        # Every shot's lines, each waiting for its shot to begin (a line may run on across the next cut).
        prompt = "\n".join(shot.prompt for shot in request.shots)
        earliest, start = [], 0.0
        for shot in request.shots:
            lines, _ = scene.extract_dialogue(shot.prompt)
            earliest += [start + audio.FIRST_LINE_AT_S] * len(lines)
            start += shot.duration_s
    plan = scene.parse_prompt(prompt, seed=request.seed, world=World.for_aspect(request.aspect))
    parent_plan = request.parent.scene_plan if request.parent is not None else None
    tts.cast_plan(plan, seed=request.seed, requested=request.voices, parent_plan=parent_plan, cameos=request.cameos)
    lines = plan["dialogue"]
    speech = tts.speak_lines(plan, sample_rate, language=request.language, cameos=request.cameos)
    if earliest is not None and len(earliest) != len(lines):
        earliest = None  # the parser read the lines differently shot by shot: lay them out one after another
    spoken = audio.schedule_dialogue(lines, speech, duration=duration_s, sample_rate=sample_rate, earliest=earliest)
    voice, presence = audio.speech_track(spoken, n, sample_rate)
    if model_audio is not None:
        ambience = np.resize(model_audio.astype(np.float32), n)
    elif bed is not None:
        ambience = fit_bed(*bed, n, sample_rate)
    else:
        ambience = audio.ambience_track(plan, n, sample_rate)
    silence = np.zeros(n, dtype=np.float32)
    track = audio.mix(impacts=silence, ambience=ambience, speech=voice, presence=presence)
    return track, sample_rate, plan["cast"]


def sample_rate() -> int:
    """The rate of every clip's soundtrack on this path (the voice pipeline's)."""
    return audio.SAMPLE_RATE


def fit_bed(samples: np.ndarray, rate: int, n: int, sample_rate: int) -> np.ndarray:
    """An audio model's output resampled to ``sample_rate``, repeated or cut to ``n`` samples, at bed level."""
    if len(samples) == 0:
        return np.zeros(n, dtype=np.float32)
    length = max(1, round(len(samples) * sample_rate / rate))
    resampled = np.interp(np.arange(length) * (rate / sample_rate), np.arange(len(samples)), samples)
    track = np.resize(resampled, n)
    rms = float(np.sqrt(np.mean(track**2))) if n else 0.0
    if rms > 0:
        track *= AUDIO_BED_RMS / rms
    return track.astype(np.float32)


def fit_model_audio(samples: np.ndarray, rate: int, n: int, sample_rate: int) -> np.ndarray:
    """A video model's sound for one shot as ``n`` samples at ``sample_rate``: resampled, then stretched or cut to
    the shot's length (the model makes about as much sound as picture; the shot may be retimed)."""
    if len(samples) == 0 or n == 0:
        return np.zeros(n, dtype=np.float32)
    length = max(1, round(len(samples) * sample_rate / rate))
    if abs(length - n) <= sample_rate // 10:  # within 0.1 s: keep the timing, pad or cut the end
        resampled = np.interp(np.arange(length) * (rate / sample_rate), np.arange(len(samples)), samples)
        return np.resize(np.pad(resampled, (0, max(0, n - length))), n).astype(np.float32)
    return np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)), samples).astype(np.float32)


def audio_length_argument(pipe: Any) -> tuple[str, float | None]:
    """The audio pipeline's length argument and its longest length in seconds (None: unbounded)."""
    parameters = inspect.signature(pipe.__call__).parameters
    if "audio_end_in_s" in parameters:  # Stable Audio: a fixed window
        window = pipe.transformer.config.sample_size * pipe.vae.hop_length / pipe.vae.config.sampling_rate
        return "audio_end_in_s", float(window)
    if "audio_length_in_s" in parameters:  # AudioLDM, AudioLDM2, MusicLDM
        return "audio_length_in_s", None
    raise BackendConfigError(f"{type(pipe).__name__} is not a text-to-audio pipeline this backend can use.")


def audio_sample_rate(pipe: Any) -> int:
    vocoder = getattr(pipe, "vocoder", None)
    if vocoder is not None:
        return int(vocoder.config.sampling_rate)
    return int(pipe.vae.config.sampling_rate)


def mono(audio: np.ndarray) -> np.ndarray:
    """(samples,), (channels, samples) → mono (samples,)."""
    if audio.ndim == 2:
        audio = audio.mean(axis=0)
    return np.clip(audio.reshape(-1), -1.0, 1.0).astype(np.float32)
