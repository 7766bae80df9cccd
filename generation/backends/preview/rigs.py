"""The jointed bodies of the preview's figures: which limbs each kind has, where they hang on the body, how long
and how thick they are, and the pose each action pulls them towards.

Every rig has eight limbs, so a figure's limbs are one (8, 4) array of segments whatever its kind:

- person: upper arm, forearm, thigh and shin on each side (the left side is the far one);
- cat, dog, horse: an upper and a lower bone on each of four legs (front and hind, far and near);
- bird: an inner and an outer part of each wing, and a thigh and a shin on each leg.

Anchors on the body are fractions of the collision box's half width and half height; a quadruped's and a bird's
x is towards where the figure faces (a person's is its side). Lengths are fractions of the half height. Angles are
from straight down, positive towards where the figure faces; a lower limb's angle is relative to its parent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PERSON_NAMES = ("upper_arm_l", "forearm_l", "upper_arm_r", "forearm_r", "thigh_l", "shin_l", "thigh_r", "shin_r")
LEG_NAMES = ("hind_far", "hind_far_low", "front_far", "front_far_low", "hind_near", "hind_near_low", "front_near",
             "front_near_low")
BIRD_NAMES = ("wing_far", "wing_far_tip", "wing_near", "wing_near_tip", "leg_far", "foot_far", "leg_near",
              "foot_near")


@dataclass(frozen=True)
class Limb:
    name: str
    parent: str | None  # None: hangs on the body at ``anchor``; else at the end of the parent limb
    anchor: tuple[float, float]
    length: float
    width: float  # radius, as a fraction of the drawn body's width
    colour: int  # index into the subject art's limb colours
    near: bool  # drawn in front of the body
    backwards: bool = False  # the pose's angle bends it backwards (a person's knee)


@dataclass(frozen=True)
class Rig:
    kind: str
    limbs: tuple[Limb, ...]
    faces: bool  # anchors follow the facing (a side view); a person's arms and legs are at its sides
    hip: tuple[float, float]  # the point that rests on a seat (fractions of the half extents)
    speed: dict  # m/s of walk and run
    sit_tilt: float = 0.0  # radians the body leans back when it sits (rear down)


def _person() -> Rig:
    limbs = []
    for side, near in (("l", False), ("r", True)):
        sx = -1.0 if side == "l" else 1.0
        limbs += [Limb(f"upper_arm_{side}", None, (0.6 * sx, -0.16), 0.22, 0.06, 0, near),
                  Limb(f"forearm_{side}", f"upper_arm_{side}", (0, 0), 0.2, 0.06, 0, near)]
    for side, near in (("l", False), ("r", True)):
        sx = -1.0 if side == "l" else 1.0
        limbs += [Limb(f"thigh_{side}", None, (0.24 * sx, 0.36), 0.32, 0.1, 1, near),
                  Limb(f"shin_{side}", f"thigh_{side}", (0, 0), 0.32, 0.1, 1, near, backwards=True)]
    order = {name: k for k, name in enumerate(PERSON_NAMES)}
    return Rig("person", tuple(sorted(limbs, key=lambda limb: order[limb.name])), faces=False, hip=(0.0, 0.36),
               speed={"walk": 1.3, "run": 3.2})


def _quadruped(kind: str, hind: tuple[float, float], front: tuple[float, float], root_y: float, upper: float,
               lower: float, width: float, speed: dict) -> Rig:
    limbs = []
    for end, (far_x, near_x) in (("hind", hind), ("front", front)):
        for side, x in (("far", far_x), ("near", near_x)):
            name = f"{end}_{side}"
            limbs += [Limb(name, None, (x, root_y), upper, width, 0, side == "near"),
                      Limb(f"{name}_low", name, (0, 0), lower, width * 0.85, 0, side == "near")]
    order = {name: k for k, name in enumerate(LEG_NAMES)}
    return Rig(kind, tuple(sorted(limbs, key=lambda limb: order[limb.name])), faces=True,
               hip=(hind[1], root_y), speed=speed, sit_tilt=0.42)


def _bird() -> Rig:
    limbs = []
    for side in ("far", "near"):
        limbs += [Limb(f"wing_{side}", None, (-0.05, -0.05), 0.72, 0.12, 0, side == "near"),
                  Limb(f"wing_{side}_tip", f"wing_{side}", (0, 0), 0.62, 0.09, 0, side == "near")]
    for side, x in (("far", -0.08), ("near", 0.12)):
        limbs += [Limb(f"leg_{side}", None, (x, 0.5), 0.26, 0.035, 1, side == "near"),
                  Limb(f"foot_{side}", f"leg_{side}", (0, 0), 0.26, 0.03, 1, side == "near", backwards=True)]
    order = {name: k for k, name in enumerate(BIRD_NAMES)}
    return Rig("bird", tuple(sorted(limbs, key=lambda limb: order[limb.name])), faces=True, hip=(0.0, 0.5),
               speed={"walk": 0.5, "run": 1.4})


RIGS = {
    "person": _person(),
    "cat": _quadruped("cat", hind=(-0.32, -0.56), front=(0.48, 0.24), root_y=0.45, upper=0.29, lower=0.28,
                      width=0.05, speed={"walk": 0.8, "run": 3.0}),
    "dog": _quadruped("dog", hind=(-0.36, -0.62), front=(0.42, 0.16), root_y=0.5, upper=0.26, lower=0.25,
                      width=0.05, speed={"walk": 1.1, "run": 3.6}),
    "horse": _quadruped("horse", hind=(-0.46, -0.7), front=(0.5, 0.26), root_y=0.2, upper=0.41, lower=0.4,
                        width=0.04, speed={"walk": 1.6, "run": 5.0}),
    "bird": _bird(),
}


def quadruped_pose(action: str, t: float, *, airborne: bool, kind: str, seated: bool) -> dict[str, float]:
    """Leg angles of a cat, a dog or a horse: a walk moves diagonal pairs together, a run (a gallop) the front
    pair and then the hind pair; in the air the front legs reach forward and the hind legs stretch back; seated,
    the hind legs fold under and the front legs stand straight."""
    out = {name: 0.0 for name in LEG_NAMES}
    if seated:
        tilt = RIGS[kind].sit_tilt
        for side in ("far", "near"):
            out.update({f"hind_{side}": 1.25, f"hind_{side}_low": -2.3, f"front_{side}": tilt + 0.02,
                        f"front_{side}_low": 0.0})
        return out
    if airborne:
        for side in ("far", "near"):
            out.update({f"front_{side}": 0.95, f"front_{side}_low": -1.1, f"hind_{side}": -0.85,
                        f"hind_{side}_low": 0.35})
        return out
    if action in ("walk", "run"):
        frequency = {"cat": 1.6, "dog": 1.8, "horse": 1.2}[kind] * (1.0 if action == "walk" else 1.7)
        swing, bend = (0.35, 0.7) if action == "walk" else (0.55, 1.2)
        p = 2 * math.pi * frequency * t
        phases = ({"hind_near": 0.0, "front_far": 0.0, "hind_far": math.pi, "front_near": math.pi} if action == "walk"
                  else {"front_far": 0.0, "front_near": 0.35, "hind_far": math.pi, "hind_near": math.pi + 0.35})
        for leg, phase in phases.items():
            out[leg] = swing * math.sin(p + phase)
            out[f"{leg}_low"] = -bend * max(0.0, math.cos(p + phase))  # lifted while it swings forward
    elif action == "fall":
        out.update(front_far=0.4, front_near=0.5, hind_far=-0.4, hind_near=-0.3)
    return out


def bird_pose(action: str, t: float, *, airborne: bool, seated: bool) -> dict[str, float]:
    """Wing and leg angles of a bird: in the air the wings beat (about 4 times a second) and the legs trail;
    on the ground the wings fold along the back and the legs walk or hop."""
    out = {"wing_far": -2.0, "wing_far_tip": -0.25, "wing_near": -2.0, "wing_near_tip": -0.25,
           "leg_far": 0.1, "foot_far": 0.2, "leg_near": -0.1, "foot_near": 0.2}
    if airborne:
        p = 2 * math.pi * 4.0 * t
        beat = -1.75 + 1.05 * math.sin(p)  # down to almost straight back-down, up past the back
        out.update(wing_far=beat - 0.1, wing_near=beat, wing_far_tip=0.6 * math.sin(p - 0.9),
                   wing_near_tip=0.6 * math.sin(p - 0.9), leg_far=-1.1, leg_near=-1.0, foot_far=0.5,
                   foot_near=0.5)
    elif seated:
        out.update(leg_far=1.2, leg_near=1.1, foot_far=2.2, foot_near=2.2)
    elif action in ("walk", "run"):
        p = 2 * math.pi * (3.0 if action == "walk" else 5.0) * t
        out.update(leg_far=0.45 * math.sin(p), leg_near=-0.45 * math.sin(p), foot_far=0.4 * max(0.0, math.cos(p)),
                   foot_near=0.4 * max(0.0, -math.cos(p)))
    return out

