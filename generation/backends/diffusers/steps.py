"""A pipeline call's progress and failures: each denoising step reported (and a cancel honoured within a step, on
every rank of a context-parallel group), a storyboard shot's steps counted within the whole, and errors turned
into messages a member can read."""

from __future__ import annotations

from typing import Any

import torch
from django.utils.translation import gettext

from ..base import BackendError, ProgressCallback
from .parallel import Group


class ShotProgress:
    """A storyboard shot's denoising steps as the whole storyboard's progress, with the shot named."""

    def __init__(self, on_progress: ProgressCallback, shot: int, shots: int):
        self.on_progress, self.shot, self.shots = on_progress, shot, shots

    def __call__(self, step: int, total: int, **_: Any) -> None:
        self.on_progress(self.shot * total + step, self.shots * total, shot=(self.shot, self.shots))


class StepReporter:
    """``callback_on_step_end``: reports each denoising step; a raising ``on_progress`` stops the pipeline.

    The exception (``JobCancelled``, or any other from the caller) is kept and re-raised by the backend once
    the pipeline returns, so a cancel takes effect within one step.
    """

    def __init__(self, on_progress: ProgressCallback | None, group: Group | None = None):
        self.on_progress = on_progress
        self.group = group  # a context-parallel group: rank 0 decides for every rank whether to stop
        self.stopped: Exception | None = None

    def __call__(self, pipe: Any, step: int, timestep: Any, callback_kwargs: dict[str, Any]) -> dict[str, Any]:
        stop = False
        if self.stopped is None and self.on_progress is not None:
            try:
                self.on_progress(step + 1, pipe.num_timesteps)
            except Exception as exc:
                self.stopped = exc
                stop = True
        if self.group is not None:
            stop = self.group.agree_to_stop(stop)
        if stop:
            pipe._interrupt = True
        return callback_kwargs


def readable_failure(exc: Exception, *, audio: bool = False) -> BackendError:
    out_of_memory = isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()
    )
    if out_of_memory:
        # Memory is freed before this is raised, so a retry starts clean; a smaller or shorter clip may fit.
        message = (
            gettext("The audio model ran out of GPU memory for this clip.")
            if audio
            else gettext("The video model ran out of GPU memory for this clip.")
        )
        return BackendError(message, transient=True)
    message = gettext("The audio model failed: {error}: {detail}") if audio else gettext(
        "The video model failed: {error}: {detail}"
    )
    return BackendError(message.format(error=type(exc).__name__, detail=exc))
