"""The one interface every generation backend implements.

A backend turns a :class:`GenerationRequest` into a :class:`ClipStream`: the clip's frames come in chunks, in
order, as they are made, and post-processing (marks, encoding) consumes them as they come, so nothing holds a
whole clip's frames and a clip's length is not bounded by memory. Once the last chunk is out, the stream's
``audio`` (one track for the whole clip: small), ``scene_plan``, ``events`` and ``meta`` are final.
:meth:`StreamingBackend.generate` collects a stream into a :class:`Clip` (arrays) for callers that want one.

A request is one shot (``kind`` text, remix, cameo, extend) or a storyboard of :class:`Shot` s (``kind``
storyboard) that share the cast and the setting; a backend makes the shots one after the other into the same
stream, joined by their transitions (:mod:`.sequence`).

Progress goes through ``on_progress(step, total, shot=None)`` (``shot``: ``(index, count)`` of the shot being
made, for storyboards); that callback raises :class:`JobCancelled` when the job must stop (cancelled by its owner,
or consent withdrawn), and the backend lets it propagate (diffusers: it sets ``pipe._interrupt`` and raises after
the pipeline returns).

Nothing here imports Django, torch or any heavy library: the web process may import this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol

import numpy as np

ASPECTS = {"9:16": (9, 16), "16:9": (16, 9), "1:1": (1, 1)}
# Looks a clip can be made in (the preview draws them: preview/scenery.json; the diffusers backend adds them to the
# prompt). A prompt can name one ("film noir", "pastel"); the request's ``style`` overrides it.
STYLES = ("cartoon", "storybook", "noir", "neon")


class JobCancelled(Exception):
    """Raised (by the progress callback) when a job must stop at its next step."""

    def __init__(self, reason: str = "cancelled"):
        super().__init__(reason)
        self.reason = reason


class BackendError(Exception):
    """A job-level failure with a message a person can read. ``transient`` ones are retried."""

    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient


def frame_size(aspect: str, short_side: int = 480) -> tuple[int, int]:
    """(width, height) for an aspect with the given short side, both even (H.264 yuv420p)."""
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r}")
    aw, ah = ASPECTS[aspect]
    if aw <= ah:
        w = short_side
        h = round(short_side * ah / aw)
    else:
        h = short_side
        w = round(short_side * aw / ah)
    return w - w % 2, h - h % 2


@dataclass
class CameoRef:
    """A cameo the job may use (consent already checked by the caller)."""

    id: int
    name: str
    kind: str  # "person" | "character"
    reference_image: str  # local file path of the reference photo (a face for person cameos)
    handle: str = ""  # the owner's username: "@handle says ..." gives the line to this cameo
    voice_profile: dict | None = None  # the owner's measured voice, when kept and switched on (core.voices.voiceprint)


@dataclass
class ParentClip:
    """The clip a remix or an extension starts from: a post, or one of the member's own drafts."""

    post_id: int | None
    scene_plan: dict | None  # the parent's plan (preview backend); None for clips made elsewhere
    video_path: str | None  # local path of the parent's MP4 (video-to-video backends)
    seed: int | None = None
    still: Any = None  # the picture to continue from (uint8 H×W×3), when known: a storyboard's shot before


FRAMINGS = ("wide", "medium", "close_up", "over_the_shoulder", "follow")
TRANSITIONS = ("cut", "dissolve")
DISSOLVE_S = 0.5  # a dissolve's length: the incoming shot fades in over the outgoing one's last picture(s)


@dataclass
class Shot:
    """One shot of a storyboard: its own prompt (what changes from the shot before), its length, how it is
    framed, an optional camera move, and how it begins (``transition`` from the shot before; the first shot's
    is ignored)."""

    prompt: str
    duration_s: float
    framing: str = "wide"  # FRAMINGS
    camera: str | None = None  # a camera move (static, pan_left, pan_right, zoom_in, zoom_out, shake) or from the prompt
    transition: str = "cut"  # TRANSITIONS


@dataclass
class GenerationRequest:
    job_id: int
    kind: str  # "text" | "remix" | "cameo" | "extend" | "storyboard"
    prompt: str  # a storyboard's first shot's prompt
    duration_s: float
    aspect: str
    seed: int
    fps: int = 24
    short_side: int = 480
    parent: ParentClip | None = None
    cameos: list[CameoRef] = field(default_factory=list)
    strength: float = 0.6  # remix: how far from the parent (0 = copy, 1 = ignore it)
    voices: dict[str, str] = field(default_factory=dict)  # speaker -> catalogue voice, chosen by the author
    language: str | None = None  # "en" | "fr": every line in this language; None = detected per line
    shots: list[Shot] = field(default_factory=list)  # a storyboard's shots (``duration_s`` is their sum)
    style: str | None = None  # one of STYLES; None: as the prompt says (or the parent's, for a remix)

    @property
    def size(self) -> tuple[int, int]:
        return frame_size(self.aspect, self.short_side)

    @property
    def num_frames(self) -> int:
        return max(1, round(self.duration_s * self.fps))


@dataclass
class Clip:
    frames: Any  # numpy uint8 array (T, H, W, 3)
    fps: int
    audio: Any  # numpy float32 array (samples,) mono or (samples, channels), values in [-1, 1]
    sample_rate: int
    scene_plan: dict | None = None  # kept on the job so remixes can start from it
    events: list[dict] = field(default_factory=list)  # timeline events, e.g. {"type": "impact", "t": 1.25, "strength": 0.8}
    meta: dict = field(default_factory=dict)  # what the backend actually did (sizes, steps, model)

    @property
    def duration_s(self) -> float:
        return len(self.frames) / self.fps


@dataclass
class ClipStream:
    """A clip as it is made. Iterate ``chunks`` once: uint8 arrays (n, H, W, 3), ``num_frames`` frames in all, in
    order. When it is exhausted, ``audio`` (float32, mono or N×2, exactly ``num_frames / fps`` seconds),
    ``scene_plan``, ``events`` and ``meta`` hold the final values (a backend fills them in as it goes)."""

    fps: int
    size: tuple[int, int]  # (width, height)
    num_frames: int
    sample_rate: int
    chunks: Iterator[np.ndarray] = iter(())
    audio: Any = None
    scene_plan: dict | None = None
    events: list[dict] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps

    def frames(self) -> Iterator[np.ndarray]:
        """The frames one by one (views into the chunks)."""
        for chunk in self.chunks:
            yield from chunk


def collect(stream: ClipStream) -> Clip:
    """Run a stream to its end and keep everything as arrays (tests, benchmarks and short clips)."""
    frames = np.concatenate(list(stream.chunks)) if stream.num_frames else np.zeros((0, 0, 0, 3), np.uint8)
    return Clip(frames=frames, fps=stream.fps, audio=stream.audio, sample_rate=stream.sample_rate,
                scene_plan=stream.scene_plan, events=stream.events, meta=stream.meta)


def chunked(frames: Iterator[np.ndarray], size: tuple[int, int], *, chunk: int = 12) -> Iterator[np.ndarray]:
    """Pack frames (H, W, 3) into chunks of up to ``chunk`` frames (copies: the caller may reuse its buffers)."""
    width, height = size
    buffer = np.empty((chunk, height, width, 3), dtype=np.uint8)
    n = 0
    for frame in frames:
        buffer[n] = frame
        n += 1
        if n == chunk:
            yield buffer.copy()
            n = 0
    if n:
        yield buffer[:n].copy()


class ProgressCallback(Protocol):
    def __call__(self, step: int, total: int, *, shot: tuple[int, int] | None = None) -> None: ...


class Backend(Protocol):
    """What a backend is: settings.GENERATION_BACKENDS names its class, which the worker builds once per process
    with ``from_settings``; ``stream`` starts one job (the work happens as the chunks are read), reporting
    ``(step, total)`` and stopping when the callback raises."""

    name: str

    @classmethod
    def from_settings(cls, settings) -> "Backend": ...

    def stream(self, request: GenerationRequest, on_progress: ProgressCallback) -> ClipStream: ...

    def generate(self, request: GenerationRequest, on_progress: ProgressCallback) -> Clip: ...


class StreamingBackend:
    """The shared half of a backend: :meth:`generate` as a collected :meth:`stream`."""

    def stream(self, request: GenerationRequest, on_progress: ProgressCallback) -> ClipStream:
        raise NotImplementedError

    def generate(self, request: GenerationRequest, on_progress: ProgressCallback) -> Clip:
        return collect(self.stream(request, on_progress))
