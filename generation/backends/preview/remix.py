"""Remix and extend: apply a new prompt to a parent's scene plan.

Everything the prompt does not mention stays as it was (subjects, their start states, the seed), so a remix
keeps the parent's composition. Understood edits: setting, lighting, weather, camera, speed and gravity words
(as in a fresh prompt); "add a second ball", "another cat"; "remove the cube"; "make the ball red",
"the cat is blue"; "turn the ball into a dog", "replace the car with a bus"; "make it bigger"; a motion verb
("make the cube spin", "make them fly"); new quoted dialogue replaces the old lines. The same edits in French
(:mod:`.remix_fr`: "la nuit", "le ballon devient bleu", "ajoute un chien", "enlève la boîte").
"""

from __future__ import annotations

import copy
import re

import numpy as np

from . import remix_fr, scenery, vocab
from .scene import (
    ACTING_KINDS,
    MAX_SUBJECTS,
    add_subject,
    blank,
    check_plan,
    extract_dialogue,
    first_motion,
    make_rng,
    normalize,
    noun_phrases,
    place_subject,
    scan_scene_words,
    set_material,
    tokenize,
)
from .staging import understanding, unknown_nouns
from .world import World

_CLAUSE_BREAK_RE = re.compile(r"[,.;!?]| and | while | then | et | puis | pendant que ")
_NOUN_ALT = "|".join(sorted(vocab.NOUNS, key=len, reverse=True))
_COLOR_ALT = "|".join(sorted(vocab.COLORS, key=len, reverse=True))
_ARTICLE = r"(?:the |a |an |all (?:the )?|every |both |any |that |this |those |these )?"

_REMOVE_RE = re.compile(
    rf"\b(?:remove|delete|without|get rid of|no more|take away|take out|lose)\s+{_ARTICLE}"
    rf"(?:(?P<color>{_COLOR_ALT})\s+)?(?P<noun>{_NOUN_ALT})\b"
)
_REPLACE_RES = (
    re.compile(rf"\b(?:replace|swap)\s+{_ARTICLE}(?:(?P<c1>{_COLOR_ALT})\s+)?(?P<n1>{_NOUN_ALT})\s+(?:with|for)\s+"
               rf"(?:a |an |the |some )?(?:(?P<c2>{_COLOR_ALT})\s+)?(?P<n2>{_NOUN_ALT})\b"),
    re.compile(rf"\b(?:turn|change|transform|make)\s+{_ARTICLE}(?:(?P<c1>{_COLOR_ALT})\s+)?(?P<n1>{_NOUN_ALT})\s+"
               rf"(?:into |to )?(?:a |an )(?:(?P<c2>{_COLOR_ALT})\s+)?(?P<n2>{_NOUN_ALT})\b"),
    re.compile(rf"\b(?:turn|change|transform)\s+{_ARTICLE}(?:(?P<c1>{_COLOR_ALT})\s+)?(?P<n1>{_NOUN_ALT})\s+"
               rf"into\s+(?:(?P<c2>{_COLOR_ALT})\s+)?(?P<n2>{_NOUN_ALT})\b"),
    re.compile(rf"\b(?:turn|change|transform|make)\s+(?P<target>it|them|everything)\s+(?:into\s+)?(?:a |an )?"
               rf"(?:(?P<c2>{_COLOR_ALT})\s+)?(?P<n2>{_NOUN_ALT})\b"),
)
_ADD_RE = re.compile(
    rf"\b(?:add|adds|adding|plus|introduce|bring in|throw in|drop in|put in|include|with|another)\b"
    rf"(?P<phrase>(?:\s+[a-z0-9]+){{0,4}}?\s+(?:{_NOUN_ALT}))\b(?P<tail>[^,.;!?]*)"
)
_RECOLOR_RES = (
    re.compile(rf"\b(?:make|turn|paint|colou?r|change|dye|recolou?r)\s+(?P<target>{_ARTICLE}(?:(?P<old>{_COLOR_ALT})\s+)?"
               rf"(?P<noun>{_NOUN_ALT})|it|them|everything|all)\s+(?:to |into |in )?(?P<color>{_COLOR_ALT})\b"),
    re.compile(rf"\b{_ARTICLE}(?:(?P<old>{_COLOR_ALT})\s+)?(?P<noun>{_NOUN_ALT})\s+(?:is|are|turns?|becomes?)\s+"
               rf"(?:now\s+)?(?P<color>{_COLOR_ALT})\b"),
    re.compile(rf"\b(?P<color>{_COLOR_ALT})\s+(?P<noun>{_NOUN_ALT})\s+instead\b"),
)
_RESIZE_RES = (
    re.compile(rf"\b{_ARTICLE}(?:(?P<old>{_COLOR_ALT})\s+)?(?P<noun>{_NOUN_ALT})\s+(?:is |are )?(?:much |a bit )?"
               rf"(?P<how>bigger|larger|smaller|tinier|huge|giant|tiny)\b"),
    re.compile(rf"\b(?P<how>bigger|larger|smaller|tinier)\s+(?P<noun>{_NOUN_ALT})\b"),
    re.compile(r"\bmake\s+(?P<target>it|them|everything|all)\s+(?:much |a bit )?(?P<how>bigger|larger|smaller|tinier)\b"),
)
_RESIZE = {"bigger": 1.5, "larger": 1.5, "huge": 1.9, "giant": 2.0, "smaller": 0.65, "tinier": 0.55, "tiny": 0.5}


def remix_plan(parent: dict, prompt: str, *, seed: int, world: World, extend: bool = False) -> tuple[dict, list[str]]:
    """Apply a remix prompt to a parent plan. Returns the new plan and a list of the changes made.

    Everything the prompt does not mention stays as it was (subjects, positions, seed), so the remix keeps
    the parent's composition.
    """
    check_plan(parent)
    plan = copy.deepcopy(parent)
    changes: list[str] = []
    dialogue, text = extract_dialogue(prompt)
    text = _apply_scalar_changes(plan, normalize(text), changes)
    rng = make_rng(plan["seed"], seed, len(plan["history"]))
    text = _apply_removals(plan, text, changes)
    text = _apply_replacements(plan, text, world, rng, changes)
    text = _apply_additions(plan, text, world, rng, changes)
    text = _apply_recolors(plan, text, changes)
    text = _apply_resizes(plan, text, world, rng, changes)
    _apply_motion_changes(plan, text, world, rng, changes)
    if any(t in vocab.BOUNCY_WORDS for t in tokenize(text)):
        for subject in plan["subjects"]:
            set_material(subject, bouncy=True)
        changes.append("subjects: bouncier")
    text = _apply_props(plan, text, changes)
    plan["not_understood"] = unknown_nouns(tokenize(text))[1]
    plan["understood"] = understanding(plan)
    if dialogue:
        plan["dialogue"] = dialogue
        changes.append("dialogue: replaced")
    elif extend and plan["dialogue"]:
        plan["dialogue"] = []  # the parent already spoke its lines
    plan["prompt"] = prompt
    plan["history"] = [*plan["history"], prompt]
    return plan, changes


def _apply_scalar_changes(plan: dict, text: str, changes: list[str]) -> str:
    found, rest = scan_scene_words(text)
    for field, value in found.items():
        if value is None or value == plan.get(field):
            continue
        changes.append(f"{field}: {plan.get(field)} -> {value}")
        plan[field] = value
        if field == "setting" and found["gravity"] is None:
            _gravity_for_setting(plan, changes)
    return rest


def _apply_props(plan: dict, text: str, changes: list[str]) -> str:
    """Props the remix names join the scene (the ones already there keep their places); "without the table"
    takes one away."""
    props = list(plan.get("props", []))
    for name, start, end in scenery.find_props(text):
        removing = re.search(r"\b(?:remove|without|no more|take away|enleve|sans)\b[a-z ]{0,12}$", text[:start])
        text = blank(text, start, end)
        present = [p for p in props if p["name"] == name]
        if removing and present:
            props.remove(present[0])
            changes.append(f"props: -{name}")
        elif not removing and not present and len(props) < scenery.MAX_PROPS:
            taken = {p["x"] for p in props}
            entry = next((e for e in scenery.arrange([name], [], make_rng(plan["seed"])) if e["x"] not in taken), None)
            if entry is None:
                free = [x for x in scenery.SIDES.values() if x not in taken]
                entry = {"name": name, "x": free[0] if free else 0.5, "mirrored": bool(free) and free[0] < 0.5,
                         "label": None}
            props.append(entry)
            changes.append(f"props: +{name}")
    plan["props"] = props
    return text


def _gravity_for_setting(plan: dict, changes: list[str]) -> None:
    if plan["setting"] == "space" and plan["gravity"] > 0.5:
        changes.append(f"gravity: {plan['gravity']} -> 0.0")
        plan["gravity"] = 0.0
    elif plan["setting"] != "space" and plan["gravity"] < 0.5:
        changes.append(f"gravity: {plan['gravity']} -> {vocab.EARTH_GRAVITY}")
        plan["gravity"] = vocab.EARTH_GRAVITY


def _color(word: str | None) -> str | None:
    """A colour word of either language as the colour it names ("bleue" -> "blue")."""
    return vocab.COLOR_ALIASES.get(word, word) if word else None


def _targets(plan: dict, noun: str | None, old_color: str | None, target: str | None = None) -> list[dict]:
    """Subjects a remix phrase refers to: by kind (and colour), or "it" (the first), or all of them."""
    subjects = plan["subjects"]
    old_color = _color(old_color)
    target = remix_fr.TARGETS.get(target, target)
    if noun is None:
        if target == "it":
            return subjects[:1]
        return list(subjects)
    kind = vocab.NOUNS[noun]
    chosen = [s for s in subjects if s["kind"] == kind and (old_color is None or s["color"] == old_color)]
    return chosen


def _apply_removals(plan: dict, text: str, changes: list[str]) -> str:
    for match in [m for pattern in (_REMOVE_RE, *remix_fr.REMOVE) for m in pattern.finditer(text)]:
        doomed = _targets(plan, match.group("noun"), match.group("color"))
        if doomed:
            ids = {s["id"] for s in doomed}
            plan["subjects"] = [s for s in plan["subjects"] if s["id"] not in ids]
            changes.append(f"removed {len(ids)} {vocab.NOUNS[match.group('noun')]}")
        text = blank(text, match.start(), match.end())
    return text


def _apply_replacements(plan: dict, text: str, world: World, rng: np.random.Generator, changes: list[str]) -> str:
    for pattern in (*_REPLACE_RES, *remix_fr.REPLACE):
        for match in list(pattern.finditer(text)):
            groups = match.groupdict()
            new_kind = vocab.NOUNS[groups["n2"]]
            chosen = _targets(plan, groups.get("n1"), groups.get("c1"), groups.get("target"))
            for subject in chosen:
                ratio = subject["size"] / vocab.BASE_SIZE[subject["kind"]]
                subject["kind"] = new_kind
                subject["size"] = round(vocab.BASE_SIZE[new_kind] * ratio, 4)
                if groups["c2"]:
                    subject["color"] = _color(groups["c2"])
                    subject["rgb"] = list(vocab.COLORS[subject["color"]])
                set_material(subject)
                place_subject(subject, world, rng, gravity=plan["gravity"], others=plan["subjects"], keep_position=True)
            if chosen:
                changes.append(f"replaced {len(chosen)} subject(s) with {new_kind}")
            text = blank(text, match.start(), match.end())
    return text


def _apply_additions(plan: dict, text: str, world: World, rng: np.random.Generator, changes: list[str]) -> str:
    for match in [m for pattern in (_ADD_RE, remix_fr.ADD) for m in pattern.finditer(text)]:
        tokens = tokenize(match.group("phrase"))
        phrases = noun_phrases(tokens)
        if not phrases:
            continue
        phrase = phrases[-1]
        kind = phrase.kind
        same_kind = [s for s in plan["subjects"] if s["kind"] == kind]
        motion = first_motion(tokenize(match.group("tail"))) or (
            same_kind[0]["motion"] if same_kind else vocab.DEFAULT_MOTION[kind])
        added = 0
        for _ in range(phrase.count):
            if len(plan["subjects"]) >= MAX_SUBJECTS:
                break
            color = phrase.color or (same_kind[0]["color"] if same_kind else None)
            add_subject(plan, world, rng, kind=kind, motion=motion, color=color, size_factor=phrase.size_factor)
            added += 1
        if added:
            changes.append(f"added {added} {kind}")
        text = blank(text, match.start(), match.end())
    return text


def _apply_recolors(plan: dict, text: str, changes: list[str]) -> str:
    for pattern in (*_RECOLOR_RES, *remix_fr.RECOLOR):
        for match in list(pattern.finditer(text)):
            groups = match.groupdict()
            target = groups.get("target")
            noun = groups.get("noun")
            chosen = _targets(plan, noun, groups.get("old"), None if noun else (target or "").strip())
            color = _color(groups["color"])
            for subject in chosen:
                subject["color"] = color
                subject["rgb"] = list(vocab.COLORS[color])
            if chosen:
                changes.append(f"recoloured {len(chosen)} subject(s) {color}")
            text = blank(text, match.start(), match.end())
    return text


def _apply_resizes(plan: dict, text: str, world: World, rng: np.random.Generator, changes: list[str]) -> str:
    for pattern in (*_RESIZE_RES, *remix_fr.RESIZE):
        for match in list(pattern.finditer(text)):
            groups = match.groupdict()
            chosen = _targets(plan, groups.get("noun"), groups.get("old"), groups.get("target"))
            factor = _RESIZE.get(groups["how"]) or remix_fr.resize_factor(groups["how"])
            for subject in chosen:
                subject["size"] = round(min(1.2, max(0.1, subject["size"] * factor)), 4)
                place_subject(subject, world, rng, gravity=plan["gravity"], others=plan["subjects"], keep_position=True)
            if chosen:
                changes.append(f"resized {len(chosen)} subject(s) x{factor}")
            text = blank(text, match.start(), match.end())
    return text


def _apply_motion_changes(plan: dict, text: str, world: World, rng: np.random.Generator, changes: list[str]) -> None:
    """``make the ball spin`` changes that subject; a verb with no subject (``make them fly``) changes all."""
    for clause in _CLAUSE_BREAK_RE.split(f" {text} "):
        tokens = tokenize(clause)
        phrases = noun_phrases(tokens)
        action = next((scenery.ACTION_WORDS[t] for t in tokens if t in scenery.ACTION_WORDS), None)
        acting = {p.kind for p in phrases} & ACTING_KINDS
        if action and acting:  # "now the girl dances", "the dog runs": people and animals change what they do
            figures = [s for s in plan["subjects"] if s["kind"] in acting and s.get("action") != action]
            for subject in figures:
                subject.update(action=action, motion="roll", facing=subject.get("facing") or 1.0)
                subject.pop("onto", None)
                set_material(subject)
            if figures:
                changes.append(f"action: {len(figures)} figure(s) -> {action}")
            continue
        motion = first_motion(tokens)
        if motion is None:
            continue
        if phrases:
            kinds = {p.kind for p in phrases}
            chosen = [s for s in plan["subjects"] if s["kind"] in kinds]
        else:  # "it keeps bouncing": what moves; people who act keep their action
            chosen = [s for s in plan["subjects"] if not s.get("action")]
        moved = [s for s in chosen if s["motion"] != motion]
        for subject in moved:
            subject["motion"] = motion
            set_material(subject)
            place_subject(subject, world, rng, gravity=plan["gravity"], others=plan["subjects"], keep_position=True)
        if moved:
            changes.append(f"motion: {len(moved)} subject(s) -> {motion}")
