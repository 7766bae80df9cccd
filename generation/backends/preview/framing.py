"""Shot framings (a storyboard shot's, or one the prompt names): wide (the whole scene, with the plan's camera
move), medium, close-up, over-the-shoulder and follow (a loose crop that travels with the subject), each a crop of
the world that follows its subject.

The camera follows the subject's position per frame through a critically damped spring (time constant
:data:`FOLLOW_S`), starting on the subject at the shot's first frame, so a cut opens framed and the camera
eases after motion instead of jittering with every bounce.
"""

from __future__ import annotations

import math

import numpy as np

from .physics import Trajectory

# How much of the world a framing shows: the crop is the frame divided by this zoom.
ZOOM = {"medium": 1.7, "close_up": 2.8, "over_the_shoulder": 1.9, "follow": 1.35}
FOLLOW_S = 0.35
HEAD_KINDS = frozenset({"person", "character"})  # close-ups of these aim at the head, not the middle
SHOULDER_PULL = 0.38  # over the shoulder: the camera sits this far from the listener towards the speaker


class FramedCamera:
    """Crop boxes (world pixels) per frame for a framing around ``subject`` (and ``other``, the one looked at
    over ``subject``'s shoulder)."""

    def __init__(self, framing: str, trajectory: Trajectory, size: tuple[int, int], px_per_m: float, *, fps: int,
                 kinds: list[str], subject: int, other: int | None):
        if framing not in ZOOM:
            raise ValueError(f"unknown framing {framing!r}")
        self.width, self.height = size
        self.zoom = ZOOM[framing]
        if framing == "over_the_shoulder" and other is None:
            self.zoom = ZOOM["medium"]
        self.centres = self._targets(framing, trajectory, px_per_m, kinds, subject, other)
        self.centres = _follow(self.centres, fps)

    def _targets(self, framing: str, trajectory: Trajectory, px_per_m: float, kinds: list[str], subject: int,
                 other: int | None) -> np.ndarray:
        boxes = trajectory.boxes  # (T, subjects, left/top/right/bottom) metres, y down
        if boxes.shape[1] == 0:
            return np.tile([self.width / 2, self.height / 2], (max(1, len(boxes)), 1)).astype(np.float64)
        main = _aim(boxes[:, subject], kinds[subject], close=framing == "close_up")
        if framing == "over_the_shoulder" and other is not None:
            listener = _aim(boxes[:, other], kinds[other], close=False)
            main = listener + (main - listener) * SHOULDER_PULL
        return main * px_per_m

    def box(self, i: int) -> tuple[float, float, float, float]:
        cx, cy = self.centres[min(i, len(self.centres) - 1)]
        half_w, half_h = self.width / self.zoom / 2, self.height / self.zoom / 2
        cx = min(max(cx, half_w), self.width - half_w)
        cy = min(max(cy, half_h), self.height - half_h)
        return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _aim(boxes: np.ndarray, kind: str, *, close: bool) -> np.ndarray:
    """(T, 2) points to frame, in metres: a figure's head in a close-up, else the middle of its box."""
    x = (boxes[:, 0] + boxes[:, 2]) / 2
    top, bottom = boxes[:, 1], boxes[:, 3]
    share = 0.22 if close and kind in HEAD_KINDS else 0.5
    return np.stack([x, top + (bottom - top) * share], axis=1)


def _follow(targets: np.ndarray, fps: int) -> np.ndarray:
    """A critically damped spring from the first target after the rest."""
    omega = 2.0 / FOLLOW_S
    dt = 1.0 / fps
    position = targets[0].astype(np.float64).copy()
    velocity = np.zeros(2)
    out = np.empty_like(targets, dtype=np.float64)
    decay = math.exp(-omega * dt)
    for i, target in enumerate(targets):
        change = position - target
        temp = (velocity + omega * change) * dt
        velocity = (velocity - omega * temp) * decay
        position = target + (change + temp) * decay
        out[i] = position
    return out


def main_subject(plan: dict, speaker_index: int | None) -> int:
    """Who a shot is about: the first line's speaker, else the first cameo, else the first subject."""
    if speaker_index is not None:
        return speaker_index
    for index, subject in enumerate(plan["subjects"]):
        if subject.get("cameo_id") is not None:
            return index
    return 0


def other_subject(plan: dict, main: int) -> int | None:
    """The subject an over-the-shoulder shot looks at: the next figure or animal, else any other subject."""
    others = [i for i in range(len(plan["subjects"])) if i != main]
    if not others:
        return None
    figures = [i for i in others if plan["subjects"][i]["kind"] in HEAD_KINDS]
    return (figures or others)[0]
