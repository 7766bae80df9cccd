"""Prompt -> scene plan.

A scene plan is a plain, JSON-serialisable dict. It is kept with the job so a remix or an extension can start
from it. Schema (version 1)::

    {
      "version": 1,
      "prompt": str,                 # the prompt that produced this plan (the latest one for remixes)
      "history": [str, ...],         # every prompt applied, oldest first
      "seed": int,                   # drives placement, weather particles, ambience
      "setting": one of vocab.SETTINGS,  # the base painter
      "place": str,                  # the place named (scenery.json: its decor; "room" etc. for a bare setting)
      "style": one of scenery.STYLES,
      "framing": None | one of base.FRAMINGS,  # a framing the prompt names ("close-up of", "tracking shot")
      "props": [prop, ...],          # {"name", "x", "mirrored", "label"} (scenery.arrange); "generic" + label
      "understood": {...},           # what the prompt named that the preview shows (see understanding())
      "not_understood": [str, ...],  # words the preview did not know
      "lighting": one of vocab.LIGHTINGS,
      "weather": one of vocab.WEATHERS,
      "camera": one of vocab.CAMERAS,
      "speed": float,                # playback speed of the simulation (0.5 = slow motion)
      "gravity": float,              # m/s^2, downwards
      "subjects": [subject, ...],
      "dialogue": [line, ...],       # see dialogue.extract_dialogue
      "cast": {speaker: voice name}, # who speaks with which catalogue voice (kept by remixes)
      "time_offset": float,          # simulated seconds before this clip starts (extensions continue it)
      "duration_s": float | None,    # set by the backend once rendered
      "defaults": [str, ...],        # fields the prompt did not mention
    }

    subject = {
      "id": int, "kind": one of vocab.KINDS, "color": str, "rgb": [r, g, b], "size": float (metres),
      "motion": one of vocab.MOTIONS,
      "x": float, "y": float,        # start position, fractions of the frame width / height
      "vx": float, "vy": float,      # start velocity, m/s
      "angle": float, "spin": float, # start angle (rad) and angular velocity (rad/s)
      "elasticity": float, "friction": float,
      "path": None | {...},          # kinematic motions: orbit {cx, cy, radius, omega, phase};
                                     # fly / spin {bob_amp, bob_freq, phase}
      "cameo_id": int | None, "name": str | None,
      # people and animals (rigs.RIGS): "action": one of figures.ACTIONS, "facing": 1 | -1 (figures.py moves
      # their limbs); "onto": {"prop", "x", "y", "leap"} a prop they walk or leap onto (staging.plan_onto);
      # a shot ball: "shot": {"at", "miss", "target", "apex", "by" (thrower id), "release" (s)} (staging.py)
    }

Parsing is deterministic: the same prompt and seed give the same plan, and unknown prompts fall back to a
default scene (one bouncing ball in a room).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from . import scenery, vocab
from .dialogue import extract_dialogue
from .rigs import RIGS
from .staging import finish_plan, unknown_nouns
from .words import blank, normalize, scan_scene_words, tokenize
from .world import UPRIGHT_KINDS, World, half_extents

PLAN_VERSION = 1
MAX_SUBJECTS = 12
_NP_WINDOW = 4  # how many words before a noun may still modify it



@dataclass
class NounPhrase:
    kind: str
    count: int
    color: str | None
    size_factor: float
    index: int  # token index of the noun
    definite: bool = False  # "the ball": refers to a subject already mentioned, if there is one


# Subjects


def noun_phrases(tokens: list[str]) -> list[NounPhrase]:
    phrases: list[NounPhrase] = []
    previous_noun = -1
    for index, token in enumerate(tokens):
        kind = vocab.NOUNS.get(token)
        if kind is None:
            continue
        if index + 1 < len(tokens) and tokens[index + 1] in vocab.NOUNS and token not in vocab.FRENCH_NOUNS:
            continue  # "a basketball player", "a dog walker": the last noun is the thing
        count: int | None = None
        color = vocab.NOUN_COLORS.get(token)
        base = size = vocab.CHILD_SIZE if token in vocab.CHILD_WORDS else 1.0  # children are smaller figures
        modifiers = tokens[max(previous_noun + 1, index - _NP_WINDOW):index]
        definite = any(m in _DEFINITE for m in modifiers)
        if token in vocab.FRENCH_NOUNS:  # "un ballon rouge", "deux gros chats noirs": adjectives after the noun too
            modifiers = modifiers + _following_adjectives(tokens, index)
        for word in modifiers:
            if word.isdigit():
                count = int(word)
            elif word == "more" and count is not None:
                continue  # "three more balls": the number counts, not "more"
            elif word in vocab.COUNT_WORDS:
                count = vocab.COUNT_WORDS[word]
            elif word in vocab.COLORS:
                color = word
            elif word in vocab.COLOR_ALIASES:
                color = vocab.COLOR_ALIASES[word]
            elif word in vocab.SIZE_WORDS:
                size = base * vocab.SIZE_WORDS[word]
        definite = definite and count is None
        if count is None:
            count = 3 if token in vocab.PLURAL_NOUNS else 1
        phrases.append(NounPhrase(kind, max(1, min(count, MAX_SUBJECTS)), color, size, index, definite))
        previous_noun = index
    return phrases


_DEFINITE = frozenset({"the", "this", "that", "le", "la", "les", "l", "ce", "cet", "cette", "ces"})


def _following_adjectives(tokens: list[str], index: int) -> list[str]:
    """Colour and size words right after a French noun (up to two)."""
    out = []
    for word in tokens[index + 1:index + 3]:
        if word in vocab.COLOR_ALIASES or word in vocab.COLORS or word in vocab.SIZE_WORDS:
            out.append(word)
        else:
            break
    return out


def _motion_for(phrases: list[NounPhrase], i: int, tokens: list[str], global_motion: str | None) -> str:
    """The verb after the noun (before the next noun), else the verb just before it, else any verb."""
    start = phrases[i].index
    end = phrases[i + 1].index if i + 1 < len(phrases) else len(tokens)
    for token in tokens[start + 1:end]:
        if token in vocab.MOTION_WORDS:
            return vocab.MOTION_WORDS[token]
    previous = phrases[i - 1].index if i > 0 else -1
    for token in reversed(tokens[previous + 1:start]):
        if token in vocab.MOTION_WORDS:
            return vocab.MOTION_WORDS[token]
    return global_motion or vocab.DEFAULT_MOTION[phrases[i].kind]


ACTING_KINDS = frozenset(RIGS)  # people and animals do what the prompt says (figures.py)


def action_for(phrases: list[NounPhrase], i: int, tokens: list[str]) -> str | None:
    """What a person does (figures.ACTIONS): the action word after the noun, before the next noun ("a ball
    bouncing, the girl says" is the ball's bounce, not the girl's)."""
    start = phrases[i].index
    end = phrases[i + 1].index if i + 1 < len(phrases) else len(tokens)
    for token in tokens[start + 1:end]:
        if token in scenery.ACTION_WORDS:
            return scenery.ACTION_WORDS[token]
    return None


def first_motion(tokens: Iterable[str]) -> str | None:
    for token in tokens:
        if token in vocab.MOTION_WORDS:
            return vocab.MOTION_WORDS[token]
    return None


def new_subject(
    *,
    subject_id: int,
    kind: str,
    motion: str,
    rng: np.random.Generator,
    color: str | None = None,
    size_factor: float = 1.0,
    bouncy: bool = False,
) -> dict:
    """A subject with its look and material; call :func:`place_subject` to give it a start state."""
    if color is None:
        palette = vocab.DEFAULT_COLORS[kind]
        color = palette[int(rng.integers(len(palette)))]
    subject = {
        "id": subject_id,
        "kind": kind,
        "color": color,
        "rgb": list(vocab.COLORS[color]),
        "size": round(vocab.BASE_SIZE[kind] * size_factor, 4),
        "motion": motion,
        "x": 0.5, "y": 0.5, "vx": 0.0, "vy": 0.0, "angle": 0.0, "spin": 0.0,
        "elasticity": 0.0,
        "friction": 0.7,
        "path": None,
        "cameo_id": None,
        "name": None,
    }
    set_material(subject, bouncy=bouncy)
    return subject


def set_material(subject: dict, *, bouncy: bool = False) -> None:
    base = {"bounce": 0.82, "fall": 0.35, "roll": 0.5}.get(subject["motion"], 0.6)
    factor = {"box": 0.75, "car": 0.5}.get(subject["kind"], 0.85 if subject["kind"] in UPRIGHT_KINDS else 1.0)
    elasticity = 0.93 if bouncy else base * factor
    subject["elasticity"] = round(min(0.95, elasticity), 3)
    subject["friction"] = 0.9 if subject["motion"] == "roll" and subject["kind"] == "ball" else 0.7
    if subject["kind"] == "car":
        subject["friction"] = 0.08  # cars coast on their wheels


def place_subject(
    subject: dict,
    world: World,
    rng: np.random.Generator,
    *,
    gravity: float,
    others: Sequence[dict] = (),
    keep_position: bool = False,
    setting: str | None = None,
    props: Sequence[dict] = (),
) -> None:
    """Give ``subject`` a start position, velocity and (for kinematic motions) a path, clear of the subjects and
    props already there. Fish swim below the horizon when the setting is the ocean."""
    hw, hh = half_extents(subject["kind"], subject["size"])
    width, height, floor = world.width_m, world.height_m, world.floor_m
    motion = subject["motion"]
    if keep_position:
        x, y = subject["x"] * width, subject["y"] * height
    else:
        x, y = _free_spot(subject, world, rng, others, props)
    x = min(max(x, hw + 0.02), width - hw - 0.02)
    y = min(max(y, hh + 0.02), floor - hh)
    subject["path"] = None
    subject["angle"] = 0.0 if subject["kind"] in UPRIGHT_KINDS else float(rng.uniform(-0.5, 0.5))
    subject["spin"] = 0.0
    vx = vy = 0.0
    if motion == "roll":
        y = floor - hh
        vx = float(rng.choice([-1.0, 1.0]) * rng.uniform(1.5, 3.2))
        if subject["kind"] not in UPRIGHT_KINDS:
            subject["spin"] = vx / max(hw, 1e-3)
    elif motion == "bounce":
        vx = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.6, 2.0))
        vy = float(rng.uniform(-1.5, 0.5))
        if subject["kind"] not in UPRIGHT_KINDS:
            subject["spin"] = float(rng.uniform(-2.5, 2.5))
    elif motion == "fall":
        vx = float(rng.uniform(-0.3, 0.3))
        if subject["kind"] not in UPRIGHT_KINDS:
            subject["spin"] = float(rng.uniform(-1.5, 1.5))
    elif motion == "orbit":
        cx, cy = 0.5 * width, 0.42 * height
        radius = math.hypot(x - cx, y - cy) if keep_position else float(rng.uniform(0.22, 0.38) * width)
        radius = min(max(radius, 0.6), 0.45 * width - hw, cy - hh - 0.05)
        phase = math.atan2(y - cy, x - cx) if keep_position else float(rng.uniform(0, 2 * math.pi))
        omega = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.8, 1.4))
        subject["path"] = {"cx": 0.5, "cy": 0.42, "radius": round(radius, 4), "omega": round(omega, 4),
                           "phase": round(phase, 4)}
        x, y = cx + radius * math.cos(phase), cy + radius * math.sin(phase)
    elif motion == "fly":
        if not keep_position:
            band = (0.58, 0.78) if subject["kind"] == "fish" and setting == "ocean" else (0.12, 0.5)
            y = float(rng.uniform(*band) * height)
        vx = float(rng.choice([-1.0, 1.0]) * rng.uniform(1.2, 2.4))
        subject["path"] = {"bob_amp": round(float(rng.uniform(0.12, 0.35)), 4),
                           "bob_freq": round(float(rng.uniform(0.5, 1.1)), 4),
                           "phase": round(float(rng.uniform(0, 2 * math.pi)), 4)}
    elif motion == "spin":
        subject["spin"] = float(rng.choice([-1.0, 1.0]) * rng.uniform(2.5, 5.0))
        subject["path"] = {"bob_amp": round(float(rng.uniform(0.05, 0.15)), 4),
                           "bob_freq": round(float(rng.uniform(0.3, 0.7)), 4),
                           "phase": round(float(rng.uniform(0, 2 * math.pi)), 4)}
        y = min(y, floor - hh - 0.5)
    if gravity < 0.5 and motion in vocab.PHYSICAL_MOTIONS:
        direction = float(rng.uniform(0, 2 * math.pi))
        speed = float(rng.uniform(0.6, 1.8))
        vx, vy = speed * math.cos(direction), speed * math.sin(direction)
    subject.update(x=round(x / width, 5), y=round(y / height, 5), vx=round(vx, 4), vy=round(vy, 4))
    subject["angle"] = round(subject["angle"], 4)
    subject["spin"] = round(subject["spin"], 4)


def _free_spot(subject: dict, world: World, rng: np.random.Generator, others: Sequence[dict],
               props: Sequence[dict] = ()) -> tuple[float, float]:
    """A start position that does not overlap the subjects already placed nor the props (best effort)."""
    hw, hh = half_extents(subject["kind"], subject["size"])
    width, height, floor = world.width_m, world.height_m, world.floor_m
    motion = subject["motion"]
    occupied = [
        (o["x"] * width, o["y"] * height, max(half_extents(o["kind"], o["size"])))
        for o in others
        if o is not subject
    ]
    radius = max(hw, hh)
    boxes = [scenery.bounds(entry, width, floor) for entry in props]
    best = (width / 2, floor / 2)
    best_clearance = -math.inf
    for _ in range(40):
        x = float(rng.uniform(hw + 0.05, max(hw + 0.06, width - hw - 0.05)))
        if motion == "roll":
            y = floor - hh
        elif motion == "fall":
            y = float(rng.uniform(hh + 0.1, max(hh + 0.2, 0.4 * floor)))
        else:
            y = float(rng.uniform(max(hh + 0.1, 0.12 * floor), max(hh + 0.2, 0.6 * floor)))
        clearance = min((math.hypot(x - ox, y - oy) - r - radius for ox, oy, r in occupied), default=math.inf)
        for left, top, right, bottom in boxes:
            gap = math.hypot(max(left - x, 0.0, x - right), max(top - y, 0.0, y - bottom)) - radius
            clearance = min(clearance, gap)
        if clearance > 0.08:
            return x, y
        if clearance > best_clearance:
            best, best_clearance = (x, y), clearance
    return best


# ---------------------------------------------------------------------------------------------------------
# Whole plans


def check_plan(plan: object) -> None:
    if not isinstance(plan, dict) or plan.get("version") != PLAN_VERSION or not isinstance(plan.get("subjects"), list):
        raise ValueError("not a preview scene plan (version %s)" % PLAN_VERSION)


def make_rng(*parts: int) -> np.random.Generator:
    """A generator seeded from integers (any sign); never the global random state."""
    return np.random.default_rng([int(p) % (2**63) for p in parts])


def parse_prompt(prompt: str, *, seed: int, world: World) -> dict:
    """Turn a text prompt into a scene plan (see the module docstring for the schema)."""
    dialogue, text = extract_dialogue(prompt)
    normalized = normalize(text)
    found, text = scan_scene_words(normalized)
    defaults = [field for field, value in found.items() if value is None]
    setting = found["setting"] or ("snowfield" if found["weather"] == "snow" else "room")
    named_props = scenery.find_props(text)
    for _, start, end in named_props:
        text = blank(text, start, end)
    gravity = found["gravity"]
    if gravity is None:
        gravity = 0.0 if setting == "space" else vocab.EARTH_GRAVITY
    plan = {
        "version": PLAN_VERSION,
        "prompt": prompt,
        "history": [prompt],
        "seed": int(seed),
        "setting": setting,
        "place": found["place"] or setting,
        "style": found["style"] or scenery.DEFAULT_STYLE,
        "framing": found["framing"],                   # None: the camera move alone
        "props": [],
        "lighting": found["lighting"] or "day",
        "weather": found["weather"] or "none",
        "camera": found["camera"] or "static",
        "speed": float(found["speed"] if found["speed"] is not None else 1.0),
        "gravity": float(gravity),
        "subjects": [],
        "dialogue": dialogue,
        "time_offset": 0.0,
        "duration_s": None,
        "defaults": defaults,
    }
    rng = make_rng(seed)
    tokens = tokenize(text)
    bouncy = any(t in vocab.BOUNCY_WORDS for t in tokens)
    phrases = noun_phrases(tokens)
    global_motion = first_motion(tokens)
    generic, unknown = unknown_nouns(tokens)
    plan["props"] = scenery.arrange([name for name, _, _ in named_props][:scenery.MAX_PROPS], generic,
                                    make_rng(seed, 404))
    plan["not_understood"] = unknown
    plan["dropped"] = {key: n for key, n in (("props", len(named_props) - scenery.MAX_PROPS),
                                             ("labelled", len(generic) - scenery.MAX_GENERIC)) if n > 0}
    if not phrases:
        defaults.append("subjects")
        kind = "ball"
        add_subject(plan, world, rng, kind=kind, motion=global_motion or vocab.DEFAULT_MOTION[kind], bouncy=bouncy)
        finish_plan(plan, world, normalized, add_ball=lambda color: add_subject(
            plan, world, rng, kind="ball", motion="bounce", color=color))
        return plan
    for i, phrase in enumerate(phrases):
        named_before = phrase.kind != "person" or any(tokens[p.index] == tokens[phrase.index] for p in phrases[:i])
        if phrase.definite and named_before and any(s["kind"] == phrase.kind and phrase.color in (None, s["color"])
                                                    for s in plan["subjects"]):
            continue  # "the ball" again: the one already in the scene ("the coach" after "a player" is someone else)
        motion = _motion_for(phrases, i, tokens, global_motion)
        action = action_for(phrases, i, tokens) if phrase.kind in ACTING_KINDS else None
        for _ in range(phrase.count):
            if len(plan["subjects"]) >= MAX_SUBJECTS:
                plan["dropped"]["subjects"] = plan["dropped"].get("subjects", 0) + 1
                continue
            subject = add_subject(plan, world, rng, kind=phrase.kind, motion="roll" if action else motion,
                                  color=phrase.color, size_factor=phrase.size_factor, bouncy=bouncy)
            if action:  # a figure that acts starts on its feet, facing where it goes (or the middle of the frame)
                moving = action in ("walk", "run")
                facing = (subject["vx"] >= 0) if moving else (subject["x"] < 0.5)
                subject.update(action=action, facing=1.0 if facing else -1.0, vx=subject["vx"] if moving else 0.0)
    finish_plan(plan, world, normalized, add_ball=lambda color: add_subject(
            plan, world, rng, kind="ball", motion="bounce", color=color))
    return plan


def add_subject(plan: dict, world: World, rng: np.random.Generator, *, kind: str, motion: str,
                 color: str | None = None, size_factor: float = 1.0, bouncy: bool = False) -> dict:
    next_id = max((s["id"] for s in plan["subjects"]), default=-1) + 1
    subject = new_subject(subject_id=next_id, kind=kind, motion=motion, rng=rng, color=color,
                          size_factor=size_factor, bouncy=bouncy)
    place_subject(subject, world, rng, gravity=plan["gravity"], others=plan["subjects"], setting=plan["setting"],
                  props=plan.get("props", ()))
    plan["subjects"].append(subject)
    return subject
