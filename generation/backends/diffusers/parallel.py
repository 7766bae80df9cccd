"""Context parallelism: one job's denoising split across the GPUs of one machine (diffusers'
``ContextParallelConfig``: Ulysses attention exchanges attention heads all-to-all, ring attention passes key/value
blocks around the ring), so a clip takes a fraction of one GPU's time instead of each GPU making its own clip.

``GENERATION_CONTEXT_PARALLEL=ulysses:4`` (or ``ring:2``): ``python -m config.workers`` starts one group per
that many GPUs, each group one process per GPU under ``torch.distributed.run`` (``config.parallel_worker``).
Rank 0 is the group's Celery worker: it takes jobs and does everything around the pipeline call (conditioning,
sound, encoding, storage). Before each pipeline call it sends the call (the pipeline, its inputs, the seed) to the
other ranks, which make the same call at the same time; after each denoising step it tells them whether to stop
(a cancel), so every rank leaves the loop at the same step. When the worker stops it tells them to exit.

A failure the ranks share (the same shapes run out of memory on every GPU) fails the job and the group keeps
serving, as a single-GPU worker does. A rank that fails alone cannot finish the collective calls: it exits, the
group's other processes end with it, and ``config.workers`` stops and restarts the set (the job is taken again:
acks are late and its lease lapses).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Callable

import torch

from .loading import BackendConfigError

logger = logging.getLogger("generation.backends.diffusers")

MODES = ("ulysses", "ring")


@dataclass(frozen=True)
class ParallelSetting:
    mode: str
    degree: int

    def __str__(self) -> str:
        return f"{self.mode}:{self.degree}"


def parse_setting(value: str | None) -> ParallelSetting | None:
    """``"ulysses:4"`` / ``"ring:2"`` → the setting; empty → None (no context parallelism)."""
    if not value:
        return None
    mode, _, degree = value.strip().partition(":")
    if mode not in MODES or not degree.isdigit() or int(degree) < 2:
        raise BackendConfigError(
            f"GENERATION_CONTEXT_PARALLEL={value!r} is not a context-parallel setting: use 'ulysses:N' or 'ring:N' "
            f"with N (at least 2) the GPUs that share one job."
        )
    return ParallelSetting(mode, int(degree))


class Group:
    """This process's place in a group of ranks that make each pipeline call together (torch.distributed)."""

    def __init__(self) -> None:
        self.rank = torch.distributed.get_rank()
        self.size = torch.distributed.get_world_size()

    @property
    def leader(self) -> bool:
        return self.rank == 0

    def send_call(self, pipeline: str, inputs: dict[str, Any], seed: int) -> None:
        """(Rank 0) the pipeline call the others make with it now."""
        torch.distributed.broadcast_object_list([("call", pipeline, inputs, seed)], src=0)

    def send_exit(self) -> None:
        """(Rank 0) no more calls: the others return from :func:`follow`."""
        torch.distributed.broadcast_object_list([("exit",)], src=0)

    def receive(self) -> tuple:
        """(The others) the next message from rank 0."""
        message: list[Any] = [None]
        torch.distributed.broadcast_object_list(message, src=0)
        return message[0]

    def agree_to_stop(self, stop: bool) -> bool:
        """After a step: rank 0's decision whether the pipeline stops here, on every rank."""
        flag = [bool(stop) if self.leader else None]
        torch.distributed.broadcast_object_list(flag, src=0)
        return bool(flag[0])


def require_cuda(device: torch.device) -> None:
    if device.type != "cuda":
        raise BackendConfigError(
            "GENERATION_CONTEXT_PARALLEL needs CUDA GPUs: diffusers' context parallelism runs on accelerators only."
        )


def join_group(device: torch.device) -> Group:
    """Join the process group ``torch.distributed.run`` set up (its environment names the rank, the world size and
    where to meet); this rank's GPU becomes the current one."""
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        raise BackendConfigError(
            "GENERATION_CONTEXT_PARALLEL needs one process per GPU started together: run the workers with "
            "'python -m config.workers' (it starts each group under torch.distributed.run)."
        )
    if not torch.distributed.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        torch.distributed.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return Group()


def parallel_config(setting: ParallelSetting) -> Any:
    """diffusers' ``ContextParallelConfig`` for ``setting``. The "anything" modes take any sequence length (and, for
    Ulysses, any head count): every clip size and aspect a job asks for splits across the GPUs, not only those the
    degree divides."""
    from diffusers import ContextParallelConfig

    if setting.mode == "ulysses":
        return ContextParallelConfig(ulysses_degree=setting.degree, ulysses_anything=True)
    return ContextParallelConfig(ring_degree=setting.degree, ring_anything=True)


def enable_context_parallel(transformer: Any, setting: ParallelSetting, group: Group, device: torch.device) -> None:
    """Shard the transformer's attention across the group, or refuse with a message naming the problem."""
    name = type(transformer).__name__
    require_cuda(device)
    if group.size != setting.degree:
        raise BackendConfigError(
            f"GENERATION_CONTEXT_PARALLEL={setting} needs {setting.degree} processes, one per GPU; this group has "
            f"{group.size}."
        )
    if getattr(transformer, "_cp_plan", None) is None or not hasattr(transformer, "enable_parallelism"):
        raise BackendConfigError(f"GENERATION_CONTEXT_PARALLEL: {name} does not support context parallelism.")
    try:
        transformer.enable_parallelism(config=parallel_config(setting))
    except Exception as exc:
        raise BackendConfigError(f"GENERATION_CONTEXT_PARALLEL={setting} cannot be used with {name}: {exc}") from exc
    logger.info("context parallelism %s over %s ranks on %s", setting, group.size, name)


def follow(group: Group, call: Callable[[str, dict[str, Any], int], Any]) -> int:
    """(Ranks other than 0) make each call rank 0 sends, until it says to exit; the number of calls made. A
    failure shared by every rank was the job's (rank 0 reports it): this rank recovers and waits for the next."""
    calls = 0
    while True:
        message = group.receive()
        if message[0] == "exit":
            return calls
        _, pipeline, inputs, seed = message
        calls += 1
        try:
            call(pipeline, inputs, seed)
        except Exception:
            logger.exception("rank %s: the pipeline call failed (rank 0 fails the job)", group.rank)
