"""The preview backend: prompt -> scene plan -> physics -> frames + sound, on the CPU, in seconds.

A clip is one shot or a storyboard of shots (:mod:`.storyboard`); the shots are simulated and drawn one after
the other into one stream of frames (:mod:`generation.backends.sequence`), so memory does not grow with length.
The sound is one track for the whole clip: the lines laid out across shots (a line may run on over a cut),
each shot's impacts at their frames, and an ambience that continues under cuts.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable, Iterator

import numpy as np
from django.utils.translation import gettext

from core import voices
from generation.backends.base import (
    DISSOLVE_S,
    BackendError,
    ClipStream,
    GenerationRequest,
    ProgressCallback,
    Shot,
    StreamingBackend,
    chunked,
)
from generation.backends.sequence import Part, dissolve_frames, join, shot_frame_counts

from . import tts
from .audio import FIRST_LINE_AT_S, SAMPLE_RATE, SpokenLine, impact_track, mix, schedule_dialogue, speech_track
from .cameo import Likeness, load_likeness
from .cameo_plan import attach_cameos, release_cameos
from .framing import FramedCamera, main_subject, other_subject
from .mouths import mouth_tracks, speaker_subject
from .physics import Impact, simulate
from .remix import remix_plan
from .render import Renderer
from .scene import parse_prompt
from .staging import understanding
from .storyboard import ambience, request_shots, shot_plans
from .world import World

KINDS = frozenset({"text", "remix", "cameo", "extend", "storyboard"})
MAX_DURATION_S = 120.0


class PreviewBackend(StreamingBackend):
    """Procedural clips: a parsed scene, simulated with pymunk, drawn with Pillow/numpy, with impact sounds,
    ambience and dialogue on the same timeline. Deterministic for a seed.

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

    def stream(self, request: GenerationRequest, on_progress: ProgressCallback) -> ClipStream:
        _check(request)
        shots = request_shots(request)
        counts = shot_frame_counts([shot.duration_s for shot in shots], request.fps)
        out = ClipStream(fps=request.fps, size=request.size, num_frames=sum(counts), sample_rate=SAMPLE_RATE)
        out.chunks = chunked(_Making(self.name, request, shots, counts, out, on_progress).frames(), request.size)
        return out


class _Making:
    """One clip being made: plans and speech first, then each shot simulated and drawn as it is read."""

    def __init__(self, name: str, request: GenerationRequest, shots: list[Shot], counts: list[int], out: ClipStream,
                 on_progress: ProgressCallback):
        self.name, self.request, self.shots, self.counts, self.out = name, request, shots, counts, out
        self.on_progress = on_progress
        self.world = World.for_aspect(request.aspect)
        self.fps = request.fps
        self.dissolves = dissolve_frames([shot.transition for shot in shots], counts, self.fps, DISSOLVE_S)
        self.tails = [*self.dissolves[1:], 0]
        self.starts = [sum(counts[:k]) / self.fps for k in range(len(counts))]
        self.timings: dict[str, float] = {"speech": 0.0, "physics": 0.0, "render": 0.0, "audio": 0.0}

    def frames(self) -> Iterator[np.ndarray]:
        request, fps = self.request, self.fps
        planned = shot_plans(request, self.world, self.shots, self.counts, plan_for)
        self.plans = [plan for plan, _ in planned]
        likenesses = _likenesses(request, self.plans)
        lines = [(k, line) for k, plan in enumerate(self.plans) for line in plan["dialogue"]]
        progress = _Progress(self.on_progress, total=len(lines) + len(self.shots) + 1
                             + sum(self.counts) + sum(self.tails), shots=len(self.shots) if len(self.shots) > 1 else 0)

        clock = time.perf_counter()
        speech = []
        for plan in self.plans:
            for audio in tts.speak_lines(plan, SAMPLE_RATE, language=request.language, cameos=request.cameos):
                speech.append(audio)
                progress.advance()
        duration = sum(self.counts) / fps
        spoken = schedule_dialogue([line for _, line in lines], speech, duration=duration, sample_rate=SAMPLE_RATE,
                                   earliest=[self.starts[k] + FIRST_LINE_AT_S for k, _ in lines])
        self.timings["speech"] += time.perf_counter() - clock

        impacts: list[Impact] = []
        kinds: dict[int, str] = {}
        sim_steps = 0

        def parts() -> Iterator[Part]:
            nonlocal sim_steps
            for k, plan in enumerate(self.plans):
                progress.shot = k
                clock = time.perf_counter()
                n = self.counts[k] + self.tails[k]
                trajectory = simulate(plan, self.world, num_frames=n, fps=fps)
                sim_steps += trajectory.steps
                progress.advance()
                self.timings["physics"] += time.perf_counter() - clock
                length = self.counts[k] / fps
                impacts.extend(dataclasses.replace(impact, t=round(impact.t + self.starts[k], 5))
                               for impact in trajectory.impacts if impact.t < length)
                kinds.update({s["id"]: s["kind"] for s in plan["subjects"]})
                local = _shifted(spoken, self.starts[k], n / fps)
                mouths = mouth_tracks(plan, local, fps=fps, num_frames=n, sample_rate=SAMPLE_RATE)
                renderer = Renderer(plan, self.world, request.size, fps=fps, num_frames=n, captions=local,
                                    likenesses=likenesses, mouths=mouths,
                                    camera=self._camera(self.shots[k], plan, trajectory, local))
                yield Part(frames=self._drawn(renderer, trajectory, n, progress), length=self.counts[k],
                           tail=self.tails[k], dissolve_in=self.dissolves[k])

        yield from join(parts())

        clock = time.perf_counter()
        samples = int(round(duration * SAMPLE_RATE))
        last = self.plans[-1]
        voice, presence = speech_track(spoken, samples, SAMPLE_RATE)
        self.out.audio = mix(
            impacts=impact_track(impacts, kinds, samples, SAMPLE_RATE, last["seed"]),
            ambience=ambience(self.plans, self.counts, fps, SAMPLE_RATE),
            speech=voice,
            presence=presence,
        )
        progress.advance()
        self.timings["audio"] += time.perf_counter() - clock
        self.out.scene_plan = last
        self.out.events = self._events(impacts, spoken)
        self.out.meta = self._meta(planned, spoken, likenesses, sim_steps, len(impacts))

    def _drawn(self, renderer: Renderer, trajectory, n: int, progress: "_Progress") -> Iterator[np.ndarray]:
        width, height = self.request.size
        frame = np.empty((height, width, 3), dtype=np.uint8)
        for i in range(n):
            clock = time.perf_counter()
            renderer.draw(i, trajectory, frame)
            self.timings["render"] += time.perf_counter() - clock
            progress.advance()
            yield frame

    def _camera(self, shot: Shot, plan: dict, trajectory, spoken: list[SpokenLine]) -> FramedCamera | None:
        framing = shot.framing if shot.framing != "wide" else plan.get("framing") or "wide"
        if framing == "wide" or not plan["subjects"]:
            return None
        first = next((line for line in spoken if line.start >= 0), None)
        speaker = voices.speaker_key({"speaker": first.speaker}) if first is not None and first.speaker else None
        main = main_subject(plan, speaker_subject(plan, speaker, {}) if speaker else None)
        return FramedCamera(framing, trajectory, self.request.size, self.world.px_per_m(self.request.size),
                            fps=self.fps, kinds=[s["kind"] for s in plan["subjects"]], subject=main,
                            other=other_subject(plan, main))

    def _events(self, impacts: list[Impact], spoken: list[SpokenLine]) -> list[dict]:
        events: list[dict] = [
            {"type": "impact", "t": impact.t, "strength": impact.strength, "subjects": list(impact.subjects),
             "surface": impact.surface}
            for impact in impacts
        ]
        events += [
            {"type": "dialogue", "t": line.start, "end": line.end, "text": line.text, "speaker": line.speaker}
            for line in spoken
        ]
        events += [
            {"type": self.shots[k].transition, "t": round(self.starts[k], 5), "shot": k}
            for k in range(1, len(self.shots))
        ]
        return sorted(events, key=lambda e: e["t"])

    def _meta(self, planned, spoken, likenesses, sim_steps: int, impacts: int) -> dict:
        width, height = self.request.size
        dialogue = [line for plan in self.plans for line in plan["dialogue"]]
        cast = {key: name for plan in self.plans for key, name in plan["cast"].items()
                if any(key == voices.speaker_key(line) for line in dialogue)}
        meta = {
            "backend": self.name,
            "size": [width, height],
            "num_frames": sum(self.counts),
            "sim_steps": sim_steps,
            "impacts": impacts,
            "dialogue_lines": len(spoken),
            "dialogue_dropped": len(dialogue) - len(spoken),
            "voices": cast,
            "changes": planned[0][1] if len(planned) == 1 else [c for _, changes in planned[1:] for c in changes],
            "cameos": {str(k): v.method for k, v in likenesses.items()},
            # What the prompt named that the clip shows, and what it did not understand (labelled crates for
            # unknown things; the composer shows both); what a cap dropped.
            "understood": understanding(self.plans[-1]),
            "not_understood": sorted({w for plan in self.plans for w in plan.get("not_understood", [])}),
            "dropped": self.plans[0].get("dropped", {}),
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
        }
        if self.request.kind == "storyboard":
            meta["shots"] = [
                {"index": k, "prompt": shot.prompt, "start_s": round(self.starts[k], 4),
                 "duration_s": round(self.counts[k] / self.fps, 4), "frames": self.counts[k],
                 "framing": shot.framing, "camera": plan["camera"], "transition": shot.transition if k else None,
                 "changes": changes}
                for k, (shot, (plan, changes)) in enumerate(zip(self.shots, planned))
            ]
        return meta


def _shifted(spoken: list[SpokenLine], start: float, length: float) -> list[SpokenLine]:
    """The lines heard during a shot, on the shot's own clock (a line from the shot before starts below 0)."""
    return [dataclasses.replace(line, start=round(line.start - start, 4), end=round(line.end - start, 4))
            for line in spoken if line.end > start and line.start < start + length]


def plan_for(request: GenerationRequest, world: World) -> tuple[dict, list[str]]:
    """The scene plan for a request (a fresh parse, or the parent's plan with the remix applied) and the
    list of changes made to the parent's plan."""
    changes: list[str] = []
    if request.kind in ("remix", "extend"):
        if request.parent is None:
            raise BackendError(gettext("A remix or extension needs the clip it starts from."))
        parent_plan = request.parent.scene_plan
        if parent_plan is not None and "version" in parent_plan:
            try:
                plan, changes = remix_plan(parent_plan, request.prompt, seed=request.seed, world=world,
                                           extend=request.kind == "extend")
            except ValueError as exc:
                raise BackendError(
                    gettext("The clip this starts from has a scene plan this version cannot read."),
                ) from exc
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
    if request.style and plan.get("style") != request.style:
        changes.append(f"style: {plan.get('style')} -> {request.style}")
        plan["style"] = request.style
        plan["understood"] = understanding(plan)
    plan["aspect"] = request.aspect
    return plan, changes


def _check(request: GenerationRequest) -> None:
    if request.kind not in KINDS:
        raise BackendError(gettext("Unknown generation kind {kind!r}.").format(kind=request.kind))
    if not 0 < request.duration_s <= MAX_DURATION_S:
        raise BackendError(
            gettext("Clips last between a moment and {most} seconds.").format(most=int(MAX_DURATION_S)),
        )
    if not 1 <= request.fps <= 60:
        raise BackendError(gettext("Frame rate must be between 1 and 60 frames per second."))
    try:
        request.size
    except ValueError as exc:
        raise BackendError(gettext("Unknown aspect ratio {aspect!r}.").format(aspect=request.aspect)) from exc
    if request.kind == "storyboard" and not request.shots:
        raise BackendError(gettext("A storyboard needs at least one shot."))


def _likenesses(request: GenerationRequest, plans: list[dict]) -> dict[int, Likeness]:
    used = {s["cameo_id"] for plan in plans for s in plan["subjects"] if s["cameo_id"] is not None}
    return {cameo.id: load_likeness(cameo) for cameo in request.cameos if cameo.id in used}


class _Progress:
    """Counts steps and reports them (with the shot being made, for storyboards); the callback may raise
    JobCancelled, which propagates."""

    def __init__(self, callback: Callable[..., None], total: int, *, shots: int = 0):
        self.callback = callback
        self.total = total
        self.shots = shots
        self.shot = 0
        self.done = 0
        self._report()

    def advance(self) -> None:
        self.done += 1
        self._report()

    def _report(self) -> None:
        if self.shots:
            self.callback(self.done, self.total, shot=(self.shot, self.shots))
        else:
            self.callback(self.done, self.total)
