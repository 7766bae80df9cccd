"""Jointed figures in the preview: animals walk, run and gallop on legs, birds beat their wings, a cat leaps onto
the table, people walk to a bench and sit on it, a thrown ball is caught. Measured from the simulation (limb
segments, bodies, contacts), the renderer's frames and the decoded soundtrack."""

from __future__ import annotations

import numpy as np
import pytest

from generation.backends.base import GenerationRequest
from generation.backends.preview import PreviewBackend
from generation.backends.preview.figures import LIMBS
from generation.backends.preview.physics import simulate
from generation.backends.preview.remix import remix_plan
from generation.backends.preview.render import Renderer
from generation.backends.preview.rigs import BIRD_NAMES, LEG_NAMES, RIGS
from generation.backends.preview.scene import parse_prompt
from generation.backends.preview.scenery import top_of
from generation.backends.preview.world import World, half_extents

from .test_preview_backend import onset_times

FPS = 24
WORLD = World.for_aspect("16:9")


def _index(plan: dict, kind: str, action: str | None = None) -> int:
    return next(j for j, s in enumerate(plan["subjects"]) if s["kind"] == kind
                and (action is None or s.get("action") == action))


def _angle(segments: np.ndarray) -> np.ndarray:
    """Each segment's angle from straight down (radians, positive towards +x)."""
    return np.arctan2(segments[..., 2] - segments[..., 0], segments[..., 3] - segments[..., 1])


def _onto(prompt: str, kind: str, action: str, prop: str) -> tuple[dict, int, tuple[float, float, float]]:
    """The plan, the figure's index and the prop's top (x of its middle, y of its top, half its width)."""
    plan = parse_prompt(prompt, seed=5, world=WORLD)
    entry = next(p for p in plan["props"] if p["name"] == prop)
    x, top, half, _ = top_of(entry, WORLD.width_m, WORLD.floor_m)
    return plan, _index(plan, kind, action), (x, top, half)


def _heard_within_a_frame(prompt: str, t: float, *, duration: float = 2.5) -> None:
    request = GenerationRequest(job_id=1, kind="text", prompt=prompt, duration_s=duration, aspect="16:9", seed=5,
                                short_side=240)
    clip = PreviewBackend().generate(request, lambda step, total: None)
    times, _ = onset_times(clip.audio, clip.sample_rate)
    assert np.min(np.abs(times - t)) <= 1 / FPS, (t, times)


@pytest.mark.parametrize("kind, action, speed", [("dog", "walk", 1.1), ("cat", "run", 3.0), ("horse", "run", 5.0)])
def test_animals_walk_and_run_on_legs_that_alternate_and_reach_the_ground(kind, action, speed):
    plan = parse_prompt(f"a {kind} {action}s in the park", seed=5, world=WORLD)
    j = _index(plan, kind, action)
    trajectory = simulate(plan, WORLD, num_frames=FPS * 2, fps=FPS)
    steps = np.abs(np.diff(trajectory.states[:, j, 0])) * FPS
    assert np.median(steps) == pytest.approx(speed, rel=0.15)  # metres per second along the floor
    legs = trajectory.limbs[j]
    swing = _angle(legs[:, [LEG_NAMES.index("front_near"), LEG_NAMES.index("front_far"),
                            LEG_NAMES.index("hind_near")]])
    swing = swing - swing.mean(axis=0)
    together = np.corrcoef(swing[:, 0], swing[:, 1])[0, 1]
    if action == "walk":  # a walk: the two front legs in opposition, a hind leg with the opposite front leg
        assert together < -0.5 and np.corrcoef(swing[:, 2], swing[:, 1])[0, 1] > 0.5
    else:  # a gallop: the front legs nearly together, the hind pair half a stride later
        assert together > 0.5 and np.corrcoef(swing[:, 2], swing[:, 0])[0, 1] < -0.3
    assert np.ptp(swing[:, 0]) > 0.5  # radians of swing
    grounded = legs[:, 1::2, 3].max(axis=1) > WORLD.floor_m - 0.03  # a lower leg's end at the floor (3 cm)
    # a walk always has a foot down; a gallop has its moment of suspension (measured: a horse 90 % of frames,
    # a cat and a dog 100 %)
    assert grounded.mean() >= (1.0 if action == "walk" else 0.85), grounded.mean()
    # the legs are drawn: the pixels along each leg differ from the background
    renderer = Renderer(plan, WORLD, (640, 360), fps=FPS, num_frames=FPS * 2)
    frame = np.empty((360, 640, 3), np.uint8)
    renderer.draw(10, trajectory, frame)
    scale = renderer.px_per_m
    for segment in legs[10]:
        x, y = (segment[:2] + segment[2:]) / 2 * scale
        assert np.abs(frame[int(y), int(x)].astype(int) - renderer.background[int(y), int(x)]).sum() > 30


def test_a_flying_bird_beats_its_wings_and_they_reach_past_its_body():
    plan = parse_prompt("a bird flies over the forest", seed=5, world=WORLD)
    j = _index(plan, "bird")
    assert plan["subjects"][j]["motion"] == "fly"
    trajectory = simulate(plan, WORLD, num_frames=FPS * 2, fps=FPS)
    wing = trajectory.limbs[j][:, BIRD_NAMES.index("wing_near")]
    lift = wing[:, 1] - wing[:, 3]  # how far the wing's end is above its root
    beats = np.count_nonzero(np.diff(np.sign(lift - np.median(lift))) > 0)
    assert 6 <= beats <= 9, beats  # about 4 beats a second for 2 s
    radius = half_extents("bird", plan["subjects"][j]["size"])[0]
    tips = trajectory.limbs[j][:, BIRD_NAMES.index("wing_near_tip"), 2:4]
    reach = np.linalg.norm(tips - trajectory.states[:, j, :2], axis=1)
    assert reach.max() > 1.2 * radius  # the wings are seen beyond the body


def test_a_cat_leaps_onto_the_table_stays_there_and_the_landing_is_heard():
    prompt = "a cat jumps onto a table in the kitchen"
    plan, j, (x, top, half) = _onto(prompt, "cat", "jump", "table")
    assert plan["subjects"][j]["onto"]["prop"] == "table"
    start = plan["subjects"][j]["x"] * WORLD.width_m
    assert abs(start - x) > half  # it starts on the floor beside the table
    trajectory = simulate(plan, WORLD, num_frames=FPS * 3, fps=FPS)
    bottom = trajectory.boxes[:, j, 3]
    assert bottom[0] == pytest.approx(WORLD.floor_m, abs=0.03)
    assert bottom[-FPS:] == pytest.approx(top, abs=0.03)  # on the table top for the last second
    assert np.abs(trajectory.states[-FPS:, j, 0] - x).max() < half  # over it, not beside it
    landing = [i for i in trajectory.impacts if i.surface == "table" and plan["subjects"][j]["id"] in i.subjects]
    assert landing, trajectory.impacts
    off_top = np.flatnonzero(np.abs(bottom - top) >= 0.03)
    first_on_top = int(off_top[-1]) + 1  # from this frame on, it stands on the top
    assert abs(landing[0].t - first_on_top / FPS) <= 1 / FPS
    _heard_within_a_frame(prompt, landing[0].t)


def test_a_person_walks_to_the_bench_and_sits_on_it():
    plan, j, (x, top, half) = _onto("a man sits on the bench in the park", "person", "sit", "bench")
    trajectory = simulate(plan, WORLD, num_frames=FPS * 4, fps=FPS)
    assert abs(trajectory.states[0, j, 0] - x) > 0.5  # it starts away from the bench and walks there
    limbs = trajectory.limbs[j][-1]
    for side in ("l", "r"):
        thigh, shin = limbs[LIMBS.index(f"thigh_{side}")], limbs[LIMBS.index(f"shin_{side}")]
        assert thigh[1] == pytest.approx(top, abs=0.1)  # the hips on the seat
        assert abs(thigh[0] - x) < half
        assert abs(thigh[2] - thigh[0]) > 0.15  # the thighs reach forward over the seat
        assert shin[3] == pytest.approx(WORLD.floor_m, abs=0.1)  # the feet down at the floor
    assert np.ptp(trajectory.states[-FPS:, j, :2], axis=0).max() < 0.01  # and it stays seated


def test_a_person_who_sits_with_no_seat_sits_on_the_floor():
    plan = parse_prompt("a boy sits in the living room", seed=5, world=WORLD)
    j = _index(plan, "person", "sit")
    trajectory = simulate(plan, WORLD, num_frames=FPS * 2, fps=FPS)
    thigh = trajectory.limbs[j][-1, LIMBS.index("thigh_r")]
    assert thigh[1] == pytest.approx(WORLD.floor_m, abs=0.1)  # hips at the floor
    assert abs(thigh[3] - thigh[1]) < 0.1  # legs out along it


def test_an_animal_that_sits_on_a_bench_leaps_up_and_sits_leaning_back():
    plan, j, (x, top, half) = _onto("a cat sits on a bench in the park", "cat", "sit", "bench")
    trajectory = simulate(plan, WORLD, num_frames=FPS * 3, fps=FPS)
    lean = trajectory.states[-1, j, 2] * trajectory.facing[j][-1]
    assert lean == pytest.approx(-RIGS["cat"].sit_tilt, abs=0.05)  # its rear down, its head up
    hind = trajectory.limbs[j][-1, LEG_NAMES.index("hind_near")]
    assert hind[1] == pytest.approx(top, abs=0.12) and abs(hind[0] - x) < half  # sitting on the bench


def test_a_thrown_ball_is_caught_and_held_and_the_catch_is_heard():
    prompt = "a boy throws the ball to the girl in the park"
    plan = parse_prompt(prompt, seed=5, world=WORLD)
    ball = _index(plan, "ball")
    shot = plan["subjects"][ball]["shot"]
    thrower = next(j for j, s in enumerate(plan["subjects"]) if s["id"] == shot["by"])
    catcher = next(j for j, s in enumerate(plan["subjects"]) if s["id"] == shot["to"])
    assert plan["subjects"][catcher]["action"] == "catch" and plan["subjects"][thrower]["action"] == "throw"
    trajectory = simulate(plan, WORLD, num_frames=FPS * 3, fps=FPS)
    ball_at = trajectory.states[:, ball, :2]
    thrower_hand = trajectory.limbs[thrower][:, LIMBS.index("forearm_r"), 2:4]
    front = "r" if plan["subjects"][catcher]["facing"] > 0 else "l"  # the hand towards the thrower
    catcher_hand = trajectory.limbs[catcher][:, LIMBS.index(f"forearm_{front}"), 2:4]
    held = [i for i in range(1, FPS * 3) if i / FPS < shot["release"]]
    assert np.linalg.norm(ball_at[held] - thrower_hand[held], axis=1).max() < 0.02
    catch = [i for i in trajectory.impacts if i.surface == "hands"]
    assert len(catch) == 1, trajectory.impacts
    caught = int(np.ceil(catch[0].t * FPS))
    flight = range(held[-1] + 2, caught)
    assert len(flight) > FPS // 3  # it flew between them
    gaps = np.linalg.norm(ball_at[flight] - catcher_hand[flight], axis=1)
    assert (np.diff(gaps) < 0).all()  # straight to the catcher's hand
    assert np.linalg.norm(ball_at[caught:] - catcher_hand[caught:], axis=1).max() < 0.02  # and stays in the hand
    assert not [i for i in trajectory.impacts if i.surface == "floor" and ball in i.subjects]  # never dropped
    _heard_within_a_frame(prompt, catch[0].t)


def test_walkers_pass_one_another():
    plan = parse_prompt("a dog walks and a cat runs in the park, a woman walks", seed=5, world=WORLD)
    trajectory = simulate(plan, WORLD, num_frames=FPS * 3, fps=FPS)
    for j, subject in enumerate(plan["subjects"]):
        speed = RIGS[subject["kind"]].speed[subject["action"]]
        steps = np.abs(np.diff(trajectory.states[:, j, 0])) * FPS
        assert np.median(steps) == pytest.approx(speed, rel=0.15), subject["kind"]


def test_a_remix_changes_what_an_animal_does():
    parent = parse_prompt("a dog sits in the park", seed=5, world=WORLD)
    plan, changes = remix_plan(parent, "now the dog runs", seed=6, world=WORLD)
    j = _index(plan, "dog")
    assert plan["subjects"][j]["action"] == "run" and any("run" in change for change in changes)
    trajectory = simulate(plan, WORLD, num_frames=FPS * 2, fps=FPS)
    steps = np.abs(np.diff(trajectory.states[:, j, 0])) * FPS
    assert np.median(steps) == pytest.approx(RIGS["dog"].speed["run"], rel=0.15)


@pytest.mark.parametrize("prompt, expected", [
    ("le chat saute sur la table dans la cuisine", [("cat", "jump", "table")]),
    ("l'homme s'assoit sur le banc dans le parc", [("person", "sit", "bench")]),
    ("un garçon lance le ballon à la fille", [("person", "throw", None), ("ball", None, None),
                                             ("person", "catch", None)]),
    ("un cheval galope sur la plage", [("horse", "run", None)]),
])
def test_french_prompts_name_the_same_actions(prompt, expected):
    plan = parse_prompt(prompt, seed=5, world=WORLD)
    assert [(s["kind"], s.get("action"), (s.get("onto") or {}).get("prop")) for s in plan["subjects"]] == expected
