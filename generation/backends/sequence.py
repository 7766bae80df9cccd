"""Shots into one stream of frames: cuts and dissolves, with nothing held but a dissolve's few frames.

Every multi-part clip goes through :func:`join`: the shots of a storyboard (both backends) and the drafts of a
stitch. Each part brings its frames as an iterator that is only started when the part before it is done, so
one part is made at a time.

A dissolve of ``k`` frames fades the incoming part in over the outgoing part's *tail*: ``k`` frames the outgoing
part makes after its own length (the preview backend simulates on; a stitch uses the last ``k`` frames of the
outgoing clip, which then count as the dissolve). When a part has fewer tail frames than the dissolve needs, its
last picture holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import numpy as np


@dataclass
class Part:
    """One part of a joined clip: ``frames`` yields ``length + tail`` frames (uint8 H×W×3)."""

    frames: Iterator[np.ndarray]
    length: int  # frames this part shows in the clip (its dissolve in included)
    tail: int = 0  # frames after ``length``, shown only under the next part's dissolve
    dissolve_in: int = 0  # first frames of this part that fade in over the previous part's tail


def shot_frame_counts(durations: Sequence[float], fps: int) -> list[int]:
    """Frames per shot, rounded on the running total so the shots add up to the clip's frame count and each
    boundary falls on the frame nearest to its time."""
    counts, done, elapsed = [], 0, 0.0
    for duration in durations:
        elapsed += duration
        end = max(done + 1, round(elapsed * fps))
        counts.append(end - done)
        done = end
    return counts


def dissolve_frames(transitions: Sequence[str], counts: Sequence[int], fps: int, dissolve_s: float) -> list[int]:
    """Frames each part fades in over (0 for the first part and for cuts), never more than either part's length
    allows."""
    out = []
    for index, (transition, count) in enumerate(zip(transitions, counts)):
        if index == 0 or transition != "dissolve":
            out.append(0)
            continue
        out.append(max(1, min(round(dissolve_s * fps), count - 1, counts[index - 1] - 1)))
    return out


def join(parts: Iterable[Part]) -> Iterator[np.ndarray]:
    """The parts' frames in order, each dissolve blended. Yields arrays it owns until the next frame is asked for
    (the caller copies what it keeps)."""
    held: list[np.ndarray] = []  # the previous part's tail (or its last frame)
    for part in parts:
        last: np.ndarray | None = None
        tail: list[np.ndarray] = []
        for index, frame in enumerate(part.frames):
            if index >= part.length:
                if len(tail) < part.tail:
                    tail.append(np.array(frame, copy=True))
                continue
            if index < part.dissolve_in and held:
                alpha = (index + 1) / (part.dissolve_in + 1)
                frame = blend(held[min(index, len(held) - 1)], frame, alpha)
            last = frame
            yield frame
        if tail:
            held = tail
        elif last is not None:
            held = [np.array(last, copy=True)]


def blend(outgoing: np.ndarray, incoming: np.ndarray, alpha: float) -> np.ndarray:
    """``alpha`` of ``incoming`` over ``outgoing`` (uint8, same shape)."""
    weight = np.uint16(round(alpha * 256))
    mixed = (incoming.astype(np.uint16) * weight + outgoing.astype(np.uint16) * (np.uint16(256) - weight) + 128) >> 8
    return mixed.astype(np.uint8)
