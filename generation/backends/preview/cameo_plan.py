"""Cameos in a scene plan: a person cameo takes a person's place, a character joins as its own subject, and a
cameo the job may no longer use leaves the plan (a person stays as a plain figure)."""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from generation.backends.base import CameoRef

from . import vocab
from .scene import MAX_SUBJECTS, add_subject, make_rng
from .world import World


def attach_cameos(plan: dict, cameos: Sequence[CameoRef], *, world: World, seed: int) -> list[str]:
    """Put each cameo in the scene: a person cameo takes over a person subject (or joins as one); a
    character cameo joins as its own subject. Returns the changes made."""
    changes: list[str] = []
    rng = make_rng(plan["seed"], seed, 7919)
    present = {s["cameo_id"] for s in plan["subjects"] if s["cameo_id"] is not None}
    for cameo in cameos:
        if cameo.id in present:
            continue
        if cameo.kind == "person":
            subject = next((s for s in plan["subjects"] if s["kind"] == "person" and s["cameo_id"] is None), None)
            if subject is None:
                subject = _add_cameo_subject(plan, world, rng, "person")
        else:
            subject = _add_cameo_subject(plan, world, rng, "character")
        subject["cameo_id"] = cameo.id
        subject["name"] = cameo.name
        changes.append(f"cameo {cameo.id} as subject {subject['id']}")
    return changes


def _add_cameo_subject(plan: dict, world: World, rng: np.random.Generator, kind: str) -> dict:
    if len(plan["subjects"]) >= MAX_SUBJECTS:  # make room by dropping the last subject that is no cameo
        plain = [i for i, s in enumerate(plan["subjects"]) if s["cameo_id"] is None]
        plan["subjects"].pop(plain[-1] if plain else -1)
    motions = [s["motion"] for s in plan["subjects"]]
    motion = motions[0] if motions else vocab.DEFAULT_MOTION[kind]
    return add_subject(plan, world, rng, kind=kind, motion=motion)


def release_cameos(plan: dict, allowed_ids: Iterable[int]) -> list[str]:
    """Drop cameos the job may not use (a remix of a clip whose cameo was not granted again): a person
    subject keeps its place as a plain figure, a character cameo leaves the scene."""
    allowed = set(allowed_ids)
    changes: list[str] = []
    kept: list[dict] = []
    for subject in plan["subjects"]:
        cameo_id = subject.get("cameo_id")
        if cameo_id is not None and cameo_id not in allowed:
            changes.append(f"cameo {cameo_id} not permitted; removed")
            if subject["kind"] == "character":
                continue
            subject["cameo_id"] = None
            subject["name"] = None
        kept.append(subject)
    plan["subjects"] = kept
    return changes
