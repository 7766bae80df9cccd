"""Geometry shared by the planner, the simulation and the renderer.

The scene lives in metres. The frame's short side always spans :data:`SHORT_SIDE_M` metres, so a plan
simulates the same way at any resolution; the renderer maps metres to pixels with ``px_per_m``. The y axis
points down (screen convention) and gravity is positive y.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from generation.backends.base import ASPECTS

SHORT_SIDE_M = 4.5
FLOOR_FRACTION = 0.85  # the line subjects stand on, as a fraction of the frame height

CIRCLE_KINDS = frozenset({"ball", "bird", "fish"})
# Kinds that keep upright under physics (infinite moment of inertia); balls and boxes tumble.
UPRIGHT_KINDS = frozenset({"cat", "dog", "car", "person", "character", "bird", "fish", "horse"})

_BOX_PROPORTIONS = {
    "box": (1.0, 1.0),
    "cat": (1.25, 0.95),
    "dog": (1.35, 1.0),
    "car": (2.2, 0.95),
    "person": (0.75, 1.9),
    "character": (1.0, 1.0),
    "horse": (1.5, 1.25),
    "skateboard": (2.7, 0.33),
}


@dataclass(frozen=True)
class World:
    width_m: float
    height_m: float

    @classmethod
    def for_aspect(cls, aspect: str) -> "World":
        if aspect not in ASPECTS:
            raise ValueError(f"unknown aspect {aspect!r}")
        aw, ah = ASPECTS[aspect]
        short = min(aw, ah)
        return cls(width_m=SHORT_SIDE_M * aw / short, height_m=SHORT_SIDE_M * ah / short)

    @property
    def floor_m(self) -> float:
        return self.height_m * FLOOR_FRACTION

    def px_per_m(self, size: tuple[int, int]) -> float:
        """Pixels per metre for a frame of ``size`` = (width, height)."""
        return size[0] / self.width_m


def half_extents(kind: str, size: float) -> tuple[float, float]:
    """Half width and half height (metres) of a subject's collision shape."""
    if kind in CIRCLE_KINDS:
        return size, size
    fx, fy = _BOX_PROPORTIONS.get(kind, (1.0, 1.0))
    return size * fx, size * fy


def launch_velocity(start: tuple[float, float], target: tuple[float, float], gravity: float, *,
                    apex_m: float = 1.0) -> tuple[float, float]:
    """The (vx, vy) that carries a point from ``start`` to ``target`` under ``gravity`` (y down) with its apex
    ``apex_m`` above the higher of the two."""
    if gravity < 0.5:
        dx, dy = target[0] - start[0], target[1] - start[1]
        length = math.hypot(dx, dy) or 1.0
        return 4.0 * dx / length, 4.0 * dy / length
    apex = max(0.3, min(start[1], target[1]) - apex_m)  # below the top of the frame
    rise = math.sqrt(2 * (start[1] - apex) / gravity)
    fall = math.sqrt(2 * (target[1] - apex) / gravity)
    vy = -gravity * rise
    vx = (target[0] - start[0]) / (rise + fall)
    return vx, vy
