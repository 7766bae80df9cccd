"""Articulated people: arms and legs as pymunk bodies on the figure's body, driven towards the pose of the action
the prompt names.

A person's body (the upright box the simulation already moves: it collides, jumps, falls) carries eight limb
bodies — upper arm, forearm, thigh and shin on each side — held at the shoulders, elbows, hips and knees by pivot
joints and pulled towards the action's pose by damped rotary springs, so limbs swing, trail and settle with the
body's own motion (a landing shakes the arms). Limbs do not collide. Actions:

- ``walk`` / ``run``: the body travels along the floor (1.3 / 3.2 m/s), turning at the walls; legs and arms swing.
- ``jump``: the body leaps whenever it stands; knees tuck in the air.
- ``flip``: one leap with a full turn; it lands on its feet (the landing is heard) or, when the turn is short,
  falls.
- ``fall``: the body topples and lands on the ground.
- ``wave``, ``dance``, ``sit``, ``kick``, ``throw``, ``catch``: poses (a kick strikes a ball at the foot; a throw
  releases the ball it holds with the velocity the shot needs: see staging.aim_shot).

Angles are from straight down, positive towards where the figure faces; a knee bends back, an elbow forward.
"""

from __future__ import annotations

import math

import numpy as np
import pymunk

from .world import half_extents

ACTIONS = ("stand", "walk", "run", "jump", "flip", "fall", "wave", "dance", "sit", "kick", "throw", "catch")
# Joints: (limb, parent limb or None for the body, anchor on the parent as a function of (hw, hh), length factor)
LIMBS = ("upper_arm_l", "forearm_l", "upper_arm_r", "forearm_r", "thigh_l", "shin_l", "thigh_r", "shin_r")
_PARENT = {"forearm_l": "upper_arm_l", "forearm_r": "upper_arm_r", "shin_l": "thigh_l", "shin_r": "thigh_r"}
_LENGTH = {"upper_arm": 0.22, "forearm": 0.2, "thigh": 0.32, "shin": 0.32}  # times the half height
SPEED = {"walk": 1.3, "run": 3.2}
LIMB_MASS = 0.04
STIFFNESS = 6.0  # N·m/rad for the lightest limb; springs scale with each limb's moment (critically damped)


def _root_anchor(limb: str, hw: float, hh: float) -> tuple[float, float]:
    side = -1.0 if limb.endswith("_l") else 1.0
    if limb.startswith("upper_arm"):
        return 0.6 * hw * side, -0.16 * hh
    return 0.24 * hw * side, 0.36 * hh


def length(limb: str, hh: float) -> float:
    return _LENGTH[limb.rsplit("_", 1)[0]] * hh


def pose(action: str, t: float, *, airborne: bool) -> dict[str, float]:
    """Target angles (radians) of shoulders, elbows, hips and knees at time ``t`` of ``action``."""
    s = math.sin
    out = {"upper_arm_l": 0.12, "upper_arm_r": -0.12, "forearm_l": 0.2, "forearm_r": 0.2,
           "thigh_l": 0.04, "thigh_r": -0.04, "shin_l": 0.0, "shin_r": 0.0}
    if action in ("walk", "run"):
        f, swing, bend = (1.7, 0.5, 0.6) if action == "walk" else (2.8, 0.95, 1.3)
        p = 2 * math.pi * f * t
        out.update(thigh_l=swing * s(p), thigh_r=-swing * s(p), shin_l=bend * max(0.0, -s(p + 0.6)),
                   shin_r=bend * max(0.0, s(p + 0.6)), upper_arm_l=-swing * 0.8 * s(p),
                   upper_arm_r=swing * 0.8 * s(p), forearm_l=0.3 + 0.7 * (action == "run"),
                   forearm_r=0.3 + 0.7 * (action == "run"))
    elif action == "wave":
        out.update(upper_arm_r=2.7, forearm_r=0.5 + 0.45 * s(2 * math.pi * 2.2 * t))
    elif action == "dance":
        p = 2 * math.pi * 1.8 * t
        out.update(upper_arm_l=1.6 + 1.0 * s(p), upper_arm_r=1.6 - 1.0 * s(p), forearm_l=0.8, forearm_r=0.8,
                   thigh_l=0.25 * s(p), thigh_r=-0.25 * s(p), shin_l=0.3 * max(0.0, s(p)), shin_r=0.3 * max(0.0, -s(p)))
    elif action == "sit":
        out.update(thigh_l=1.5, thigh_r=1.5, shin_l=1.5, shin_r=1.5, forearm_l=0.6, forearm_r=0.6)
    elif action == "kick":
        p = (t * 0.8) % 1.0
        swing = -0.5 + 1.9 * math.exp(-((p - 0.5) / 0.08) ** 2) if p > 0.3 else -0.4 * p / 0.3
        out.update(thigh_r=swing, shin_r=0.9 * (1.0 - min(1.0, max(0.0, swing + 0.5) / 1.4)), upper_arm_l=0.6,
                   upper_arm_r=-0.4)
    elif action in ("throw", "catch"):
        if action == "catch":
            out.update(upper_arm_l=1.3, upper_arm_r=1.3, forearm_l=0.4, forearm_r=0.4)
        else:
            p = min(1.0, t / THROW_RELEASE_S)
            out.update(upper_arm_r=-1.2 + 4.0 * p ** 3, forearm_r=1.2 * (1 - p) + 0.1, upper_arm_l=0.6)
    if airborne and action in ("jump", "flip", "dance", "stand", "walk", "run"):
        tuck = 1.3 if action == "flip" else 0.9
        out.update(thigh_l=tuck, thigh_r=tuck * 0.9, shin_l=tuck * 1.4, shin_r=tuck * 1.3,
                   upper_arm_l=2.4 if action != "flip" else 1.2, upper_arm_r=2.5 if action != "flip" else 1.2)
    return out


THROW_RELEASE_S = 0.45  # when a thrown ball leaves the hand


def has_limbs(subject: dict) -> bool:
    """People the simulation moves are articulated figures (those on a path, floating or orbiting, are drawn
    whole)."""
    return subject["kind"] == "person" and subject["motion"] in ("bounce", "fall", "roll")


class Figure:
    """One person's limb bodies and their springs, attached to ``body`` (the person's box)."""

    def __init__(self, space: pymunk.Space, body: pymunk.Body, subject: dict):
        self.subject, self.body, self.action = subject, body, subject.get("action") or "stand"
        self.hw, self.hh = half_extents("person", subject["size"])
        self.facing = subject.get("facing") or (1.0 if subject.get("vx", 0.0) >= 0 else -1.0)
        self.limbs: dict[str, pymunk.Body] = {}
        self.springs: dict[str, pymunk.DampedRotarySpring] = {}
        self.airborne = False
        self.landed_at: float | None = None
        self.flip: dict | None = None  # a flip's take-off and landing times, and whether it landed on its feet
        forearm_moment = pymunk.moment_for_segment(LIMB_MASS, (0, 0), (0, length("forearm_l", self.hh)), 0.02)
        for name in LIMBS:
            parent = self.limbs[_PARENT[name]] if name in _PARENT else body
            anchor = (0.0, length(_PARENT[name], self.hh)) if name in _PARENT else _root_anchor(name, self.hw, self.hh)
            size = length(name, self.hh)
            moment = pymunk.moment_for_segment(LIMB_MASS, (0, 0), (0, size), 0.02)
            limb = pymunk.Body(LIMB_MASS, moment)
            start = parent.local_to_world(anchor)
            limb.position = start
            limb.angle = body.angle
            shape = pymunk.Segment(limb, (0, 0), (0, size), 0.02)
            shape.filter = pymunk.ShapeFilter(categories=0, mask=0)  # limbs pass through everything
            shape.sensor = True
            stiffness = STIFFNESS * moment / forearm_moment
            spring = pymunk.DampedRotarySpring(parent, limb, 0.0, stiffness, 2 * math.sqrt(stiffness * moment))
            space.add(limb, shape, pymunk.PivotJoint(parent, limb, anchor, (0, 0)), spring)
            self.limbs[name], self.springs[name] = limb, spring

    def control(self, now: float, on_ground: bool, walls: tuple[float, float]) -> None:
        """Before a step: the body's own motion for the action, and each spring's rest angle from the pose."""
        body, action = self.body, self.action
        self.airborne = not on_ground
        if action in SPEED and on_ground:
            left, right = walls
            if body.position.x < left + self.hw + 0.3:
                self.facing = 1.0
            elif body.position.x > right - self.hw - 0.3:
                self.facing = -1.0
            body.velocity = (self.facing * SPEED[action], body.velocity.y)
        elif action in ("jump", "dance") and on_ground and (self.landed_at is None or now - self.landed_at > 0.35):
            body.velocity = (body.velocity.x, -4.2 if action == "jump" else -2.2)
            self.landed_at = now
        targets = pose(action, now, airborne=self.airborne)
        for name, spring in self.springs.items():
            backwards = name.startswith("shin")  # a knee bends back; shoulders, elbows and hips forward
            spring.rest_angle = (1.0 if backwards else -1.0) * self.facing * targets[name]

    def segments(self) -> np.ndarray:
        """(8, 4): each limb's start and end (metres)."""
        out = np.empty((len(LIMBS), 4))
        for k, name in enumerate(LIMBS):
            limb = self.limbs[name]
            a = limb.position
            b = limb.local_to_world((0, length(name, self.hh)))
            out[k] = (a.x, a.y, b.x, b.y)
        return out


FLIP_TAKEOFF_M_S = 6.5


def start_action(body: pymunk.Body, shape: pymunk.Shape, subject: dict) -> None:
    """A body that acts does not bounce; one that falls may tip over."""
    action = subject.get("action")
    if not action:
        return
    shape.elasticity = 0.0
    facing = subject.get("facing") or (1.0 if subject.get("vx", 0.0) >= 0 else -1.0)
    if action == "fall":  # a push at the shoulders tips the body past its balance
        hw, hh = half_extents("person", subject["size"])
        body.moment = pymunk.moment_for_box(body.mass, (2 * hw, 2 * hh))
        body.apply_impulse_at_local_point((facing * body.mass * 1.6, 0.0), (0.0, -0.8 * hh))


def land(figure: Figure, shape: pymunk.Shape, on_ground: bool, now: float) -> float | None:
    """A flip: take off from the ground with a turn that takes the flight's time; on landing, a body within a
    sixth of a turn of upright stands (on its feet), else it falls. A fall: the moment the body lies on the
    ground, with how hard it lands (0-1), for the sound (a toppling body never leaves the floor, so the
    simulation's contacts alone do not hear it)."""
    body = figure.body
    if figure.action == "fall":
        if figure.flip is None and abs(math.sin(body.angle)) > 0.97 and on_ground:
            figure.flip = {"landed": now}
            return min(1.0, 0.35 + abs(body.angular_velocity) * figure.hh / 6.0 + 0.3)
        return None
    if figure.action != "flip":
        return None
    if figure.flip is None and on_ground and now > 0.3:
        gravity = body.space.gravity.y if body.space is not None else 9.81
        flight = 2 * FLIP_TAKEOFF_M_S / max(gravity, 0.1)
        body.moment = pymunk.moment_for_box(body.mass, (2 * figure.hw, 2 * figure.hh))
        body.velocity = (figure.facing * 0.6, -FLIP_TAKEOFF_M_S)
        body.angular_velocity = figure.facing * 2 * math.pi / flight * figure.subject.get("turns", 1.0)
        figure.flip = {"took_off": now}
    elif figure.flip and "landed" not in figure.flip and on_ground and now - figure.flip["took_off"] > 0.25:
        upright = round(body.angle / (2 * math.pi)) * 2 * math.pi
        figure.flip["landed"] = now
        if abs(body.angle - upright) < 2 * math.pi / 6:
            body.angle, body.angular_velocity, body.moment = upright, 0.0, math.inf
            figure.flip["on_feet"] = True
        else:
            figure.flip["on_feet"] = False
    return None


def hand(figure: Figure) -> tuple[pymunk.Vec2d, pymunk.Vec2d]:
    """Where the right hand is and how fast it moves (the end of the right forearm)."""
    forearm = figure.limbs["forearm_r"]
    local = (0.0, length("forearm_r", figure.hh))
    return forearm.local_to_world(local), forearm.velocity_at_local_point(local)


def foot(figure: Figure) -> pymunk.Vec2d:
    shin = figure.limbs["shin_r"]
    return shin.local_to_world((0.0, length("shin_r", figure.hh)))


KICK_AT_S = 0.625  # the kick's peak (pose: phase 0.5 of a 1.25 s kick)
