"""After a prompt is parsed: the nouns the preview does not know (shown as labelled crates, listed as not
understood), the shots at a hoop or a goal (a ball launched so it reaches the rim, the backboard or the goal
mouth), and the report of what was understood that the job's ``backend_meta`` carries."""

from __future__ import annotations

import math
import re
from typing import Callable

from . import scenery, vocab
from .figures import KICK_AT_S, THROW_RELEASE_S
from .world import World, half_extents

_DETERMINERS = frozenset({"a", "an", "the", "some", "two", "three", "four", "five", "many", "several", "his", "her",
                          "their", "my", "your", "un", "une", "le", "la", "les", "des", "du", "mon", "ma", "son", "sa"})
MISS_RE = re.compile(r"\b(?:miss(?:es|ed|ing)?|off the (?:rim|backboard|post|bar)|bricks?|airballs?|rate|ratent|manque"
                     r"|manquent|rebond(?:s|it)? sur (?:le|la) (?:cercle|panneau))\b")
SHOOT_RE = re.compile(r"\b(?:shoot(?:s|ing)?|shot|throws?|throwing|threw|toss(?:es|ed|ing)?|lobs?|score(?:s|d)?|dunks?"
                      r"|kicks?|kicked|kicking|tire|tirent|lance|lancent|marque|marquent|shoote)\b")
_KNOWN = (set(vocab.NOUNS) | set(vocab.COUNT_WORDS) | set(vocab.COLORS) | set(vocab.COLOR_ALIASES)
          | set(vocab.SIZE_WORDS) | set(vocab.MOTION_WORDS) | set(vocab.BOUNCY_WORDS) | scenery.NOT_THINGS
          | set(scenery.DATA["ignore_words"]) | set(scenery.ACTION_WORDS))
_VERB_ENDINGS = ("ing", "ed")
SHOT_BALL_SIZE = 0.17  # metres: a ball sized to pass through the rim (its opening is 0.5 m)


def unknown_nouns(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(nouns for labelled crates, every word not understood). A noun is an unknown word right after a
    determiner (adjectives it knows may sit between) that is not itself followed by a known noun ("a soccer
    ball" is a ball)."""
    unknown = []
    for token in tokens:
        if (token.isalpha() and len(token) > 2 and token not in _KNOWN and not _looks_like_a_verb(token)
                and token not in unknown and not SHOOT_RE.fullmatch(token) and not MISS_RE.fullmatch(token)):
            unknown.append(token)
    nouns = []
    for index, token in enumerate(tokens):
        if token not in unknown or token in nouns:
            continue
        before = [t for t in tokens[max(0, index - 3):index]]
        while before and (before[-1] in vocab.COLORS or before[-1] in vocab.SIZE_WORDS
                          or before[-1] in vocab.COLOR_ALIASES or before[-1] in unknown):
            before.pop()
        if not before or before[-1] not in _DETERMINERS:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if following in vocab.NOUNS or following in unknown:
            continue  # a modifier: the noun comes after it
        nouns.append(token)
    return nouns, unknown


def _looks_like_a_verb(token: str) -> bool:
    """Unknown words ending like a participle or a third-person verb are not things ("glimmering", "hovers")."""
    return token.endswith(_VERB_ENDINGS) or (token.endswith("s") and token[:-1] in vocab.MOTION_WORDS)


def finish_plan(plan: dict, world: World, text: str, add_ball: Callable[[str], dict]) -> None:
    """Aim a shot when the prompt (normalised ``text``) shoots at a hoop or a goal (adding the ball when none is
    named: "a player shoots at the hoop"), and record what was understood."""
    shoot = bool(SHOOT_RE.search(text))
    targets = [p["name"] for p in plan["props"] if p["name"] in ("hoop", "goal")]
    if shoot and targets and not any(s["kind"] == "ball" for s in plan["subjects"]):
        add_ball("orange" if targets[0] == "hoop" else "white")
    aim_shot(plan, world, shoot=shoot, miss=bool(MISS_RE.search(text)))
    plan["understood"] = understanding(plan)


def aim_shot(plan: dict, world: World, *, shoot: bool, miss: bool) -> None:
    """With a hoop (or a goal) and a ball, and a shot named: the first ball starts on the far side and leaves with
    the velocity that brings it to the rim's front (a miss: it rebounds), into the hoop (a make), or to the goal
    mouth. Ballistic: the apex a metre above the higher of start and target."""
    targets = [p for p in plan["props"] if p["name"] in ("hoop", "goal")]
    balls = [s for s in plan["subjects"] if s["kind"] == "ball" and s["motion"] in vocab.PHYSICAL_MOTIONS]
    if not targets or not balls:
        return
    prop, ball = targets[0], balls[0]
    if ball["size"] > SHOT_BALL_SIZE:
        ball["size"] = SHOT_BALL_SIZE
    if not shoot:
        return
    width, floor = world.width_m, world.floor_m
    radius = half_extents("ball", ball["size"])[0]
    if prop["name"] == "hoop":
        fx, fy = scenery.prop_point(prop, "rim", width, floor, which=0)  # the front of the rim
        bx, _ = scenery.prop_point(prop, "rim", width, floor, which=1)
        side = 1.0 if bx > fx else -1.0  # the hoop opens towards -side
        if miss:  # the ball's centre meets the front rim from above and outside: it bounces back out
            target = (fx - side * 0.8 * (radius + 0.03), fy - 0.6 * (radius + 0.03))
        else:  # a steep fall through the middle of the rim
            target = (fx + side * 0.42 * abs(bx - fx), fy - 0.05)
    else:  # a kick from the ground: low into the net, or onto the crossbar for a miss
        px, py = scenery.prop_point(prop, "post", width, floor)
        side = 1.0 if prop["x"] > 0.5 else -1.0
        target = (px - side * 0.2, py - 0.1) if miss else (px + side * 0.45, floor - 0.5)
    start_x = target[0] - side * min(0.62 * width, abs(target[0] - (0.5 - side * 0.38) * width))
    start_x = min(max(start_x, radius + 0.05), width - radius - 0.05)
    start = (start_x, floor - radius - (1.1 if prop["name"] == "hoop" else 0.0))
    apex = (1.0 if miss else 2.4) if prop["name"] == "hoop" else (1.0 if miss else 0.55)  # a goal: a low drive
    shot = {"at": prop["name"], "miss": miss, "target": [round(target[0], 4), round(target[1], 4)], "apex": apex}
    shooter = _shooter(plan, kick=prop["name"] == "goal")
    if shooter is not None:  # the ball starts in the thrower's hand (or at the kicker's foot) and leaves it
        hw, hh = half_extents("person", shooter["size"])
        body_x = min(max(start_x - side * 0.25, hw + 0.05), width - hw - 0.05)
        shooter.update(x=round(body_x / width, 5), y=round((floor - hh) / world.height_m, 5), vx=0.0, vy=0.0,
                       facing=side, motion="roll", elasticity=0.0)
        kick = shooter["action"] == "kick"
        start = (body_x + side * (hw + radius + 0.05), floor - radius) if kick else (body_x + side * 0.3, floor - hh)
        shot.update(by=shooter["id"], release=KICK_AT_S if kick else THROW_RELEASE_S)
    vx, vy = launch_velocity(start, target, plan["gravity"], apex_m=apex)
    ball.update(x=round(start[0] / width, 5), y=round(start[1] / world.height_m, 5), vx=round(vx, 4),
                vy=round(vy, 4), motion="bounce", spin=round(-side * 3.0, 4), path=None)
    ball["shot"] = shot


def _shooter(plan: dict, *, kick: bool) -> dict | None:
    """Who shoots: the person the prompt says throws or kicks, else the first person doing nothing else."""
    people = [s for s in plan["subjects"] if s["kind"] == "person" and s["motion"] in vocab.PHYSICAL_MOTIONS]
    shooter = next((s for s in people if s.get("action") in ("throw", "kick")), None)
    if shooter is None:
        shooter = next((s for s in people if not s.get("action")), None)
    if shooter is not None:
        shooter["action"] = "kick" if kick else "throw"
    return shooter


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


def understanding(plan: dict) -> dict:
    """What the plan shows of what the prompt named: place, style, subjects by kind, what people do, props
    (crates by their label)."""
    kinds: dict[str, int] = {}
    actions: dict[str, int] = {}
    for subject in plan["subjects"]:
        kinds[subject["kind"]] = kinds.get(subject["kind"], 0) + 1
        if subject.get("action"):
            actions[subject["action"]] = actions.get(subject["action"], 0) + 1
    return {
        "place": plan.get("place", plan["setting"]),
        "style": plan.get("style", scenery.DEFAULT_STYLE),
        "subjects": kinds,
        "actions": actions,  # what the people do, by action (figures.ACTIONS)
        "props": [p["name"] for p in plan.get("props", []) if p["name"] != "generic"],
        "labelled": [p["label"] for p in plan.get("props", []) if p["name"] == "generic"],
    }
