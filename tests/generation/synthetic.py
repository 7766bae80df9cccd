"""Synthetic clips for media and provenance tests and benchmarks: deterministic, made with numpy only.

``textured_clip``: moving discs over a textured colour gradient with fixed grain, a tone and short clicks at
known times (so audio/video alignment can be measured). ``flat_clip``: flat colours and a sky gradient, like
the preview backend draws.
"""

from __future__ import annotations

import numpy as np

CLICK_S = 0.004


def textured_clip(
    *,
    width: int = 480,
    height: int = 854,
    seconds: float = 2.0,
    fps: int = 24,
    sample_rate: int = 24_000,
    seed: int = 0,
    clicks: tuple[float, ...] = (0.5, 1.0, 1.5),
) -> tuple[np.ndarray, np.ndarray]:
    """(frames uint8 T×H×W×3, mono float32 audio) with clicks starting exactly at the ``clicks`` times."""
    rng = np.random.default_rng(seed)
    count = round(seconds * fps)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, 3)
    base = np.stack([
        30 + 200 * xx / width,
        40 + 180 * yy / height,
        120 + 60 * np.sin(xx / 37.0 + phase[0]) * np.cos(yy / 23.0 + phase[1]),
    ], axis=-1)
    base += rng.normal(0, 6, base.shape)
    discs = [(rng.uniform(0.1, 0.9), rng.uniform(0.15, 0.85), rng.uniform(-6, 6), rng.uniform(25, 45),
              rng.integers(30, 250, 3)) for _ in range(3)]
    frames = np.empty((count, height, width, 3), dtype=np.uint8)
    for index in range(count):
        frame = base.copy()
        frame[..., 2] += 20 * np.sin(2 * np.pi * 0.5 * index / fps + phase[2])
        for fx, fy, speed, radius, colour in discs:
            cx = (fx * width + speed * index) % width
            cy = fy * height + 40 * np.sin(index / 8)
            frame[(xx - cx) ** 2 + (yy - cy) ** 2 < radius**2] = colour
        frames[index] = np.clip(frame, 0, 255)
    return frames, click_track(seconds=seconds, sample_rate=sample_rate, clicks=clicks)


def click_track(*, seconds: float, sample_rate: int, clicks: tuple[float, ...]) -> np.ndarray:
    """A quiet 220 Hz tone with loud 2 kHz clicks of 4 ms starting at each time in ``clicks``."""
    times = np.arange(round(seconds * sample_rate)) / sample_rate
    audio = 0.05 * np.sin(2 * np.pi * 220 * times)
    length = round(CLICK_S * sample_rate)
    burst = 0.8 * np.sin(2 * np.pi * 2000 * times[:length])
    for at in clicks:
        start = round(at * sample_rate)
        audio[start : start + length] += burst[: len(audio) - start]
    return audio.astype(np.float32)


def flat_clip(*, width: int = 480, height: int = 854, seconds: float = 2.0, fps: int = 24) -> np.ndarray:
    """Frames of flat-coloured moving discs on grass under a sky gradient (no grain)."""
    count = round(seconds * fps)
    yy, xx = np.mgrid[0:height, 0:width]
    background = np.empty((height, width, 3), dtype=np.uint8)
    background[:] = (60, 140, 70)
    sky = np.linspace((90, 150, 230), (200, 220, 250), height // 2)
    background[: height // 2] = sky[:, None, :].astype(np.uint8)
    background[700 * height // 854 : 760 * height // 854, width // 5 : 4 * width // 5] = (120, 80, 40)
    frames = np.empty((count, height, width, 3), dtype=np.uint8)
    for index in range(count):
        frame = background.copy()
        for k in range(4):
            cx, cy = (50 + 100 * k + 4 * (k + 1) * index) % width, (300 + 120 * k) * height // 854
            frame[(xx - cx) ** 2 + (yy - cy) ** 2 < 40**2] = (220, 60 + 40 * k, 50)
        frames[index] = frame
    return frames
