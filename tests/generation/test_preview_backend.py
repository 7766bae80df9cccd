"""The CPU preview backend end to end: physics, frames, sound, remix, cameo, extend, cancel.

Nothing here needs Django; the backend runs for real (pymunk, Pillow, Piper with the bundled voice).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from generation.backends.base import CameoRef, Clip, GenerationRequest, JobCancelled, ParentClip
from generation.backends.preview import PreviewBackend
from generation.backends.preview.cameo import face_crop
from generation.backends.preview.physics import simulate
from generation.backends.preview.scene import parse_prompt
from generation.backends.preview.world import World

ONSET_TOLERANCE_S = 0.042  # one frame at 24 fps


@pytest.fixture(scope="module")
def backend() -> PreviewBackend:
    return PreviewBackend()


def generate(backend: PreviewBackend, prompt: str, *, seed: int = 4, kind: str = "text", duration: float = 1.0,
             aspect: str = "9:16", short_side: int = 240, parent: ParentClip | None = None,
             cameos: list[CameoRef] | None = None, progress=None) -> Clip:
    request = GenerationRequest(job_id=1, kind=kind, prompt=prompt, duration_s=duration, aspect=aspect, seed=seed,
                                short_side=short_side, parent=parent, cameos=cameos or [])
    return backend.generate(request, progress or (lambda step, total: None))


def structure(frame: np.ndarray) -> np.ndarray:
    """Edge strength of the greyscale frame at 1/4 scale, normalised by its mean.

    Used to compare compositions: the same subjects and scenery in the same places give correlated edge
    maps even when the colour grading changes (night divides every pixel by a similar factor, which the
    normalisation removes), while two different scenes give edge maps that hardly correlate."""
    grey = frame.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    h, w = grey.shape[0] // 4 * 4, grey.shape[1] // 4 * 4
    small = grey[:h, :w].reshape(h // 4, 4, w // 4, 4).mean(axis=(1, 3))
    gx = np.abs(np.diff(small, axis=1))[:-1]
    gy = np.abs(np.diff(small, axis=0))[:, :-1]
    magnitude = np.hypot(gx, gy)
    return magnitude / (magnitude.mean() + 1e-6)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(structure(a).ravel(), structure(b).ravel())[0, 1])


def onset_times(audio: np.ndarray, sample_rate: int, *, hop: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Onsets from the decoded audio: peaks of the rise in short-time RMS. Returns (times, strengths)."""
    frames = len(audio) // hop
    rms = np.sqrt(np.mean(audio[: frames * hop].reshape(frames, hop).astype(np.float64) ** 2, axis=1))
    flux = np.maximum(0.0, np.diff(rms, prepend=0.0))
    threshold = 0.15 * flux.max()
    peaks = [k for k in range(1, frames - 1) if flux[k] > threshold and flux[k] >= flux[k - 1] and flux[k] > flux[k + 1]]
    return np.array(peaks) * hop / sample_rate, flux[peaks]


# --- physics ----------------------------------------------------------------------------------------------


def test_nothing_leaves_the_frame_or_sinks_into_the_floor_over_a_long_simulation() -> None:
    world = World.for_aspect("9:16")
    plan = parse_prompt("six bouncy balls, three cubes falling, a car driving, a dog and a cat", seed=3, world=world)
    trajectory = simulate(plan, world, num_frames=24 * 60, fps=24)
    left, top, right, bottom = (trajectory.boxes[..., k] for k in range(4))
    tolerance = 0.02  # metres (two pixels at 480 px across)
    assert bottom.max() <= world.floor_m + tolerance
    assert left.min() >= -tolerance and right.max() <= world.width_m + tolerance
    assert top.min() >= -tolerance
    assert len(trajectory.impacts) > 20
    assert {i.surface for i in trajectory.impacts} >= {"floor", "wall", None}


def test_zero_gravity_still_keeps_everything_inside() -> None:
    world = World.for_aspect("16:9")
    plan = parse_prompt("eight balls bouncing in space", seed=8, world=world)
    trajectory = simulate(plan, world, num_frames=24 * 40, fps=24)
    assert trajectory.boxes[..., 3].max() <= world.floor_m + 0.02
    assert trajectory.boxes[..., 1].min() >= -0.02
    assert trajectory.boxes[..., 0].min() >= -0.02 and trajectory.boxes[..., 2].max() <= world.width_m + 0.02


def test_collisions_are_recorded_with_time_and_strength_and_are_deterministic() -> None:
    world = World.for_aspect("9:16")
    plan = parse_prompt("a red ball bouncing", seed=1, world=world)
    first = simulate(plan, world, num_frames=24 * 4, fps=24)
    again = simulate(plan, world, num_frames=24 * 4, fps=24)
    assert first.impacts == again.impacts and np.array_equal(first.states, again.states)
    floor_hits = [i for i in first.impacts if i.surface == "floor"]
    assert floor_hits and 0 < floor_hits[0].t < 2.0
    assert all(0 < i.strength <= 1 for i in first.impacts)
    # a ball loses energy at every bounce: later floor hits are not harder than the first
    assert floor_hits[-1].strength <= floor_hits[0].strength
    # at the moment of the first floor hit the ball is touching the floor
    frame = int(round(floor_hits[0].t * 24))
    assert abs(first.boxes[frame, 0, 3] - world.floor_m) < 0.15
    other = simulate(parse_prompt("a red ball bouncing", seed=2, world=world), world, num_frames=24 * 4, fps=24)
    assert not np.array_equal(other.states, first.states)


# --- frames and sound -------------------------------------------------------------------------------------


@pytest.mark.parametrize("aspect,size", [("9:16", (480, 852)), ("16:9", (852, 480)), ("1:1", (480, 480))])
def test_frames_match_duration_and_aspect_and_audio_matches_frames(backend, aspect, size) -> None:
    clip = generate(backend, "a ball bouncing", aspect=aspect, duration=1.5, short_side=480)
    assert clip.frames.shape == (36, size[1], size[0], 3) and clip.frames.dtype == np.uint8
    assert clip.fps == 24 and clip.sample_rate == 22050
    assert clip.audio.dtype == np.float32 and clip.audio.ndim == 1
    assert abs(len(clip.audio) / clip.sample_rate - len(clip.frames) / clip.fps) <= 1 / clip.fps
    assert np.abs(clip.audio).max() <= 1.0
    assert clip.scene_plan["duration_s"] == pytest.approx(1.5)
    # plan, events and meta are stored with the job: they must survive JSON
    for value in (clip.scene_plan, clip.events, clip.meta):
        assert json.loads(json.dumps(value)) == value


def test_same_seed_same_clip_different_seed_different_clip(backend) -> None:
    a = generate(backend, "two balls and a cube bouncing in the park, it is raining", seed=10)
    b = generate(backend, "two balls and a cube bouncing in the park, it is raining", seed=10)
    c = generate(backend, "two balls and a cube bouncing in the park, it is raining", seed=11)
    assert np.array_equal(a.frames, b.frames) and np.array_equal(a.audio, b.audio)
    assert a.events == b.events
    assert not np.array_equal(a.frames, c.frames)


def test_impacts_are_heard_at_their_collision_times(backend) -> None:
    clip = generate(backend, "a big red ball bouncing in a room", seed=1, duration=3.0)
    impacts = [e for e in clip.events if e["type"] == "impact"]
    assert len(impacts) >= 2
    onsets, strengths = onset_times(clip.audio, clip.sample_rate)
    event_times = np.array([e["t"] for e in impacts])
    loudest = onsets[np.argsort(strengths)[::-1][:3]]
    for onset in loudest:
        assert np.min(np.abs(event_times - onset)) <= ONSET_TOLERANCE_S, (onset, event_times)
    for event in impacts:
        if event["strength"] >= 0.3 and event["t"] < 3.0 - 0.05:  # an onset needs a few ms of audio after it
            assert np.min(np.abs(onsets - event["t"])) <= ONSET_TOLERANCE_S, (event, onsets)


def test_ambience_stays_well_below_impacts(backend) -> None:
    clip = generate(backend, "a ball bouncing on the beach in the rain", seed=1, duration=3.0)
    hits = [e for e in clip.events if e["type"] == "impact" and e["strength"] > 0.5]
    assert hits
    sr = clip.sample_rate
    quiet = np.ones(len(clip.audio), bool)
    for e in clip.events:
        start = int(e["t"] * sr)
        quiet[max(0, start - sr // 20):start + sr // 3] = False
    loud = max(np.abs(clip.audio[int(e["t"] * sr):int(e["t"] * sr) + sr // 20]).max() for e in hits)
    ambience_rms = float(np.sqrt(np.mean(clip.audio[quiet] ** 2)))
    assert 0 < ambience_rms < loud / 8


def test_dialogue_is_spoken_during_its_caption(backend) -> None:
    line = "Hello there, nice to meet you."
    spoken = generate(backend, f'a bird flying in a room, "{line}"', seed=2, duration=3.0)
    silent = generate(backend, "a bird flying in a room", seed=2, duration=3.0)
    [event] = [e for e in spoken.events if e["type"] == "dialogue"]
    assert event["text"] == line and 0 < event["t"] < event["end"] <= 3.0
    sr = spoken.sample_rate
    window = slice(int(event["t"] * sr), int(event["end"] * sr))

    def rms(audio: np.ndarray) -> float:
        return float(np.sqrt(np.mean(audio[window] ** 2)))

    assert rms(spoken.audio) > 4 * rms(silent.audio)
    # the caption is on screen while the line is spoken, and only then
    height = spoken.frames.shape[1]
    during = int((event["t"] + event["end"]) / 2 * 24)
    after = min(len(spoken.frames) - 1, int(event["end"] * 24) + 2)
    bottom = slice(int(height * 0.75), height)
    assert not np.array_equal(spoken.frames[during, bottom], silent.frames[during, bottom])
    assert np.array_equal(spoken.frames[0], silent.frames[0])
    if after / 24 >= event["end"]:
        assert np.array_equal(spoken.frames[after], silent.frames[after])


def test_dialogue_lines_do_not_overlap(backend) -> None:
    clip = generate(backend, '"One." "Two, three." the dog says "Four!"', seed=2, duration=4.0)
    lines = [e for e in clip.events if e["type"] == "dialogue"]
    assert [e["text"] for e in lines] == ["One.", "Two, three.", "Four!"]
    assert lines[-1]["speaker"] == "dog"
    for earlier, later in zip(lines, lines[1:]):
        assert earlier["end"] <= later["t"]


def test_night_is_darker_than_day(backend) -> None:
    day = generate(backend, "a cube falling in the park", seed=3)
    night = generate(backend, "a cube falling in the park at night", seed=3)
    assert night.frames.mean() < 0.6 * day.frames.mean()
    sunset = generate(backend, "a cube falling in the park at sunset", seed=3)

    def warmth(clip: Clip) -> float:
        return float(clip.frames[..., 0].mean() - clip.frames[..., 2].mean())

    assert warmth(sunset) > warmth(day) + 20


def test_camera_moves_change_the_view_over_time(backend) -> None:
    static = generate(backend, "a ball in a room", seed=5)
    zoom = generate(backend, "a ball in a room, zoom in", seed=5)
    assert np.array_equal(static.frames[0], zoom.frames[0])  # a zoom starts from the full view
    assert not np.array_equal(static.frames[-1], zoom.frames[-1])


# --- remix, extend, cameo ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parent_clip(backend) -> Clip:
    return generate(backend, "a blue ball bouncing on the beach", seed=4)


def remix(backend, parent: Clip, prompt: str, *, kind: str = "remix", seed: int = 99) -> Clip:
    return generate(backend, prompt, kind=kind, seed=seed, parent=ParentClip(1, parent.scene_plan, None, 4))


def test_remix_keeps_the_composition_and_recolours_the_ball(backend, parent_clip) -> None:
    red = remix(backend, parent_clip, "make the ball red")
    unrelated = [generate(backend, p, seed=5) for p in ("a green car in the city", "two cats in a kitchen",
                                                         "a blue ball bouncing in a forest")]
    same = similarity(parent_clip.frames[0], red.frames[0])
    assert same > 0.99
    assert max(similarity(parent_clip.frames[0], u.frames[0]) for u in unrelated) < 0.5
    changed = np.abs(parent_clip.frames[0].astype(int) - red.frames[0].astype(int)).sum(axis=-1) > 60
    assert changed.sum() > 200  # the ball
    r, g, b = red.frames[0][changed].mean(axis=0)
    assert r > g + 60 and r > b + 60
    pr, pg, pb = parent_clip.frames[0][changed].mean(axis=0)
    assert pb > pr + 60


def test_night_remix_is_darker_but_keeps_the_layout(backend, parent_clip) -> None:
    night = remix(backend, parent_clip, "at night")
    unrelated = [generate(backend, p, seed=5) for p in ("a green car in the city", "two cats in a kitchen")]
    assert night.frames[0].mean() < 0.5 * parent_clip.frames[0].mean()
    kept = similarity(parent_clip.frames[0], night.frames[0])
    assert kept > max(similarity(parent_clip.frames[0], u.frames[0]) for u in unrelated) + 0.2
    assert night.scene_plan["subjects"] == parent_clip.scene_plan["subjects"]


def test_slow_motion_remix_replays_the_same_physics_at_half_speed(backend, parent_clip) -> None:
    slow = remix(backend, parent_clip, "in slow motion")
    for k in range(0, len(parent_clip.frames) // 2, 3):
        assert np.array_equal(slow.frames[2 * k], parent_clip.frames[k])


def test_remix_adds_a_second_ball(backend, parent_clip) -> None:
    two = remix(backend, parent_clip, "add a second ball")
    assert [s["kind"] for s in two.scene_plan["subjects"]] == ["ball", "ball"]
    assert two.scene_plan["subjects"][0] == parent_clip.scene_plan["subjects"][0]


def test_extend_continues_where_the_parent_ended(backend, parent_clip) -> None:
    more = remix(backend, parent_clip, "keep going", kind="extend")
    assert more.scene_plan["time_offset"] == pytest.approx(1.0)
    # the extension's first frame is exactly the frame the parent would have shown next
    longer = generate(backend, "a blue ball bouncing on the beach", seed=4, duration=25 / 24)
    assert np.array_equal(longer.frames[24], more.frames[0])
    assert not np.array_equal(parent_clip.frames[0], more.frames[0])


def test_remix_without_a_parent_is_a_readable_error(backend) -> None:
    from generation.backends.base import BackendError

    with pytest.raises(BackendError, match="needs the clip"):
        generate(backend, "make it red", kind="remix")


@pytest.fixture(scope="module")
def astronaut_path(tmp_path_factory) -> str:
    from skimage import data

    path = tmp_path_factory.mktemp("cameo") / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    return str(path)


def test_person_cameo_shows_the_reference_face(backend, astronaut_path) -> None:
    cameo = CameoRef(id=5, name="Eileen", kind="person", reference_image=astronaut_path)
    plain = generate(backend, "a person jumping in a room", seed=6, short_side=480)
    starring = generate(backend, "a person jumping in a room", seed=6, short_side=480, cameos=[cameo])
    assert starring.meta["cameos"] == {"5": "haar"}
    assert [s["cameo_id"] for s in starring.scene_plan["subjects"]] == [5]
    changed = np.abs(plain.frames[0].astype(int) - starring.frames[0].astype(int)).sum(axis=-1) > 40
    ys, xs = np.nonzero(changed)
    assert 0 < changed.mean() < 0.05  # only the head changed
    # the changed region looks like the detected face: compare it with the crop resized onto it
    box = starring.frames[0][ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)
    face, _ = face_crop(Image.open(astronaut_path).convert("RGB"))
    face = np.asarray(face.resize((box.shape[1], box.shape[0])), np.float32)
    inside = changed[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    grey_box = box[inside] @ np.array([0.299, 0.587, 0.114], np.float32)
    grey_face = face[inside] @ np.array([0.299, 0.587, 0.114], np.float32)
    assert np.corrcoef(grey_box, grey_face)[0, 1] > 0.5


def test_character_cameo_joins_the_scene_with_its_whole_image(backend, tmp_path) -> None:
    from skimage import data

    path = tmp_path / "cat.png"
    Image.fromarray(data.chelsea()).save(path)
    clip = generate(backend, "a ball bouncing in the park", seed=6,
                    cameos=[CameoRef(id=9, name="Chelsea", kind="character", reference_image=str(path))])
    assert clip.meta["cameos"] == {"9": "whole"}
    assert [(s["kind"], s["cameo_id"]) for s in clip.scene_plan["subjects"]] == [("ball", None), ("character", 9)]


def test_remix_without_the_cameo_permission_drops_the_face(backend, astronaut_path) -> None:
    cameo = CameoRef(id=5, name="Eileen", kind="person", reference_image=astronaut_path)
    starring = generate(backend, "a person jumping in a room", seed=6, cameos=[cameo])
    remixed = generate(backend, "at night", kind="remix", seed=6, parent=ParentClip(2, starring.scene_plan, None, 6))
    assert [s["cameo_id"] for s in remixed.scene_plan["subjects"]] == [None]
    assert remixed.meta["cameos"] == {}


# --- progress and cancel ----------------------------------------------------------------------------------


def test_progress_is_reported_up_to_the_total(backend) -> None:
    calls: list[tuple[int, int]] = []
    clip = generate(backend, 'a ball, "hi"', duration=1.0, progress=lambda step, total: calls.append((step, total)))
    total = calls[0][1]
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [step for step, _ in calls] == list(range(total + 1))
    assert total >= len(clip.frames)


def test_cancel_at_step_five_stops_generation(backend) -> None:
    calls: list[int] = []

    def cancel_at_five(step: int, total: int) -> None:
        calls.append(step)
        if step == 5:
            raise JobCancelled("cancelled by its owner")

    with pytest.raises(JobCancelled):
        generate(backend, "three balls bouncing", duration=10.0, progress=cancel_at_five)
    assert calls == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("french, english", [
    ("un ballon rouge rebondit dans une cuisine", "a red ball bounces in a kitchen"),
    ("la nuit, deux chats jouent sous la pluie", "two cats playing in the rain at night"),
    ("trois grosses boîtes bleues tombent sur la plage au coucher du soleil, au ralenti",
     "three big blue boxes falling on the beach at sunset, in slow motion"),
])
def test_a_french_prompt_makes_the_scene_its_english_twin_makes(backend, french, english) -> None:
    world = World.for_aspect("9:16")
    plan_fr, plan_en = parse_prompt(french, seed=3, world=world), parse_prompt(english, seed=3, world=world)
    strip = {"prompt", "history"}
    assert {k: v for k, v in plan_fr.items() if k not in strip} == {k: v for k, v in plan_en.items() if k not in strip}
    assert np.array_equal(generate(backend, french, seed=3).frames, generate(backend, english, seed=3).frames)


def test_french_scenes_read_from_the_plan_and_the_frames(backend) -> None:
    world = World.for_aspect("9:16")
    kitchen = parse_prompt("un ballon rouge rebondit dans une cuisine", seed=2, world=world)
    assert kitchen["setting"] == "kitchen"
    assert [(s["kind"], s["color"], s["motion"]) for s in kitchen["subjects"]] == [("ball", "red", "bounce")]
    night = parse_prompt("la nuit, deux chats jouent sous la pluie", seed=2, world=world)
    assert (night["lighting"], night["weather"]) == ("night", "rain")
    assert [s["kind"] for s in night["subjects"]] == ["cat", "cat"]
    day = generate(backend, "deux chats jouent dans une pièce", seed=2)
    dark = generate(backend, "la nuit, deux chats jouent sous la pluie", seed=2)
    assert dark.frames.mean() < 0.6 * day.frames.mean()
    red = generate(backend, "un ballon rouge rebondit dans une cuisine", seed=2).frames[0].astype(int)
    reddish = (red[..., 0] > 150) & (red[..., 1] < 90) & (red[..., 2] < 90)
    assert reddish.sum() > 200  # the red ball is drawn
