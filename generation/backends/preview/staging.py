"""After a prompt is parsed: the nouns the preview does not know (shown as labelled crates, listed as not
understood), the shots at a hoop or a goal (a ball launched so it reaches the rim, the backboard or the goal
mouth), and the report of what was understood that the job's ``backend_meta`` carries."""

from __future__ import annotations

import math
import re
from typing import Callable

from . import scenery, vocab
from .figures import KICK_AT_S, THROW_RELEASE_S
from .rigs import RIGS
from .world import World, half_extents, launch_velocity

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
    aim_catch(plan, world, text, add_ball)
    plan_onto(plan, world, text)
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


THROW_TO_RE = re.compile(r"\b(?:throws?|throwing|threw|toss(?:es|ed|ing)?|pass(?:es|ed|ing)?|lobs?|lance|lancent)\b"
                         r".*?\b(?:to|a|vers) (?:the|a|an|his|her|their|la|le|une|un|sa|son) (?P<noun>[a-z]+)\b")
CATCH_GAP_M = 3.2  # how far apart a thrower and a catcher stand


def aim_catch(plan: dict, world: World, text: str, add_ball: Callable[[str], dict]) -> None:
    """"a boy throws the ball to the girl, she catches it": the thrower holds the ball until the release and
    throws it to the catcher's hands (the simulation aims at where they are then and the catcher holds it from
    the moment it arrives). The catcher is the person who catches, or the one the ball is thrown to."""
    people = [s for s in plan["subjects"] if s["kind"] == "person" and s["motion"] in vocab.PHYSICAL_MOTIONS]
    if len(people) < 2 or any(s.get("shot") for s in plan["subjects"]):
        return
    catcher = next((s for s in people if s.get("action") == "catch"), None)
    thrown_to = THROW_TO_RE.search(text)
    if catcher is None and thrown_to and vocab.NOUNS.get(thrown_to["noun"]) == "person":
        catcher = next((s for s in people[1:] if not s.get("action")), None)
    if catcher is None:
        return
    others = [s for s in people if s is not catcher]
    thrower = next((s for s in others if s.get("action") == "throw"), None) or next(
        (s for s in others if not s.get("action")), None)
    if thrower is None:
        return
    balls = [s for s in plan["subjects"] if s["kind"] == "ball" and s["motion"] in vocab.PHYSICAL_MOTIONS]
    ball = balls[0] if balls else add_ball("red")
    ball["size"] = min(ball["size"], SHOT_BALL_SIZE)
    side = 1.0 if thrower["x"] <= catcher["x"] else -1.0  # which way the ball flies
    width, floor = world.width_m, world.floor_m
    for person, x in ((thrower, width / 2 - side * CATCH_GAP_M / 2), (catcher, width / 2 + side * CATCH_GAP_M / 2)):
        hh = half_extents("person", person["size"])[1]
        person.update(x=round(x / width, 5), y=round((floor - hh) / world.height_m, 5), vx=0.0, vy=0.0,
                      motion="roll", elasticity=0.0, facing=side if person is thrower else -side)
    thrower["action"], catcher["action"] = "throw", "catch"
    hh = half_extents("person", thrower["size"])[1]
    ball.update(x=round((width / 2 - side * (CATCH_GAP_M / 2 - 0.3)) / width, 5),
                y=round((floor - hh) / world.height_m, 5), vx=0.0, vy=0.0, motion="bounce", path=None, spin=0.0)
    ball["shot"] = {"at": "catch", "by": thrower["id"], "to": catcher["id"], "release": THROW_RELEASE_S,
                    "apex": 0.7, "miss": False}


ONTO_RE = re.compile(r"\b(?P<verb>[a-z]+)(?: (?:up|down|back|right))? (?:onto|on to|on top of|on|upon|to|into|sur)"
                     r" (?:the|a|an|la|le|une|un|l|his|her|their) (?P<noun>[a-z]+)\b")
WALK_TO_M = 2.2  # at most this far from the prop it goes onto
SEAT_HEIGHT_MAX_M = 0.7  # a person walks to a seat no higher than this and sits; anything higher is leapt onto


def plan_onto(plan: dict, world: World, text: str) -> None:
    """"a cat jumps onto the table", "the man sits on the bench": the figure that jumps or sits gets the prop's
    top as where it goes (``subject["onto"]``): a person walks to a seat and sits; an animal, or a jump, leaps
    onto the top (and sits there if it sits)."""
    tops = {}
    for entry in plan["props"]:
        top = scenery.top_of(entry, world.width_m, world.floor_m)
        if top is not None and entry["name"] != "generic":
            tops[entry["name"]] = top
    for match in ONTO_RE.finditer(text):
        action = scenery.ACTION_WORDS.get(match["verb"])
        name = next((n for n, pattern in scenery.PROP_PATTERNS
                     if n in tops and re.fullmatch(f"(?:{pattern})", match["noun"])), None)
        if action not in ("jump", "sit") or name is None:
            continue
        before = [vocab.NOUNS[w] for w in re.findall(r"[a-z]+", text[:match.start()]) if w in vocab.NOUNS]
        kind = before[-1] if before else None  # who does it: the last thing named before the verb
        figure = next((s for s in plan["subjects"] if s["kind"] == kind and s.get("action") == action
                       and kind in RIGS and not s.get("onto") and s["motion"] in vocab.PHYSICAL_MOTIONS), None)
        if figure is None:
            continue
        x, y, half, back = tops[name]
        leap = action == "jump" or figure["kind"] != "person" or world.floor_m - y > SEAT_HEIGHT_MAX_M
        if figure["kind"] == "person" and not leap and back:
            x -= back * min(0.1, half / 3)  # on the seat, its back behind
        facing = -back if back else (1.0 if x < world.width_m / 2 else -1.0)
        start = figure["x"] * world.width_m
        if abs(start - x) > WALK_TO_M:  # a short walk to the seat or a short run-up to the leap
            start = x + math.copysign(WALK_TO_M, start - x)
        figure.update(onto={"prop": name, "x": round(x, 4), "y": round(y, 4), "leap": leap, "facing": facing},
                      vx=0.0, x=round(start / world.width_m, 5))


def _shooter(plan: dict, *, kick: bool) -> dict | None:
    """Who shoots: the person the prompt says throws or kicks, else the first person doing nothing else."""
    people = [s for s in plan["subjects"] if s["kind"] == "person" and s["motion"] in vocab.PHYSICAL_MOTIONS]
    shooter = next((s for s in people if s.get("action") in ("throw", "kick")), None)
    if shooter is None:
        shooter = next((s for s in people if not s.get("action")), None)
    if shooter is not None:
        shooter["action"] = "kick" if kick else "throw"
    return shooter


def understanding(plan: dict) -> dict:
    """What the plan shows of what the prompt named: place, style, subjects by kind, what figures do, props
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
        "actions": actions,  # what people and animals do, by action (figures.ACTIONS)
        "props": [p["name"] for p in plan.get("props", []) if p["name"] != "generic"],
        "labelled": [p["label"] for p in plan.get("props", []) if p["name"] == "generic"],
    }
