"""The preview backend: prompt -> scene plan -> physics -> frames + sound, on the CPU, in seconds."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from core import voices
from generation.backends.base import BackendError, Clip, GenerationRequest, ProgressCallback

from . import tts
from .audio import SAMPLE_RATE, ambience_track, impact_track, mix, schedule_dialogue, speech_track
from .cameo import Likeness, load_likeness
from .cameo_plan import attach_cameos, release_cameos
from .mouths import mouth_tracks
from .physics import Trajectory, simulate
from .remix import remix_plan
from .render import Renderer
from .scene import parse_prompt
from .world import World

KINDS = frozenset({"text", "remix", "cameo", "extend"})
MAX_DURATION_S = 120.0


class PreviewBackend:
    """Procedural clips: a parsed scene, simulated with pymunk, drawn with Pillow/numpy, with impact sounds,
    ambience and Piper dialogue on the same timeline. Deterministic for a seed.

    A remix edits the parent's scene plan, so whatever the remix prompt does not mention is kept exactly;
    ``request.strength`` (how far a video-to-video model may drift) has no meaning here and is not used.
    """

    name = "preview"

    @classmethod
    def from_settings(cls, settings) -> "PreviewBackend":
        return cls()

    def warm_up(self) -> None:
        """Load the speech engines now rather than on the first job with dialogue."""
        tts.warm_up()

    def generate(self, request: GenerationRequest, on_progress: ProgressCallback) -> Clip:
        _check(request)
        world = World.for_aspect(request.aspect)
        width, height = request.size
        fps, num_frames = request.fps, request.num_frames
        duration = num_frames / fps
        plan, changes = plan_for(request, world)
        plan["duration_s"] = round(duration, 6)
        likenesses = _likenesses(request, plan)
        progress = _Progress(on_progress, total=len(plan["dialogue"]) + num_frames + 2)
        timings: dict[str, float] = {}

        clock = time.perf_counter()
        speech = tts.speak_lines(plan, SAMPLE_RATE, language=request.language, cameos=request.cameos)
        for _ in speech:
            progress.advance()
        spoken = schedule_dialogue(plan["dialogue"], speech, duration=duration, sample_rate=SAMPLE_RATE)
        timings["speech"] = time.perf_counter() - clock

        clock = time.perf_counter()
        trajectory = simulate(plan, world, num_frames=num_frames, fps=fps)
        progress.advance()
        timings["physics"] = time.perf_counter() - clock

        clock = time.perf_counter()
        mouths = mouth_tracks(plan, spoken, fps=fps, num_frames=num_frames, sample_rate=SAMPLE_RATE)
        renderer = Renderer(plan, world, (width, height), fps=fps, num_frames=num_frames, captions=spoken,
                            likenesses=likenesses, mouths=mouths)
        frames = np.empty((num_frames, height, width, 3), dtype=np.uint8)
        for i in range(num_frames):
            renderer.draw(i, trajectory, frames[i])
            progress.advance()
        timings["render"] = time.perf_counter() - clock

        clock = time.perf_counter()
        samples = int(round(duration * SAMPLE_RATE))
        kinds = {s["id"]: s["kind"] for s in plan["subjects"]}
        voice, presence = speech_track(spoken, samples, SAMPLE_RATE)
        audio = mix(
            impacts=impact_track(trajectory.impacts, kinds, samples, SAMPLE_RATE, plan["seed"]),
            ambience=ambience_track(plan, samples, SAMPLE_RATE),
            speech=voice,
            presence=presence,
        )
        progress.advance()
        timings["audio"] = time.perf_counter() - clock

        events = _events(trajectory, spoken)
        meta = {
            "backend": self.name,
            "size": [width, height],
            "num_frames": num_frames,
            "sim_steps": trajectory.steps,
            "impacts": len(trajectory.impacts),
            "dialogue_lines": len(spoken),
            "dialogue_dropped": len(plan["dialogue"]) - len(spoken),
            "voices": {key: name for key, name in plan["cast"].items()
                       if any(key == voices.speaker_key(line) for line in plan["dialogue"])},
            "changes": changes,
            "cameos": {str(k): v.method for k, v in likenesses.items()},
            "timings_s": {k: round(v, 4) for k, v in timings.items()},
        }
        return Clip(frames=frames, fps=fps, audio=audio, sample_rate=SAMPLE_RATE, scene_plan=plan, events=events,
                    meta=meta)


def plan_for(request: GenerationRequest, world: World) -> tuple[dict, list[str]]:
    """The scene plan for a request (a fresh parse, or the parent's plan with the remix applied) and the
    list of changes made to the parent's plan."""
    changes: list[str] = []
    if request.kind in ("remix", "extend"):
        if request.parent is None:
            raise BackendError("A remix or extension needs the clip it starts from.")
        parent_plan = request.parent.scene_plan
        if parent_plan is not None and "version" in parent_plan:
            try:
                plan, changes = remix_plan(parent_plan, request.prompt, seed=request.seed, world=world,
                                           extend=request.kind == "extend")
            except ValueError as exc:
                raise BackendError("The clip this starts from has a scene plan this version cannot read.") from exc
            if request.kind == "extend":
                parent_span = float(parent_plan.get("duration_s") or 0.0) * float(parent_plan.get("speed", 1.0))
                plan["time_offset"] = float(parent_plan.get("time_offset", 0.0)) + parent_span
        else:
            seed = request.parent.seed if request.parent.seed is not None else request.seed
            plan = parse_prompt(request.prompt, seed=seed, world=world)
            changes.append("the parent clip has no scene plan; planned from the prompt")
    else:
        plan = parse_prompt(request.prompt, seed=request.seed, world=world)
    parent_plan = request.parent.scene_plan if request.parent is not None else None
    tts.cast_plan(plan, seed=plan["seed"], requested=request.voices, parent_plan=parent_plan, cameos=request.cameos)
    changes += release_cameos(plan, [cameo.id for cameo in request.cameos])
    changes += attach_cameos(plan, request.cameos, world=world, seed=request.seed)
    plan["aspect"] = request.aspect
    return plan, changes


def _check(request: GenerationRequest) -> None:
    if request.kind not in KINDS:
        raise BackendError(f"Unknown generation kind {request.kind!r}.")
    if not 0 < request.duration_s <= MAX_DURATION_S:
        raise BackendError(f"Clips last between a moment and {int(MAX_DURATION_S)} seconds.")
    if not 1 <= request.fps <= 60:
        raise BackendError("Frame rate must be between 1 and 60 frames per second.")
    try:
        request.size
    except ValueError as exc:
        raise BackendError(f"Unknown aspect ratio {request.aspect!r}.") from exc


def _likenesses(request: GenerationRequest, plan: dict) -> dict[int, Likeness]:
    used = {s["cameo_id"] for s in plan["subjects"] if s["cameo_id"] is not None}
    return {cameo.id: load_likeness(cameo) for cameo in request.cameos if cameo.id in used}


def _events(trajectory: Trajectory, spoken: list) -> list[dict]:
    events: list[dict] = [
        {"type": "impact", "t": impact.t, "strength": impact.strength, "subjects": list(impact.subjects),
         "surface": impact.surface}
        for impact in trajectory.impacts
    ]
    events += [
        {"type": "dialogue", "t": line.start, "end": line.end, "text": line.text, "speaker": line.speaker}
        for line in spoken
    ]
    return sorted(events, key=lambda e: e["t"])


class _Progress:
    """Counts steps and reports them; the callback may raise JobCancelled, which propagates."""

    def __init__(self, callback: Callable[[int, int], None], total: int):
        self.callback = callback
        self.total = total
        self.done = 0
        callback(0, total)

    def advance(self) -> None:
        self.done += 1
        self.callback(self.done, self.total)
