"""The preview backend's prompt -> scene plan parser and remix edits (no Django, no rendering)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from generation.backends.base import CameoRef
from generation.backends.preview.cameo_plan import attach_cameos, release_cameos
from generation.backends.preview.remix import remix_plan
from generation.backends.preview.scene import extract_dialogue, parse_prompt
from generation.backends.preview.world import World, half_extents

WORLD = World.for_aspect("9:16")


def kinds(plan: dict) -> list[tuple[str, str, str]]:
    return [(s["kind"], s["color"], s["motion"]) for s in plan["subjects"]]


# prompt -> expected plan fields (subjects as sorted (kind, colour or None, motion) triples)
PARSER_TABLE = [
    ("asdf", {"setting": "room", "lighting": "day", "weather": "none", "camera": "static"},
     [("ball", None, "bounce")]),
    ("two red balls bouncing on the beach", {"setting": "beach"},
     [("ball", "red", "bounce"), ("ball", "red", "bounce")]),
    ("a blue cube", {"setting": "room"}, [("box", "blue", "fall")]),
    ("a cat in the kitchen at night", {"setting": "kitchen", "lighting": "night"}, [("cat", None, "bounce")]),
    ("a dog running through the city in the rain, camera pans left",
     {"setting": "city", "weather": "rain", "camera": "pan_left"}, [("dog", None, "roll")]),  # it runs on its legs
    ("three yellow birds flying over the forest at sunset", {"setting": "forest", "lighting": "sunset"},
     [("bird", "yellow", "fly")] * 3),
    ("a green car driving across the desert at dawn, zoom out",
     {"setting": "desert", "lighting": "dawn", "camera": "zoom_out"}, [("car", "green", "roll")]),
    ("a ball orbiting in outer space", {"setting": "space", "gravity": 0.0}, [("ball", None, "orbit")]),
    ("a purple box spinning in a foggy park", {"setting": "park", "weather": "fog"}, [("box", "purple", "spin")]),
    ("a puppy on a snow field while it is snowing, shaky camera",
     {"setting": "snowfield", "weather": "snow", "camera": "shake"}, [("dog", None, "bounce")]),
    ("birds over a snowy field", {"setting": "snowfield", "weather": "none"}, [("bird", None, "fly")] * 3),
    ("a dog in the snow", {"setting": "snowfield", "weather": "snow"}, [("dog", None, "bounce")]),
    ("a red ball rolling and a blue cube falling in slow motion", {"speed": 0.5},
     [("ball", "red", "roll"), ("box", "blue", "fall")]),
    ("a fish swimming in the ocean, zoom in", {"setting": "ocean", "camera": "zoom_in"}, [("fish", None, "fly")]),
    ("five marbles dropping on the moon", {"setting": "space", "gravity": 1.62}, [("ball", None, "fall")] * 5),
    ("a big orange ball and a tiny white ball bouncing", {},
     [("ball", "orange", "bounce"), ("ball", "white", "bounce")]),
    ("the cat says \"I am hungry\" in the living room", {"setting": "room"}, [("cat", None, "bounce")]),
]


@pytest.mark.parametrize("prompt,fields,subjects", PARSER_TABLE, ids=[row[0][:40] for row in PARSER_TABLE])
def test_parser_table(prompt: str, fields: dict, subjects: list) -> None:
    plan = parse_prompt(prompt, seed=7, world=WORLD)
    for name, value in fields.items():
        assert plan[name] == value, (name, plan[name])
    got = plan["subjects"]
    assert sorted((s["kind"], s["motion"]) for s in got) == sorted((kind, motion) for kind, _, motion in subjects)
    wanted_colors = Counter(color for _, color, _ in subjects if color)
    assert not wanted_colors - Counter(s["color"] for s in got)


def test_nonsense_prompt_gets_a_default_scene_and_says_so() -> None:
    plan = parse_prompt("qwzx plorp", seed=1, world=WORLD)
    assert kinds(plan)[0][0] == "ball" and kinds(plan)[0][2] == "bounce"
    assert len(plan["subjects"]) == 1
    assert {"setting", "subjects", "lighting", "weather", "camera"} <= set(plan["defaults"])


def test_quoted_dialogue_lines_with_speakers() -> None:
    lines, rest = extract_dialogue('the cat says "Hello there." Then "Anyone home?" Bob: "Yes!" and "Woof," said the puppy')
    assert [line["text"] for line in lines] == ["Hello there.", "Anyone home?", "Yes!", "Woof,"]
    assert [line["speaker"] for line in lines] == ["cat", None, "Bob", "dog"]
    assert "Hello" not in rest and "Anyone" not in rest


def test_words_inside_dialogue_do_not_change_the_scene() -> None:
    plan = parse_prompt('a blue ball in a room, "I love red cars at night"', seed=3, world=WORLD)
    assert kinds(plan) == [("ball", "blue", "bounce")]
    assert plan["lighting"] == "day"
    assert [(line["text"], line["speaker"]) for line in plan["dialogue"]] == [("I love red cars at night", None)]


def test_the_same_subject_named_again_is_not_duplicated() -> None:
    plan = parse_prompt('two red balls bouncing, the ball says "hi"', seed=3, world=WORLD)
    assert len(plan["subjects"]) == 2


def test_plan_is_json_serialisable_and_deterministic_for_a_seed() -> None:
    prompt = "three balls and two cubes bouncing in the park at sunset, \"look!\""
    plan = parse_prompt(prompt, seed=11, world=WORLD)
    assert json.loads(json.dumps(plan)) == plan
    assert parse_prompt(prompt, seed=11, world=WORLD) == plan
    other = parse_prompt(prompt, seed=12, world=WORLD)
    assert [(s["x"], s["y"]) for s in other["subjects"]] != [(s["x"], s["y"]) for s in plan["subjects"]]


def test_subjects_start_inside_the_frame_and_above_the_floor() -> None:
    plan = parse_prompt("twelve balls, a car, two dogs and a person bouncing", seed=5, world=WORLD)
    assert len(plan["subjects"]) == 12  # capped
    for subject in plan["subjects"]:
        hw, hh = half_extents(subject["kind"], subject["size"])
        x, y = subject["x"] * WORLD.width_m, subject["y"] * WORLD.height_m
        assert hw <= x <= WORLD.width_m - hw + 1e-6
        assert y + hh <= WORLD.floor_m + 1e-6


# --- remix edits ------------------------------------------------------------------------------------------


@pytest.fixture()
def parent() -> dict:
    return parse_prompt('a blue ball and a green cube bouncing on the beach, "hi"', seed=21, world=WORLD)


def test_remix_changes_only_what_it_names(parent: dict) -> None:
    plan, changes = remix_plan(parent, "at night in the rain", seed=99, world=WORLD)
    assert (plan["lighting"], plan["weather"]) == ("night", "rain")
    assert plan["subjects"] == parent["subjects"]
    assert plan["seed"] == parent["seed"]
    assert plan["dialogue"] == parent["dialogue"]
    assert len(changes) == 2
    assert plan["history"] == [parent["prompt"], "at night in the rain"]


def test_remix_recolours_the_named_subject(parent: dict) -> None:
    plan, _ = remix_plan(parent, "make the ball red", seed=99, world=WORLD)
    ball, cube = plan["subjects"]
    assert ball["color"] == "red" and ball["rgb"] == [214, 48, 49]
    assert cube["color"] == parent["subjects"][1]["color"]
    assert (ball["x"], ball["y"]) == (parent["subjects"][0]["x"], parent["subjects"][0]["y"])


def test_remix_adds_a_second_ball_and_keeps_the_first(parent: dict) -> None:
    plan, changes = remix_plan(parent, "add a second ball", seed=99, world=WORLD)
    assert len(plan["subjects"]) == 3
    assert plan["subjects"][:2] == parent["subjects"]
    assert plan["subjects"][2]["kind"] == "ball"
    assert changes == ["added 1 ball"]


def test_remix_in_space_turns_gravity_off(parent: dict) -> None:
    plan, _ = remix_plan(parent, "in space", seed=1, world=WORLD)
    assert plan["setting"] == "space" and plan["gravity"] == 0.0
    back, _ = remix_plan(plan, "on the beach", seed=1, world=WORLD)
    assert back["gravity"] == pytest.approx(9.81)


def test_remix_slow_motion_snowing_remove_replace_and_motion(parent: dict) -> None:
    plan, _ = remix_plan(parent, "slow motion, snowing", seed=1, world=WORLD)
    assert plan["speed"] == 0.5 and plan["weather"] == "snow" and plan["setting"] == "beach"
    plan, _ = remix_plan(parent, "remove the cube", seed=1, world=WORLD)
    assert kinds(plan) == [("ball", "blue", "bounce")]
    plan, _ = remix_plan(parent, "turn the ball into a cat", seed=1, world=WORLD)
    assert plan["subjects"][0]["kind"] == "cat" and plan["subjects"][0]["x"] == parent["subjects"][0]["x"]
    plan, _ = remix_plan(parent, "make the cube spin", seed=1, world=WORLD)
    assert [s["motion"] for s in plan["subjects"]] == ["bounce", "spin"]
    plan, _ = remix_plan(parent, 'make them fly, "bye"', seed=1, world=WORLD)
    assert [s["motion"] for s in plan["subjects"]] == ["fly", "fly"]
    assert [(line["text"], line["speaker"]) for line in plan["dialogue"]] == [("bye", None)]


def test_remix_that_names_nothing_keeps_the_plan(parent: dict) -> None:
    plan, changes = remix_plan(parent, "make it better", seed=1, world=WORLD)
    assert changes == []
    assert plan["not_understood"] == ["better"]  # what the remix's own words did not say to the preview
    assert {k: v for k, v in plan.items() if k not in ("prompt", "history", "not_understood")} == {
        k: v for k, v in parent.items() if k not in ("prompt", "history", "not_understood")}


def test_cameos_attach_and_are_released_without_consent() -> None:
    plan = parse_prompt("a person jumping in the park", seed=2, world=WORLD)
    person = CameoRef(id=5, name="Ann", kind="person", reference_image="unused.png")
    pet = CameoRef(id=6, name="Rex", kind="character", reference_image="unused.png")
    attach_cameos(plan, [person, pet], world=WORLD, seed=2)
    assert [(s["kind"], s["cameo_id"]) for s in plan["subjects"]] == [("person", 5), ("character", 6)]
    changes = release_cameos(plan, allowed_ids=[])
    assert [(s["kind"], s["cameo_id"]) for s in plan["subjects"]] == [("person", None)]
    assert len(changes) == 2


@pytest.mark.parametrize("edit, expected", [
    ("le ballon devient bleu", [("ball", "blue"), ("cat", "black")]),
    ("peins le chat en jaune", [("ball", "red"), ("cat", "yellow")]),
    ("enlève le chat", [("ball", "red")]),
    ("remplace le chat par un chien blanc", [("ball", "red"), ("dog", "white")]),
    ("ajoute deux chiens noirs", [("ball", "red"), ("cat", "black"), ("dog", "black"), ("dog", "black")]),
    ("transforme le ballon en voiture", [("car", "red"), ("cat", "black")]),
])
def test_remix_edits_in_french(edit: str, expected: list) -> None:
    world = World.for_aspect("9:16")
    parent = parse_prompt("un ballon rouge et un chat noir dans une cuisine", seed=1, world=world)
    plan, changes = remix_plan(parent, edit, seed=2, world=world)
    assert [(s["kind"], s["color"]) for s in plan["subjects"]] == expected, changes
    assert plan["setting"] == "kitchen" and changes


def test_french_remix_of_light_weather_and_size() -> None:
    world = World.for_aspect("9:16")
    parent = parse_prompt("un ballon rouge dans une cuisine", seed=1, world=world)
    plan, _ = remix_plan(parent, "la nuit, sous la neige, et le ballon est beaucoup plus grand", seed=2, world=world)
    assert (plan["lighting"], plan["weather"]) == ("night", "snow")
    assert plan["subjects"][0]["size"] == pytest.approx(parent["subjects"][0]["size"] * 1.5, abs=1e-3)
