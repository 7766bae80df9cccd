"""Jointed figures: people and animals whose limbs are pymunk bodies on the figure's body, driven towards the
pose of the action the prompt names (rigs.py: which limbs each kind has, and the animals' and birds' poses).

A figure's body (the upright box the simulation already moves: it collides, jumps, falls) carries eight limb
bodies — a person's upper arms, forearms, thighs and shins; a cat's, a dog's or a horse's four two-bone legs; a
bird's two-part wings and legs — held by pivot joints and pulled towards the action's pose by damped rotary
springs, so limbs swing, trail and settle with the body's own motion (a landing shakes them). Limbs do not
collide. A flying bird's body follows its path and its wings beat on it. Actions:

- ``walk`` / ``run``: the body travels along the floor (its rig's speed), turning at the walls; people swing
  legs and arms, four-legged animals walk in diagonal pairs or gallop; walkers pass one another.
- ``jump``: the body leaps whenever it stands; knees tuck in the air. "jumps onto the table": a crouch, then one
  leap with the velocity that lands it on the prop's top, where it stays.
- ``sit``: the hips are drawn down onto a seat ("sits on the bench": a person walks there first; an animal leaps
  up) or the floor; an animal leans back on its folded hind legs.
- ``flip``: one leap with a full turn; it lands on its feet (the landing is heard) or, when the turn is short,
  falls.
- ``fall``: the body topples and lands on the ground.
- ``wave``, ``dance``, ``kick``, ``throw``, ``catch``: poses (a kick strikes a ball at the foot; a throw releases
  the ball it holds with the velocity the shot or the catch needs, see staging.py; a catcher's hand holds the ball
  from the moment it arrives).

Angles are from straight down, positive towards where the figure faces; a knee bends back, an elbow forward.
"""

from __future__ import annotations

import math

import numpy as np
import pymunk

from .rigs import PERSON_NAMES, RIGS, bird_pose, quadruped_pose
from .world import half_extents, launch_velocity

ACTIONS = ("stand", "walk", "run", "jump", "flip", "fall", "wave", "dance", "sit", "kick", "throw", "catch")
LIMBS = PERSON_NAMES
STIFFNESS = 6.0  # N·m/rad for a person's forearm; springs scale with each limb's moment (critically damped)
LIMB_MASS = 0.04
_NOTHING = pymunk.ShapeFilter(categories=0, mask=0)


def length(limb: str, hh: float, kind: str = "person") -> float:
    return _SPECS[kind][limb].length * hh


_SPECS = {kind: {limb.name: limb for limb in rig.limbs} for kind, rig in RIGS.items()}


def pose(action: str, t: float, *, airborne: bool, seated: str | None = None) -> dict[str, float]:
    """Target angles (radians) of shoulders, elbows, hips and knees at time ``t`` of ``action``; ``seated`` on
    a "seat" (thighs forward, shins down to the floor) or on the "floor" (legs out in front)."""
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
        bend = {"seat": (0.95, 0.95), "floor": (1.5, 0.15)}.get(seated or "", (1.5, 1.5))
        out.update(thigh_l=bend[0], thigh_r=bend[0], shin_l=bend[1], shin_r=bend[1], forearm_l=0.6, forearm_r=0.6)
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
    """People and animals the simulation moves are jointed figures, and a flying bird beats its wings along its
    path (people on a path, floating or orbiting, are drawn whole)."""
    kind, motion = subject["kind"], subject["motion"]
    return kind in RIGS and (motion in ("bounce", "fall", "roll") or (kind == "bird" and motion == "fly"))


PROPS_CATEGORY = 0b1000  # the collision category of props' parts: a figure walking to a seat passes them
LEAP_AT_S = 0.5  # when a figure leaps onto a prop (after a crouch)
_SIT_AT_S = 0.3


class Figure:
    """One figure's limb bodies and their springs, attached to ``body`` (the figure's box, or a flying bird's
    kinematic body). A figure ``onto`` a prop walks to it (a person to a seat) or leaps onto it (an animal, or a
    jump), and sits there when its action is to sit."""

    def __init__(self, space: pymunk.Space, body: pymunk.Body, shape: pymunk.Shape | None, subject: dict):
        self.subject, self.body, self.shape, self.space = subject, body, shape, space
        self.kind, self.action = subject["kind"], subject.get("action") or "stand"
        self.rig = RIGS[self.kind]
        self.hw, self.hh = half_extents(self.kind, subject["size"])
        self.facing = subject.get("facing") or (1.0 if subject.get("vx", 0.0) >= 0 else -1.0)
        self.flying = subject["motion"] == "fly"
        self.onto: dict | None = subject.get("onto")  # {"prop", "x", "y" (its top), "leap"} (staging.plan_onto)
        self.limbs: dict[str, pymunk.Body] = {}
        self.springs: dict[str, pymunk.DampedRotarySpring] = {}
        self.roots: dict[str, pymunk.PivotJoint] = {}
        self.airborne = self.flying
        self.landed_at: float | None = None
        self.flip: dict | None = None  # a flip's take-off and landing times, and whether it landed on its feet
        self.leapt_at: float | None = None
        self.perched_at: float | None = None  # when a leap landed on its prop
        self.seated: str | None = None  # "seat" (on a prop) or "floor", once sitting
        if shape is not None and self.onto and not self.onto["leap"]:
            shape.filter = pymunk.ShapeFilter(mask=pymunk.ShapeFilter.ALL_MASKS() ^ PROPS_CATEGORY)
        mass = LIMB_MASS * min(1.0, self.hh / 0.9)
        reference = pymunk.moment_for_segment(mass, (0, 0), (0, 0.2 * self.hh), 0.02)
        for spec in self.rig.limbs:
            parent = self.limbs[spec.parent] if spec.parent else body
            anchor = self._anchor(spec.name)
            size = spec.length * self.hh
            moment = pymunk.moment_for_segment(mass, (0, 0), (0, size), 0.02)
            limb = pymunk.Body(mass, moment)
            limb.position = parent.local_to_world(anchor)
            limb.angle = body.angle
            limb_shape = pymunk.Segment(limb, (0, 0), (0, size), 0.02)
            limb_shape.filter = _NOTHING  # limbs pass through everything
            limb_shape.sensor = True
            stiffness = STIFFNESS * moment / reference
            spring = pymunk.DampedRotarySpring(parent, limb, 0.0, stiffness, 2 * math.sqrt(stiffness * moment))
            joint = pymunk.PivotJoint(parent, limb, anchor, (0, 0))
            space.add(limb, limb_shape, joint, spring)
            self.limbs[spec.name], self.springs[spec.name] = limb, spring
            if spec.parent is None:
                self.roots[spec.name] = joint

    def _anchor(self, name: str) -> tuple[float, float]:
        spec = _SPECS[self.kind][name]
        if spec.parent:
            return 0.0, _SPECS[self.kind][spec.parent].length * self.hh
        ax, ay = spec.anchor
        return ax * self.hw * (self.facing if self.rig.faces else 1.0), ay * self.hh

    def turn(self, facing: float) -> None:
        """Face the other way: a side-view body's legs and wings move to its new front and back."""
        if facing == self.facing:
            return
        self.facing = facing
        if self.rig.faces:
            for name, joint in self.roots.items():
                joint.anchor_a = self._anchor(name)

    def launch(self, velocity: tuple[float, float]) -> None:
        """The whole figure, limbs too, leaves with ``velocity`` (limbs left behind would slow the body down)."""
        for body in (self.body, *self.limbs.values()):
            body.velocity = velocity

    def shift(self, dx: float) -> None:
        """Move the whole figure sideways at once (a flying bird wrapping round the frame)."""
        for body in (self.body, *self.limbs.values()):
            body.position = (body.position.x + dx, body.position.y)

    def control(self, now: float, on_ground: bool, walls: tuple[float, float], floor: float) -> None:
        """Before a step: the body's own motion for the action, and each spring's rest angle from the pose."""
        body, action = self.body, self.action
        self.airborne = self.flying or not on_ground
        speed = self.rig.speed
        doing = action
        if self.flying or self.seated:
            pass
        elif self.onto:
            doing = self._go_onto(now, on_ground)
        elif action in speed and on_ground:
            left, right = walls
            if body.position.x < left + self.hw + 0.3:
                self.turn(1.0)
            elif body.position.x > right - self.hw - 0.3:
                self.turn(-1.0)
            body.velocity = (self.facing * speed[action], body.velocity.y)
        elif action in ("jump", "dance") and on_ground and (self.landed_at is None or now - self.landed_at > 0.35):
            body.velocity = (body.velocity.x, -4.2 if action == "jump" else -2.2)
            self.landed_at = now
        elif action == "sit" and on_ground and now > _SIT_AT_S:
            hip = body.local_to_world(self._hip())
            self._sit_down((hip.x, floor - 0.1 * self.hw), "floor")
        if action == "sit" and not self.seated:
            doing = doing if doing != "sit" else "stand"
        if self.kind == "person":
            targets = pose(doing, now, airborne=self.airborne, seated=self.seated)
        elif self.kind == "bird":
            targets = bird_pose(doing, now, airborne=self.airborne, seated=bool(self.seated))
        else:
            targets = quadruped_pose(doing, now, airborne=self.airborne, kind=self.kind, seated=bool(self.seated))
        for name, spring in self.springs.items():
            backwards = _SPECS[self.kind][name].backwards  # a knee bends back; shoulders, elbows and hips forward
            # pymunk's spring holds child.angle - parent.angle at -rest_angle; a limb at angle a points along
            # (-sin a, cos a), so a positive target (towards the facing) is a rest angle of facing * target
            spring.rest_angle = (-1.0 if backwards else 1.0) * self.facing * targets[name]

    def _go_onto(self, now: float, on_ground: bool) -> str:
        """Walk to the prop (and sit on it), or crouch, leap onto its top and stay there; the action shown."""
        body, onto = self.body, self.onto
        if not onto["leap"]:
            dx = onto["x"] - body.position.x
            if abs(dx) > 0.04:
                self.turn(1.0 if dx > 0 else -1.0)
                if on_ground:
                    body.velocity = (self.facing * min(self.rig.speed["walk"], 0.2 + 4.0 * abs(dx)), body.velocity.y)
                return "walk"
            body.velocity = (0.0, body.velocity.y)
            self.turn(onto["facing"])
            if self.action == "sit":
                self._sit_down((onto["x"], onto["y"] - 0.1 * self.hw), "seat")
            return "stand"
        if self.leapt_at is None:
            self.turn(1.0 if onto["x"] > body.position.x else -1.0)
            if on_ground and now >= LEAP_AT_S and self.space.gravity.y > 0.5:
                gravity = self.space.gravity.y
                target = (onto["x"], onto["y"] - self.hh - 0.02)
                self.launch(launch_velocity(tuple(body.position), target, gravity, apex_m=0.35))
                self.leapt_at = now
            return "jump"
        if self.perched_at is None:
            if on_ground and now - self.leapt_at > 0.2:
                self.perched_at = now
                body.velocity = (0.0, body.velocity.y)  # it lands and stays on its feet
            return "jump"
        body.velocity = (0.0, body.velocity.y)
        if self.action == "sit" and now - self.perched_at > 0.3:
            hip = body.local_to_world(self._hip())
            self._sit_down((hip.x, onto["y"] - 0.1 * self.hw), "seat")
        return "stand"

    def _hip(self) -> tuple[float, float]:
        hx, hy = self.rig.hip
        return hx * self.hw * (self.facing if self.rig.faces else 1.0), hy * self.hh

    def _sit_down(self, point: tuple[float, float], on: str) -> None:
        """Lower the hips onto ``point`` (a seat's top or the floor): a joint draws them there; the body leans back
        (an animal) and passes through what it sits on."""
        body, static = self.body, self.space.static_body
        if self.shape is not None:
            self.shape.filter = _NOTHING
        joint = pymunk.PivotJoint(static, body, point, self._hip())
        joint.max_bias = 1.2  # m/s: it sits down, it does not snap
        joint.max_force = body.mass * 200.0
        self.space.add(joint)
        if self.rig.sit_tilt:
            body.moment = pymunk.moment_for_box(body.mass, (2 * self.hw, 2 * self.hh))
            tilt = -self.facing * self.rig.sit_tilt
            lean = pymunk.RotaryLimitJoint(static, body, tilt, tilt)
            lean.max_bias = 1.5
            self.space.add(lean)
        body.velocity = (0.0, 0.0)
        self.seated = on

    def segments(self) -> np.ndarray:
        """(8, 4): each limb's start and end (metres)."""
        out = np.empty((len(self.rig.limbs), 4))
        for k, spec in enumerate(self.rig.limbs):
            limb = self.limbs[spec.name]
            a = limb.position
            b = limb.local_to_world((0, spec.length * self.hh))
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


def hand(figure: Figure, side: str = "r") -> tuple[pymunk.Vec2d, pymunk.Vec2d]:
    """Where a hand is and how fast it moves (the end of the forearm)."""
    forearm = figure.limbs[f"forearm_{side}"]
    local = (0.0, length(f"forearm_{side}", figure.hh))
    return forearm.local_to_world(local), forearm.velocity_at_local_point(local)


def front_side(figure: Figure) -> str:
    """A person's arm on the side it faces ("r" or "l": a person's right side is always towards +x)."""
    return "r" if figure.facing > 0 else "l"


def foot(figure: Figure) -> pymunk.Vec2d:
    shin = figure.limbs["shin_r"]
    return shin.local_to_world((0.0, length("shin_r", figure.hh)))


KICK_AT_S = 0.625  # the kick's peak (pose: phase 0.5 of a 1.25 s kick)
