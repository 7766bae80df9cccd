"""Sound on the clip's timeline: impacts at collision times, ambience from the setting and the weather,
dialogue lines, mixed to mono float32 in [-1, 1].

Every impact starts exactly at the sample of its collision (``round(t * sample_rate)``) with a sub-millisecond
attack, so what you hear lines up with what you see. Ambience is shaped noise, kept about 30 dB under a
full-strength impact and ducked while someone speaks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .physics import Impact
from .scenery import SURFACE_MATERIALS

SAMPLE_RATE = 22050
HEADROOM = 0.95
SPEECH_GAIN = 0.6
FIRST_LINE_AT_S = 0.3
LINE_GAP_S = 0.25
MIN_LINE_S = 0.3
DUCK_DEPTH = 0.5

_MATERIAL = {"ball": "rubber", "box": "wood", "car": "metal", "skateboard": "wood"}
_SURFACE_PITCH = {"floor": 1.0, "wall": 1.12, "ceiling": 1.2, None: 1.06, "rim": 1.35, "backboard": 0.8, "pole": 1.2,
                  "post": 1.25, "net": 0.7, "trampoline": 0.75, "table": 1.1, "stairs": 0.95, "bench": 1.0,
                  "ramp": 0.9, "prop": 1.0}


@dataclass(frozen=True)
class SpokenLine:
    start: float
    end: float
    text: str
    speaker: str | None
    audio: np.ndarray


# ---------------------------------------------------------------------------------------------------------
# Dialogue


def schedule_dialogue(lines: Sequence[dict], speech: Sequence[np.ndarray], *, duration: float,
                      sample_rate: int, earliest: Sequence[float] | None = None) -> list[SpokenLine]:
    """Place lines one after another (never overlapping); a line that would run past the end is cut
    with a short fade, and lines that no longer fit are dropped. ``earliest[i]`` is when line ``i`` may start at
    the soonest (a storyboard shot's lines wait for their shot, then may run on across the next cut)."""
    scheduled: list[SpokenLine] = []
    cursor = FIRST_LINE_AT_S
    fade = int(0.02 * sample_rate)
    for index, (line, audio) in enumerate(zip(lines, speech)):
        if earliest is not None:
            cursor = max(cursor, earliest[index])
        if cursor > duration - MIN_LINE_S or len(audio) == 0:
            break
        available = int((duration - cursor) * sample_rate)
        clip = np.array(audio[:available], dtype=np.float32)
        if len(audio) > available and len(clip) > fade:
            clip[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
        end = cursor + len(clip) / sample_rate
        scheduled.append(SpokenLine(round(cursor, 4), round(end, 4), line["text"], line.get("speaker"), clip))
        cursor = end + LINE_GAP_S
    return scheduled


def speech_track(lines: Sequence[SpokenLine], n: int, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """The dialogue track and a 0..1 envelope that is 1 while someone speaks (for ducking)."""
    track = np.zeros(n, dtype=np.float32)
    presence = np.zeros(n, dtype=np.float32)
    ramp = int(0.08 * sample_rate)
    for line in lines:
        start = int(round(line.start * sample_rate))
        stop = min(n, start + len(line.audio))
        track[start:stop] += SPEECH_GAIN * line.audio[: stop - start]
        lo, hi = max(0, start - ramp), min(n, stop + ramp)
        window = np.ones(hi - lo, dtype=np.float32)
        edge = min(ramp, len(window) // 2)
        if edge:
            window[:edge] = np.linspace(0, 1, edge)
            window[-edge:] = np.linspace(1, 0, edge)
        presence[lo:hi] = np.maximum(presence[lo:hi], window)
    return track, presence


# ---------------------------------------------------------------------------------------------------------
# Impacts


def impact_track(impacts: Sequence[Impact], kinds: dict[int, str], n: int, sample_rate: int, seed: int) -> np.ndarray:
    """Percussive hits, each starting exactly at its collision sample, louder for harder impacts."""
    track = np.zeros(n, dtype=np.float32)
    bank: dict[tuple[str, float], list[np.ndarray]] = {}
    rng = np.random.default_rng([seed % (2**63), 101])
    for index, impact in enumerate(impacts):
        material = _material(impact, kinds)
        pitch = _SURFACE_PITCH.get(impact.surface, 1.0)
        key = (material, pitch)
        if key not in bank:
            bank[key] = [_impact_template(material, sample_rate, rng, pitch * p) for p in (0.94, 1.0, 1.07)]
        template = bank[key][index % 3]
        start = int(round(impact.t * sample_rate))
        if start >= n:
            continue
        stop = min(n, start + len(template))
        gain = 0.08 + 0.82 * impact.strength ** 0.8
        track[start:stop] += gain * template[: stop - start]
    return track


def _material(impact: Impact, kinds: dict[int, str]) -> str:
    materials = [_MATERIAL.get(kinds.get(i, ""), "soft") for i in impact.subjects]
    materials.append(SURFACE_MATERIALS.get(impact.surface, "soft"))  # a prop's rim rings, a table knocks
    for preferred in ("metal", "wood", "rubber"):
        if preferred in materials:
            return preferred
    return "soft"


def _impact_template(material: str, sample_rate: int, rng: np.random.Generator, pitch: float) -> np.ndarray:
    n = int(0.3 * sample_rate)
    t = np.arange(n) / sample_rate
    noise = rng.standard_normal(n)
    click = np.diff(noise, prepend=0.0) * np.exp(-t / 0.0025)
    if material == "rubber":
        freq = 150.0 * pitch * (1.0 + 0.6 * np.exp(-t / 0.02))
        body = np.sin(2 * np.pi * np.cumsum(freq) / sample_rate) * np.exp(-t / 0.06)
        sound = body + 0.35 * click
    elif material == "wood":
        sound = _modes(t, pitch, [(430, 0.045, 1.0), (1020, 0.03, 0.6), (1730, 0.018, 0.4)]) + 0.5 * click
    elif material == "metal":
        sound = _modes(t, pitch, [(240, 0.18, 0.8), (610, 0.12, 0.6), (1330, 0.09, 0.5), (2470, 0.06, 0.35)])
        sound += np.sin(2 * np.pi * 90 * t) * np.exp(-t / 0.05) + 0.4 * click
    else:
        thump = np.convolve(noise, np.ones(24) / 24, mode="same") * np.exp(-t / 0.03)
        sound = 3.0 * thump + np.sin(2 * np.pi * 110 * pitch * t) * np.exp(-t / 0.05) + 0.15 * click
    sound *= 1.0 - np.exp(-t / 0.0004)  # sub-millisecond attack: the onset is the collision sample
    sound /= max(float(np.max(np.abs(sound))), 1e-9)
    return sound.astype(np.float32)


def _modes(t: np.ndarray, pitch: float, modes: Sequence[tuple[float, float, float]]) -> np.ndarray:
    out = np.zeros_like(t)
    for freq, decay, amp in modes:
        out += amp * np.sin(2 * np.pi * freq * pitch * t) * np.exp(-t / decay)
    return out


# ---------------------------------------------------------------------------------------------------------
# Ambience


def ambience_track(plan: dict, n: int, sample_rate: int) -> np.ndarray:
    """Room tone, wind, waves, city hum, birds or crickets, rain hiss... from setting, lighting, weather.

    The noise is seeded from the plan and its simulated time offset, so a clip and its extension differ."""
    rng = np.random.default_rng([plan["seed"] % (2**63), int(plan.get("time_offset", 0.0) * 1000), 202])
    bed = _Bed(n, sample_rate, rng)
    setting, lighting, weather = plan["setting"], plan["lighting"], plan["weather"]
    if setting in ("room", "kitchen"):
        bed.noise(80, 1200, rms=0.006, tilt=1.0)
        if setting == "kitchen":
            bed.hum(120, rms=0.004)
            bed.hum(240, rms=0.0015)
    elif setting == "city":
        bed.noise(30, 300, rms=0.018, tilt=1.0)
        bed.noise(300, 2500, rms=0.007, swell_s=4.0, depth=0.6)
        bed.hum(60, rms=0.003)
        bed.passing(every_s=4.5, rms=0.02)
    elif setting in ("forest", "park"):
        bed.noise(500, 5000, rms=0.01 if setting == "forest" else 0.007, swell_s=5.0, depth=0.7)
        if lighting == "night":
            bed.crickets(rms=0.006)
        elif weather != "rain":
            bed.birds(per_10s=5 if setting == "forest" else 3, amplitude=0.03)
    elif setting in ("beach", "ocean"):
        bed.noise(100, 3000, rms=0.03 if setting == "ocean" else 0.026, swell_s=6.5, depth=0.9, tilt=0.5)
    elif setting in ("desert", "snowfield"):
        bed.noise(150, 900, rms=0.015, swell_s=3.5, depth=0.8, tilt=0.5)
    elif setting == "space":
        for freq in (55.0, 82.4, 110.0):
            bed.hum(freq, rms=0.004, swell_s=7.0)
        bed.noise(40, 200, rms=0.003)
    if weather == "rain":
        bed.noise(1500, 9000, rms=0.03)
        bed.noise(60, 300, rms=0.008, tilt=1.0)
    elif weather == "snow":
        bed.scale(0.6)
        bed.noise(200, 800, rms=0.006, swell_s=5.0, depth=0.6)
    elif weather == "fog":
        bed.scale(0.8)
    return bed.track


class _Bed:
    """Builds an ambience track out of shaped-noise and tonal layers."""

    def __init__(self, n: int, sample_rate: int, rng: np.random.Generator):
        self.n = n
        self.sr = sample_rate
        self.rng = rng
        self.t = np.arange(n) / sample_rate
        self.track = np.zeros(n, dtype=np.float32)

    def scale(self, factor: float) -> None:
        self.track *= factor

    def _swell(self, period_s: float, depth: float) -> np.ndarray:
        phase = float(self.rng.uniform(0, 2 * math.pi))
        return 1.0 - depth / 2 + depth / 2 * np.sin(2 * np.pi * self.t / period_s + phase)

    def noise(self, low: float, high: float, *, rms: float, tilt: float = 0.0, swell_s: float | None = None,
              depth: float = 0.0) -> None:
        """Band-limited noise (smooth spectral band, ``tilt`` = 1 is pink-ish)."""
        if self.n < 2:
            return
        spectrum = np.fft.rfft(self.rng.standard_normal(self.n))
        freqs = np.fft.rfftfreq(self.n, 1.0 / self.sr)
        freqs[0] = 1.0
        shape = 1.0 / np.sqrt(1.0 + (low / freqs) ** 4) / np.sqrt(1.0 + (freqs / high) ** 4)
        shape *= (freqs / 1000.0) ** (-tilt / 2)
        shape[0] = 0.0
        layer = np.fft.irfft(spectrum * shape, self.n)
        if swell_s:
            layer *= self._swell(swell_s, depth)
        self._add(layer, rms)

    def hum(self, freq: float, *, rms: float, swell_s: float | None = None) -> None:
        layer = np.sin(2 * np.pi * freq * self.t + float(self.rng.uniform(0, 2 * math.pi)))
        if swell_s:
            layer *= self._swell(swell_s, 0.6)
        self._add(layer, rms)

    def passing(self, *, every_s: float, rms: float) -> None:
        """Distant traffic: band noise that swells and fades at random times."""
        duration = self.n / self.sr
        centres = np.cumsum(self.rng.uniform(0.5, 1.5, size=int(duration / every_s) + 2) * every_s) - every_s / 2
        envelope = np.zeros(self.n)
        for centre in centres:
            envelope += np.exp(-0.5 * ((self.t - centre) / 0.7) ** 2)
        spectrum = np.fft.rfft(self.rng.standard_normal(self.n))
        freqs = np.fft.rfftfreq(self.n, 1.0 / self.sr)
        spectrum[(freqs < 100) | (freqs > 1500)] = 0
        layer = np.fft.irfft(spectrum, self.n)
        layer /= max(float(np.sqrt(np.mean(layer**2))), 1e-9)
        self.track += (rms * layer * envelope).astype(np.float32)

    def birds(self, *, per_10s: int, amplitude: float) -> None:
        duration = self.n / self.sr
        for _ in range(max(1, int(round(per_10s * duration / 10)))):
            start = float(self.rng.uniform(0.2, max(0.3, duration - 0.6)))
            base = float(self.rng.uniform(2300, 3400))
            for k in range(int(self.rng.integers(2, 4))):
                self._chirp(start + k * 0.13, base, amplitude)

    def _chirp(self, start: float, base: float, amplitude: float) -> None:
        length = int(0.07 * self.sr)
        i0 = int(start * self.sr)
        if i0 + length > self.n:
            return
        t = np.arange(length) / self.sr
        freq = base * (1 + 0.45 * t / t[-1])
        tone = np.sin(2 * np.pi * np.cumsum(freq) / self.sr) * np.hanning(length)
        self.track[i0:i0 + length] += (amplitude * tone).astype(np.float32)

    def crickets(self, *, rms: float) -> None:
        gate = (np.sin(2 * np.pi * 25 * self.t) > 0.3) & (np.sin(2 * np.pi * 1.1 * self.t) > 0.2)
        self._add(np.sin(2 * np.pi * 4600 * self.t) * gate, rms)

    def _add(self, layer: np.ndarray, rms: float) -> None:
        current = float(np.sqrt(np.mean(layer**2))) if len(layer) else 0.0
        if current > 0:
            self.track += (layer * (rms / current)).astype(np.float32)


# ---------------------------------------------------------------------------------------------------------
# Mix


def mix(*, impacts: np.ndarray, ambience: np.ndarray, speech: np.ndarray, presence: np.ndarray) -> np.ndarray:
    """Sum the tracks (ambience ducked under speech) and scale the whole mix down if it would clip."""
    out = impacts + ambience * (1.0 - DUCK_DEPTH * presence) + speech
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    if peak > HEADROOM:
        out *= HEADROOM / peak
    return np.clip(out, -1.0, 1.0).astype(np.float32)
