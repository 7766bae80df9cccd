"""A speaker's measured voice, and speech converted toward it with the WORLD vocoder (worker only: pyworld).

A profile is measured once from a recording (a cameo's kept voice): the distribution of the fundamental
frequency over voiced frames (median, 10th and 90th percentiles, mean and spread of its logarithm) and the mean
spectral envelope of voiced frames on a fixed grid (:data:`BINS` bins from 0 to 8 kHz, in dB). To speak as that
person, a catalogue voice close to the profile says the line (:func:`nearest`), then WORLD re-synthesises it with
its log-F0 moved to the profile's mean and spread and its envelope stretched along frequency by the ratio that best
lines its formants up with the profile's (:func:`formant_ratio`).
"""

from __future__ import annotations

import numpy as np

PROFILE_VERSION = 1
RATE = 16000
BINS = 128
MIN_VOICED_S = 0.5
RATIOS = np.round(np.arange(0.80, 1.2501, 0.01), 2)  # formant stretches tried
_FORMANT_BAND = slice(2, 80)  # about 125 Hz to 5 kHz: where the formants are


class NoVoice(ValueError):
    """The recording holds too little voiced speech to measure."""


def _resample(audio: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE:
        return np.asarray(audio, dtype=np.float64)
    n = int(round(len(audio) * RATE / rate))
    return np.interp(np.arange(n) * (rate / RATE), np.arange(len(audio)), audio).astype(np.float64)


def _analyse(signal: np.ndarray, *, allowed_range: float = 0.1) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                         np.ndarray]:
    import pyworld

    f0, times = pyworld.dio(signal, RATE, allowed_range=allowed_range)
    f0 = pyworld.stonemask(signal, f0, times, RATE)
    return f0, times, pyworld.cheaptrick(signal, f0, times, RATE), pyworld.d4c(signal, f0, times, RATE)


def _grid(envelope: np.ndarray) -> np.ndarray:
    """Mean log envelope (dB) of frames × FFT bins, on BINS bins."""
    spectrum = 10 * np.log10(np.maximum(envelope.mean(axis=0), 1e-12))
    positions = np.linspace(0, len(spectrum) - 1, BINS)
    return np.interp(positions, np.arange(len(spectrum)), spectrum)


def measure(audio: np.ndarray, rate: int) -> dict:
    """The profile of the voice in ``audio`` (mono). Raises :class:`NoVoice` when under half a second is voiced."""
    signal = _resample(audio, rate)
    f0, _, envelope, _ = _analyse(signal)
    voiced = f0 > 0
    frame_s = 0.005  # WORLD's default frame period
    if voiced.sum() * frame_s < MIN_VOICED_S:
        # A short recording (a verification phrase of six digits is about two seconds): DIO's default voicing test
        # keeps 0-0.9 s of it; its looser one (allowed_range 0.2) keeps the voiced frames a listener hears.
        f0, _, envelope, _ = _analyse(signal, allowed_range=0.2)
        voiced = f0 > 0
    if voiced.sum() * frame_s < MIN_VOICED_S:
        raise NoVoice("There is too little voiced speech in this recording to measure the voice.")
    pitch = f0[voiced]
    logs = np.log(pitch)
    return {
        "version": PROFILE_VERSION,
        "f0_median": round(float(np.median(pitch)), 2),
        "f0_p10": round(float(np.percentile(pitch, 10)), 2),
        "f0_p90": round(float(np.percentile(pitch, 90)), 2),
        "log_f0_mean": round(float(logs.mean()), 5),
        "log_f0_std": round(float(max(logs.std(), 1e-3)), 5),
        "envelope_db": [round(float(v), 2) for v in _grid(envelope[voiced])],
        "voiced_s": round(float(voiced.sum() * frame_s), 2),
    }


def _stretch(curve: np.ndarray, ratio: float) -> np.ndarray:
    """``curve`` with what was at bin b moved to bin ratio × b."""
    bins = np.arange(len(curve), dtype=np.float64)
    return np.interp(np.clip(bins / ratio, 0, len(curve) - 1), bins, curve)


def _shape(curve: np.ndarray) -> np.ndarray:
    band = np.asarray(curve, dtype=np.float64)[_FORMANT_BAND]
    return band - band.mean()  # loudness does not count, only where the energy sits


def formant_ratio(source: dict, target: dict) -> float:
    """The stretch of ``source``'s envelope along frequency that best matches ``target``'s."""
    source_env, target_shape = np.asarray(source["envelope_db"]), _shape(target["envelope_db"])
    errors = [float(np.mean((_shape(_stretch(source_env, r)) - target_shape) ** 2)) for r in RATIOS]
    return float(RATIOS[int(np.argmin(errors))])


def distance(a: dict, b: dict) -> float:
    """How far two voices are apart: pitch (octaves) and formant-aligned envelope shape (dB), on one scale."""
    pitch = abs(np.log2(a["f0_median"] / b["f0_median"]))
    ratio = formant_ratio(a, b)
    shape = float(np.sqrt(np.mean((_shape(_stretch(np.asarray(a["envelope_db"]), ratio)) - _shape(b["envelope_db"])) ** 2)))
    return 4.0 * pitch + abs(np.log2(ratio)) * 4.0 + shape / 10.0


def nearest(profile: dict, candidates: dict[str, dict]) -> str:
    """The name of the candidate profile closest to ``profile``."""
    return min(candidates, key=lambda name: distance(candidates[name], profile))


def convert(audio: np.ndarray, rate: int, target: dict) -> np.ndarray:
    """``audio`` (speech) re-synthesised toward ``target``: pitch distribution and formants. Same length and rate."""
    import pyworld

    if len(audio) == 0:
        return audio
    signal = _resample(audio, rate)
    f0, _, envelope, aperiodicity = _analyse(signal)
    voiced = f0 > 0
    if voiced.sum() < 10:
        return audio
    logs = np.log(f0[voiced])
    mean, spread = logs.mean(), max(logs.std(), 1e-3)
    moved = np.zeros_like(f0)
    moved[voiced] = np.exp((logs - mean) / spread * target["log_f0_std"] + target["log_f0_mean"])
    source = {"envelope_db": list(_grid(envelope[voiced]))}
    ratio = formant_ratio(source, target)
    if ratio != 1.0:
        bins = np.arange(envelope.shape[1], dtype=np.float64)
        positions = np.clip(bins / ratio, 0, envelope.shape[1] - 1)
        envelope = np.ascontiguousarray(np.stack([np.interp(positions, bins, frame) for frame in envelope]))
    out = pyworld.synthesize(moved, envelope, aperiodicity, RATE)[: len(signal)]
    if rate != RATE:
        n = len(audio)
        out = np.interp(np.arange(n) * (RATE / rate), np.arange(len(out)), out)
    return out.astype(np.float32)
