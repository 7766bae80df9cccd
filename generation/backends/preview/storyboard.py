"""A storyboard's shots as scene plans: the first shot is planned from its prompt (or from the request as a
single clip), and each later shot continues the one before it as an extension does: the same subjects in the
same simulated world, picked up where the last shot left them, with the shot's prompt applied as changes (a new
place, a colour, a subject added or gone, its own lines). So the cast, their looks and the setting carry across
cuts unless a shot says otherwise.

Ambience: consecutive shots in the same place, light and weather share one continuous bed; where that changes,
the beds cross-fade at the cut.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from generation.backends.base import GenerationRequest, ParentClip, Shot

from .audio import ambience_track
from .world import World

AMBIENCE_CROSSFADE_S = 0.25


def request_shots(request: GenerationRequest) -> list[Shot]:
    """The request's shots; a single clip is one wide shot with the plan's own camera."""
    if request.kind == "storyboard":
        return list(request.shots)
    return [Shot(prompt=request.prompt, duration_s=request.duration_s)]


def shot_plans(request: GenerationRequest, world: World, shots: list[Shot], counts: list[int], plan_for) -> list[
        tuple[dict, list[str]]]:
    """(plan, changes) per shot. ``plan_for(request, world)`` plans one clip (the backend's)."""
    out: list[tuple[dict, list[str]]] = []
    previous: dict | None = None
    for index, (shot, count) in enumerate(zip(shots, counts)):
        if request.kind != "storyboard":
            sub = request
        elif previous is None:
            sub = dataclasses.replace(request, kind="cameo" if request.cameos else "text", prompt=shot.prompt)
        else:
            parent = ParentClip(post_id=None, scene_plan=previous, video_path=None, seed=request.seed)
            sub = dataclasses.replace(request, kind="extend", prompt=shot.prompt, parent=parent,
                                      seed=request.seed + index)
        plan, changes = plan_for(sub, world)
        if shot.camera:
            plan["camera"] = shot.camera
        plan["duration_s"] = round(count / request.fps, 6)
        out.append((plan, changes))
        previous = plan
    return out


def ambience(plans: list[dict], counts: list[int], fps: int, sample_rate: int) -> np.ndarray:
    """The ambience bed under every shot: continuous while the place, light and weather stay the same."""
    total = round(sum(counts) / fps * sample_rate)
    track = np.zeros(total, dtype=np.float32)
    fade = int(AMBIENCE_CROSSFADE_S * sample_rate)
    groups: list[tuple[dict, int, int]] = []  # (first plan, start frame, frames)
    start = 0
    for plan, count in zip(plans, counts):
        key = (plan["setting"], plan["lighting"], plan["weather"])
        if groups and (groups[-1][0]["setting"], groups[-1][0]["lighting"], groups[-1][0]["weather"]) == key:
            first, at, frames = groups[-1]
            groups[-1] = (first, at, frames + count)
        else:
            groups.append((plan, start, count))
        start += count
    for index, (plan, at, frames) in enumerate(groups):
        begin = round(at / fps * sample_rate)
        end = total if index == len(groups) - 1 else round((at + frames) / fps * sample_rate)
        lead = fade if index > 0 else 0  # overlap into the group before, fading in
        trail = fade if index < len(groups) - 1 else 0
        lo, hi = max(0, begin - lead), min(total, end + trail)
        bed = ambience_track(plan, hi - lo, sample_rate)
        if lead:
            bed[: begin - lo] *= np.linspace(0.0, 1.0, begin - lo, dtype=np.float32)
        if trail:
            bed[end - lo:] *= np.linspace(1.0, 0.0, hi - end, dtype=np.float32)
        track[lo:hi] += bed
    return track
