"""Fit a request to the frame grid a video model accepts, and the model's output back to the request.

A video model renders ``step * k + 1`` frames (its VAE compresses time by ``step``) at sizes that are a
multiple of its spatial compression times its patch size, at the frame rate it was trained at. The rest
of the system wants a clip of the requested duration at 24 fps and the requested size. These helpers do
both directions with numpy and Pillow only (no torch), so they are cheap and easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from .base import ASPECTS


@dataclass(frozen=True)
class ModelGrid:
    """What a model accepts: its frame rate, frame-count step and size multiple."""

    fps: int
    frame_step: int  # frame counts are frame_step * k + 1
    size_multiple: int  # width and height are multiples of this


@dataclass(frozen=True)
class RenderShape:
    """What the model is asked to render for one job."""

    num_frames: int
    width: int
    height: int
    fps: int
    trained: bool = False  # the size is one the model family was trained at


def nearest_frame_count(ideal: float, step: int) -> int:
    """The count of the form ``step * k + 1`` (k >= 1) nearest to ``ideal`` frames."""
    k = max(1, round((ideal - 1) / step))
    return step * k + 1


def round_to_multiple(value: float, multiple: int) -> int:
    """``value`` rounded to the nearest multiple of ``multiple`` (at least one multiple)."""
    return max(multiple, round(value / multiple) * multiple)


Sizes = dict[int, dict[str, tuple[int, int]]]  # short side -> aspect -> (width, height)


def fit_request(
    grid: ModelGrid, *, duration_s: float, aspect: str, short_side: int, trained: Sizes | None = None
) -> RenderShape:
    """The frame count and size nearest to ``duration_s`` and ``aspect`` that the model accepts: the size the
    model family was trained at for this short side and aspect when ``trained`` has one (and the grid allows it),
    else the aspect's exact size rounded to the grid."""
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r}")
    aw, ah = ASPECTS[aspect]
    num_frames = nearest_frame_count(duration_s * grid.fps, grid.frame_step)
    preset = (trained or {}).get(short_side, {}).get(aspect)
    if preset and all(side % grid.size_multiple == 0 for side in preset):
        return RenderShape(num_frames=num_frames, width=preset[0], height=preset[1], fps=grid.fps, trained=True)
    short = round_to_multiple(short_side, grid.size_multiple)
    long = round_to_multiple(short * max(aw, ah) / min(aw, ah), grid.size_multiple)
    width, height = (short, long) if aw <= ah else (long, short)
    return RenderShape(num_frames=num_frames, width=width, height=height, fps=grid.fps)


def to_uint8(video: np.ndarray) -> np.ndarray:
    """Float frames in [0, 1] (T×H×W×3) as uint8."""
    return (np.clip(video, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def retime(frames: np.ndarray, count: int) -> np.ndarray:
    """``count`` frames spanning the same time as ``frames``, blending the two nearest source frames.

    The first and last frames are kept; in between, each output frame mixes its two neighbours by
    distance, so slowing a clip down interpolates and speeding it up drops frames.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    source = len(frames)
    if source == count:
        return frames
    if source == 1 or count == 1:
        return np.repeat(frames[:1], count, axis=0)
    positions = np.linspace(0.0, source - 1, count)
    lower = np.floor(positions).astype(int)
    upper = np.minimum(lower + 1, source - 1)
    weight = (positions - lower).astype(np.float32)
    out = np.empty((count, *frames.shape[1:]), dtype=np.uint8)
    for i, (lo, hi, w) in enumerate(zip(lower, upper, weight)):
        if w < 1e-3 or lo == hi:
            out[i] = frames[lo]
        else:
            blended = frames[lo].astype(np.float32) * (1.0 - w) + frames[hi].astype(np.float32) * w
            out[i] = (blended + 0.5).astype(np.uint8)
    return out


def resize(frames: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Frames (T×H×W×3 uint8) scaled to ``size`` = (width, height)."""
    width, height = size
    if frames.shape[1:3] == (height, width):
        return frames
    return np.stack([np.asarray(Image.fromarray(f).resize((width, height), Image.BICUBIC)) for f in frames])


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` scaled and centre-cropped to fill ``size`` = (width, height) without distortion."""
    return ImageOps.fit(image.convert("RGB"), size, Image.BICUBIC)


def sample_span(frames: np.ndarray, source_fps: float, count: int, fps: int) -> np.ndarray:
    """``count`` frames at ``fps`` from the start of a clip (nearest frames, no blending).

    When the clip is shorter than ``count`` frames at ``fps``, the whole clip is spread over them.
    """
    wanted_s = (count - 1) / fps
    available_s = (len(frames) - 1) / source_fps if source_fps > 0 else 0.0
    span = min(wanted_s, available_s)
    positions = np.rint(np.linspace(0.0, span * source_fps, count)).astype(int)
    return frames[np.clip(positions, 0, len(frames) - 1)]
