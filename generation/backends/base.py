"""The one interface every generation backend implements.

A backend turns a :class:`GenerationRequest` into a :class:`Clip` (frames + audio on one timeline).
It reports progress through ``on_progress(step, total)``; that callback raises :class:`JobCancelled`
when the job must stop (cancelled by its owner, or consent withdrawn), and the backend lets it propagate
(diffusers: it sets ``pipe._interrupt`` and raises after the pipeline returns).

Nothing here imports Django, torch or any heavy library: the web process may import this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

ASPECTS = {"9:16": (9, 16), "16:9": (16, 9), "1:1": (1, 1)}


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


@dataclass
class GenerationRequest:
    job_id: int
    kind: str  # "text" | "remix" | "cameo" | "extend"
    prompt: str
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


ProgressCallback = Callable[[int, int], None]


class Backend(Protocol):
    """What a backend is: settings.GENERATION_BACKENDS names its class, which the worker builds once per process
    with ``from_settings``; ``generate`` runs one job, reporting ``(step, total)`` and stopping when the callback
    raises."""

    name: str

    @classmethod
    def from_settings(cls, settings) -> "Backend": ...

    def generate(self, request: GenerationRequest, on_progress: ProgressCallback) -> Clip: ...
