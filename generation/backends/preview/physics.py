"""Rigid-body motion for a scene plan (pymunk).

Bounce, fall and roll are simulated: gravity, restitution, friction, collisions with the floor, the walls,
the ceiling and each other. The frame is closed by thick static segments just outside it and the simulation
runs at :data:`SIM_HZ` steps per second, so nothing passes through. Collisions are recorded from pymunk's
``post_solve`` callback with the impulse that resolved them. Orbit, fly and spin are kinematic paths.

Time: ``plan["time_offset"]`` is the simulated time (s) at which the clip starts (extensions continue the
parent's simulation), and ``plan["speed"]`` is simulated seconds per clip second (0.5 = slow motion).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pymunk

from .figures import PROPS_CATEGORY, Figure, front_side, hand, has_limbs, land, start_action
from .scenery import physical_parts
from .vocab import PHYSICAL_MOTIONS
from .world import CIRCLE_KINDS, UPRIGHT_KINDS, World, half_extents, launch_velocity

SIM_HZ = 240
WALL_THICKNESS_M = 1.0
MAX_SPEED_M_S = 14.0
IMPACT_MIN_DV = 0.35  # m/s change of velocity below which a contact is not an audible impact
IMPACT_FULL_DV = 9.0  # m/s change of velocity that counts as the strongest impact (strength 1)
PAIR_DEBOUNCE_S = 0.05
CATCH_REACH_M = 0.08  # a ball this close to a catcher's hand (beyond its radius) is caught
_SHOT, _FIGURES = 0b10, 0b100  # collision categories while a ball is shot at a hoop or a goal
_FRAME, _WALKERS = 0b10000, 0b100000  # the floor, walls and ceiling; figures that walk or run
_DENSITY = {"ball": 1.0, "box": 1.4, "car": 2.5, "person": 1.8, "horse": 2.0, "skateboard": 1.2}


@dataclass(frozen=True)
class Impact:
    t: float  # clip time (s)
    strength: float  # 0..1
    subjects: tuple[int, ...]  # subject ids involved
    surface: str | None  # "floor" | "wall" | "ceiling", or a prop's surface ("rim", "table"...); None between subjects
    x: float  # metres
    y: float


@dataclass
class Trajectory:
    """Per-frame state of every subject: ``states[i, j] = (x, y, angle)`` in metres / radians,
    ``boxes[i, j] = (left, top, right, bottom)`` in metres (y down)."""

    times: np.ndarray
    ids: list[int]
    states: np.ndarray
    boxes: np.ndarray
    impacts: list[Impact] = field(default_factory=list)
    steps: int = 0
    limbs: dict[int, np.ndarray] = field(default_factory=dict)  # subject index -> (T, 8, 4) limb segments (figures)
    facing: dict[int, np.ndarray] = field(default_factory=dict)  # subject index -> (T,) 1 or -1 (figures)


class _Simulation:
    def __init__(self, plan: dict, world: World):
        self.world = world
        self.space = pymunk.Space()
        self.space.gravity = (0.0, float(plan["gravity"]))
        self.space.collision_slop = 0.002
        self.space.iterations = 20
        self.space.damping = 0.995
        self.labels: dict[int, str | int] = {}
        self.bodies: dict[int, pymunk.Body] = {}
        self.figures: dict[int, Figure] = {}
        self.shapes: dict[int, pymunk.Shape] = {}
        self.impacts: list[tuple[float, float, tuple[int, ...], str | None, float, float]] = []
        self._last_pair: dict[tuple, float] = {}
        self.now = 0.0
        self.shot = any(subject.get("shot") for subject in plan["subjects"])
        self.gravity = float(plan["gravity"])
        # balls held by a thrower (or resting at a kicker's foot) until the throw's release: id -> shot
        self.held = {s["id"]: dict(s["shot"]) for s in plan["subjects"] if s.get("shot", {}).get("by") is not None}
        self.released: set[int] = set()
        self.caught: set[int] = set()
        self._add_frame()
        for entry in plan.get("props", []):
            self._add_prop(entry)
        self.flyers: dict[int, tuple[dict, pymunk.Body]] = {}  # flying birds: their subject and kinematic body
        for subject in plan["subjects"]:
            if subject["motion"] in PHYSICAL_MOTIONS:
                self._add_subject(subject)
            elif has_limbs(subject):
                self._add_flyer(subject)
        self.space.on_collision(post_solve=self._post_solve)

    def _add_frame(self) -> None:
        w, f, t = self.world.width_m, self.world.floor_m, WALL_THICKNESS_M
        segments = {
            "floor": ((-t, f + t), (w + t, f + t)),
            "ceiling": ((-t, -t), (w + t, -t)),
            "wall_left": ((-t, -t), (-t, f + t)),
            "wall_right": ((w + t, -t), (w + t, f + t)),
        }
        for name, (a, b) in segments.items():
            segment = pymunk.Segment(self.space.static_body, a, b, t)
            segment.elasticity = 1.0
            segment.friction = 0.8
            segment.filter = pymunk.ShapeFilter(categories=_FRAME)
            self.space.add(segment)
            self.labels[id(segment)] = "wall" if name.startswith("wall") else name

    def _add_prop(self, entry: dict) -> None:
        """A prop's static parts (scenery.json): a ball meets the rim, the backboard, the table top; each
        impact is heard as the part's surface."""
        static = self.space.static_body
        for kind, geometry, part in physical_parts(entry, self.world.width_m, self.world.floor_m):
            if kind == "segment":
                ax, ay, bx, by, radius = geometry
                shape: pymunk.Shape = pymunk.Segment(static, (ax, ay), (bx, by), radius)
            elif kind == "circle":
                x, y, radius = geometry
                shape = pymunk.Circle(static, radius, offset=(x, y))
            else:
                left, top, right, bottom = geometry
                shape = pymunk.Poly(static, [(left, top), (right, top), (right, bottom), (left, bottom)])
            shape.elasticity = float(part.get("elasticity", 0.4))
            shape.friction = float(part.get("friction", 0.6))
            shape.filter = pymunk.ShapeFilter(categories=PROPS_CATEGORY)
            self.space.add(shape)
            self.labels[id(shape)] = part["surface"]

    def _add_subject(self, subject: dict) -> None:
        kind = subject["kind"]
        hw, hh = half_extents(kind, subject["size"])
        density = _DENSITY.get(kind, 1.0)
        if kind in CIRCLE_KINDS:
            mass = density * math.pi * hw * hw
            moment = pymunk.moment_for_circle(mass, 0, hw)
        else:
            mass = density * 4 * hw * hh
            moment = pymunk.moment_for_box(mass, (2 * hw, 2 * hh))
        if kind in UPRIGHT_KINDS:
            moment = math.inf
        body = pymunk.Body(mass, moment)
        x = min(max(subject["x"] * self.world.width_m, hw + 0.01), self.world.width_m - hw - 0.01)
        y = min(max(subject["y"] * self.world.height_m, hh + 0.01), self.world.floor_m - hh)
        body.position = (x, y)
        body.velocity = (subject["vx"], subject["vy"])
        if kind not in UPRIGHT_KINDS:
            body.angle = subject["angle"]
            body.angular_velocity = subject["spin"]
        if kind in CIRCLE_KINDS:
            shape: pymunk.Shape = pymunk.Circle(body, hw)
        else:
            rounding = min(hw, hh) * 0.08
            shape = pymunk.Poly.create_box(body, (2 * (hw - rounding), 2 * (hh - rounding)), radius=rounding)
        shape.elasticity = float(subject["elasticity"])
        shape.friction = float(subject["friction"])
        if subject.get("shot"):  # a shot flies past the people and animals in the scene to the rim or the goal
            shape.filter = pymunk.ShapeFilter(categories=_SHOT, mask=pymunk.ShapeFilter.ALL_MASKS() ^ _FIGURES)
        elif self.shot:
            shape.filter = pymunk.ShapeFilter(categories=_FIGURES)
        if has_limbs(subject) and subject.get("action") in ("walk", "run"):
            shape.filter = pymunk.ShapeFilter(categories=_WALKERS, mask=_FRAME)  # walkers pass one another
        self.space.add(body, shape)
        self.labels[id(shape)] = subject["id"]
        self.bodies[subject["id"]] = body
        self.shapes[subject["id"]] = shape
        if has_limbs(subject):
            self.figures[subject["id"]] = Figure(self.space, body, shape, subject)
            start_action(body, shape, subject)

    def _add_flyer(self, subject: dict) -> None:
        """A flying bird: a kinematic body that follows its path (:func:`kinematic_state`), its wings limbs
        beating on it."""
        body = pymunk.Body(body_type=pymunk.Body.KINEMATIC)
        x, y, _ = kinematic_state(subject, self.world, 0.0)
        body.position = (x, y)
        self.space.add(body)
        self.flyers[subject["id"]] = subject, body
        self.figures[subject["id"]] = Figure(self.space, body, None, subject)

    def _post_solve(self, arbiter: pymunk.Arbiter, space: pymunk.Space, data: object) -> None:
        if not arbiter.is_first_contact:
            return
        shape_a, shape_b = arbiter.shapes
        masses = [s.body.mass for s in (shape_a, shape_b) if s.body.body_type == pymunk.Body.DYNAMIC]
        if not masses:
            return
        effective_mass = masses[0] if len(masses) == 1 else masses[0] * masses[1] / (masses[0] + masses[1])
        dv = arbiter.total_impulse.length / effective_mass
        if dv < IMPACT_MIN_DV:
            return
        labels = (self.labels.get(id(shape_a)), self.labels.get(id(shape_b)))
        subjects = tuple(sorted(label for label in labels if isinstance(label, int)))
        surface = next((label for label in labels if isinstance(label, str)), None)
        key = (subjects, surface)
        if self.now - self._last_pair.get(key, -math.inf) < PAIR_DEBOUNCE_S:
            return
        self._last_pair[key] = self.now
        points = arbiter.contact_point_set.points
        where = points[0].point_a if points else shape_a.body.position
        strength = min(1.0, dv / IMPACT_FULL_DV)
        self.impacts.append((self.now, strength, subjects, surface, float(where.x), float(where.y)))

    def step(self) -> None:
        for ball_id, shot in self.held.items():
            self._hold_or_release(ball_id, shot)
            self._catch(ball_id, shot)
        for subject_id, (subject, body) in self.flyers.items():
            self._fly(subject, body, self.figures[subject_id])
        for subject_id, figure in self.figures.items():
            shape = self.shapes.get(subject_id)
            if shape is None:
                figure.control(self.now, False, (0.0, self.world.width_m), self.world.floor_m)
                continue
            on_ground = shape.bb.top >= self.world.floor_m - 0.03 or self._touching(shape)
            figure.control(self.now, on_ground, (0.0, self.world.width_m), self.world.floor_m)
            thud = land(figure, shape, on_ground, self.now)
            if thud is not None:
                where = shape.body.position
                self.impacts.append((self.now, thud, (subject_id,), "floor", float(where.x), float(self.world.floor_m)))
        self.space.step(1.0 / SIM_HZ)

    def _fly(self, subject: dict, body: pymunk.Body, figure: Figure) -> None:
        """Steer a flying bird's body along its path for the next step (wrapping round the frame at once)."""
        x, y, _ = kinematic_state(subject, self.world, self.now + 1.0 / SIM_HZ)
        if abs(x - body.position.x) > 1.0:
            figure.shift(x - body.position.x)
        body.velocity = ((x - body.position.x) * SIM_HZ, (y - body.position.y) * SIM_HZ)
        figure.turn(1.0 if subject["vx"] >= 0 else -1.0)

    def _hold_or_release(self, ball_id: int, shot: dict) -> None:
        """Before the release the ball moves with the thrower's hand (or rests at the kicker's foot); at the
        release it leaves from where it is with the velocity that carries it to the shot's target."""
        body, figure = self.bodies.get(ball_id), self.figures.get(shot["by"])
        if body is None or figure is None or ball_id in self.released:
            return
        if self.now < shot["release"]:
            if figure.action == "throw":
                position, velocity = hand(figure)
                body.position, body.velocity = position, velocity
            else:
                body.velocity = (0.0, body.velocity.y)
            return
        start = (float(body.position.x), float(body.position.y))
        catcher = self.figures.get(shot.get("to"))
        target = tuple(hand(catcher, front_side(catcher))[0]) if catcher is not None else tuple(shot["target"])
        body.velocity = launch_velocity(start, target, self.gravity, apex_m=shot["apex"])
        self.released.add(ball_id)

    def _catch(self, ball_id: int, shot: dict) -> None:
        """A thrown ball that reaches the catcher's hand stays in it (the catch is heard)."""
        body, catcher = self.bodies.get(ball_id), self.figures.get(shot.get("to"))
        if body is None or catcher is None or ball_id not in self.released:
            return
        position, velocity = hand(catcher, front_side(catcher))  # the hand on the side the ball comes from
        if ball_id not in self.caught:
            radius = self.shapes[ball_id].radius if isinstance(self.shapes[ball_id], pymunk.Circle) else 0.1
            if (body.position - position).length > radius + CATCH_REACH_M:
                return
            self.caught.add(ball_id)
            dv = (body.velocity - velocity).length
            self.impacts.append((self.now, min(1.0, dv / IMPACT_FULL_DV), (ball_id, shot["to"]), "hands",
                                 float(position.x), float(position.y)))
        body.position, body.velocity = position, velocity

    def _touching(self, shape: pymunk.Shape) -> bool:
        """Standing on something (a prop, a table): a contact below the body's middle."""
        below = False

        def visit(arbiter: pymunk.Arbiter) -> None:
            nonlocal below
            points = arbiter.contact_point_set.points
            if points and points[0].point_a.y > shape.body.position.y:
                below = True

        shape.body.each_arbiter(visit)
        return below

    def limit_speeds(self) -> None:
        for body in self.bodies.values():
            speed = body.velocity.length
            if speed > MAX_SPEED_M_S:
                body.velocity = body.velocity * (MAX_SPEED_M_S / speed)


def simulate(plan: dict, world: World, *, num_frames: int, fps: int) -> Trajectory:
    """Run the plan's physics and kinematic paths; sample one state per frame."""
    speed = float(plan.get("speed", 1.0))
    offset = float(plan.get("time_offset", 0.0))
    subjects = plan["subjects"]
    sim = _Simulation(plan, world)
    states = np.zeros((num_frames, len(subjects), 3), dtype=np.float64)
    boxes = np.zeros((num_frames, len(subjects), 4), dtype=np.float64)
    steps = 0

    def advance_to(sim_time: float) -> None:
        nonlocal steps
        target = int(round(sim_time * SIM_HZ))
        while steps < target:
            steps += 1
            sim.now = steps / SIM_HZ
            sim.step()
        sim.limit_speeds()

    figure_index = {j: s["id"] for j, s in enumerate(subjects) if s["id"] in sim.figures}
    limbs = {j: np.zeros((num_frames, 8, 4)) for j in figure_index}
    facing = {j: np.ones(num_frames) for j in figure_index}
    for i in range(num_frames):
        sim_time = offset + i / fps * speed
        advance_to(sim_time)
        for j, subject_id in figure_index.items():
            limbs[j][i] = sim.figures[subject_id].segments()
            facing[j][i] = sim.figures[subject_id].facing
        for j, subject in enumerate(subjects):
            if subject["id"] in sim.bodies:
                body = sim.bodies[subject["id"]]
                bb = sim.shapes[subject["id"]].bb
                states[i, j] = (body.position.x, body.position.y, body.angle)
                boxes[i, j] = (bb.left, bb.bottom, bb.right, bb.top)
            else:
                states[i, j] = kinematic_state(subject, world, sim_time)
                boxes[i, j] = _bounds(subject, states[i, j])
    advance_to(offset + num_frames / fps * speed)

    end = num_frames / fps
    impacts = []
    for t_sim, strength, ids, surface, x, y in sim.impacts:
        t_clip = (t_sim - offset) / speed
        if 0.0 <= t_clip < end:
            impacts.append(Impact(round(t_clip, 5), round(strength, 4), ids, surface, x, y))
    times = np.arange(num_frames) / fps
    return Trajectory(times, [s["id"] for s in subjects], states, boxes, impacts, steps, limbs, facing)


def kinematic_state(subject: dict, world: World, t: float) -> tuple[float, float, float]:
    """(x, y, angle) of an orbiting, flying or spinning subject at simulated time ``t``."""
    path = subject.get("path") or {}
    width, height = world.width_m, world.height_m
    x0, y0 = subject["x"] * width, subject["y"] * height
    spin_angle = subject["angle"] + subject["spin"] * t
    motion = subject["motion"]
    if motion == "orbit" and path:
        theta = path["phase"] + path["omega"] * t
        x = path["cx"] * width + path["radius"] * math.cos(theta)
        y = path["cy"] * height + path["radius"] * math.sin(theta)
        angle = 0.0 if subject["kind"] in UPRIGHT_KINDS else theta
        return x, y, angle
    bob = 0.0
    if path:
        bob = path["bob_amp"] * (math.sin(2 * math.pi * path["bob_freq"] * t + path["phase"]) - math.sin(path["phase"]))
    if motion == "fly":
        hw, _ = half_extents(subject["kind"], subject["size"])
        margin = hw + 0.2
        x = (x0 + subject["vx"] * t + margin) % (width + 2 * margin) - margin
        angle = 0.0 if subject["kind"] in UPRIGHT_KINDS else spin_angle
        return x, y0 + bob, angle
    return x0, y0 + bob, spin_angle


def _bounds(subject: dict, state: np.ndarray) -> tuple[float, float, float, float]:
    hw, hh = half_extents(subject["kind"], subject["size"])
    x, y, angle = state
    if subject["kind"] in CIRCLE_KINDS:
        ex, ey = hw, hh
    else:
        c, s = abs(math.cos(angle)), abs(math.sin(angle))
        ex, ey = hw * c + hh * s, hw * s + hh * c
    return x - ex, y - ey, x + ex, y + ey
