"""``python -m config.workers`` (``make workers``): the workers of a machine with GPUs.

One generation worker per visible GPU, each pinned to its GPU with ``CUDA_VISIBLE_DEVICES``, one job at a time
(``-P solo -c 1``, prefetch 1: a job waits in the queue, not behind a busy GPU) and the video model loaded once
when the process starts; plus one worker for the CPU queue (cameo checks, provenance reports, exports). A machine
with no GPU gets one generation worker on the CPU. The GPUs are those in ``CUDA_VISIBLE_DEVICES`` when it is set,
else those ``nvidia-smi -L`` lists. ``--dry-run`` prints the commands and starts nothing.

With ``GENERATION_CONTEXT_PARALLEL=ulysses:N`` (or ``ring:N``) the GPUs are taken N at a time instead: each N
is one group of N processes under ``torch.distributed.run`` that shares every job (``config.parallel_worker``);
GPUs left over run a worker each, without it.

The launcher stays in the foreground: Ctrl-C or SIGTERM stops every worker (each finishes or hands back its job:
acks are late, so a job taken by a worker that stops is picked up again), and when one worker exits the others
are stopped too, so a supervisor (systemd, a container runtime) sees the failure and restarts the set.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from config.processes import stop_process_groups

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Worker:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)


def visible_gpus(environ: dict[str, str] | None = None) -> list[str]:
    """The GPU ids this machine offers: ``CUDA_VISIBLE_DEVICES`` if set (empty or -1: none), else ``nvidia-smi``."""
    environ = os.environ if environ is None else environ
    if "CUDA_VISIBLE_DEVICES" in environ:
        ids = [part.strip() for part in environ["CUDA_VISIBLE_DEVICES"].split(",") if part.strip()]
        return [] if ids in ([], ["-1"]) else ids
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [str(n) for n, line in enumerate(line for line in listed.splitlines() if line.startswith("GPU "))]


def parallel_degree(setting: str | None) -> int:
    """How many GPUs share a job under ``GENERATION_CONTEXT_PARALLEL`` ("ulysses:4" → 4; unset → 1). A malformed
    setting is left to the backend, which refuses it with a message when the worker starts."""
    _, _, degree = (setting or "").partition(":")
    return int(degree) if degree.isdigit() and int(degree) >= 2 else 1


def plan(
    gpus: list[str], *, python: str = sys.executable, beat: bool = False, cpu_concurrency: int = 2,
    context_parallel: str | None = None,
) -> list[Worker]:
    """The workers to start for ``gpus``. With context parallelism of degree N, the GPUs are taken N at a time:
    each N is one worker group of N processes (``config.parallel_worker`` under ``torch.distributed.run``)
    that shares every job; GPUs left over run a worker each, without it."""
    options = ["--without-gossip", "--without-mingle", "-l", "INFO"]
    queue = ["-Q", "generation", "-P", "solo", "-c", "1", "--prefetch-multiplier", "1"]
    celery = [python, "-m", "celery", "-A", "config", "worker", *options]
    generation = [*celery, *queue]
    degree = parallel_degree(context_parallel)
    if degree > 1 and len(gpus) < degree:
        raise ValueError(f"GENERATION_CONTEXT_PARALLEL={context_parallel} shares each job across {degree} GPUs; "
                         f"this machine shows {len(gpus)}.")
    grouped = len(gpus) - len(gpus) % degree if degree > 1 else 0
    workers = []
    for start in range(0, grouped, degree):
        ids = gpus[start:start + degree]
        name = f"gpus{'-'.join(ids)}"
        command = [python, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(degree),
                   "-m", "config.parallel_worker", *options, *queue, "-n", f"{name}@%h"]
        workers.append(Worker(name, command, {"CUDA_VISIBLE_DEVICES": ",".join(ids), "GENERATION_DEVICE": "cuda"}))
    alone = {"GENERATION_CONTEXT_PARALLEL": ""} if grouped else {}
    workers += [
        Worker(f"gpu{gpu}", [*generation, "-n", f"gpu{gpu}@%h"],
               {"CUDA_VISIBLE_DEVICES": gpu, "GENERATION_DEVICE": "cuda", **alone})
        for gpu in gpus[grouped:]
    ]
    if not workers:
        workers.append(Worker("cpu-generation", [*generation, "-n", "generation@%h"], {"CUDA_VISIBLE_DEVICES": ""}))
    cpu = [*celery, "-Q", "default", "-c", str(cpu_concurrency), "-n", "cpu@%h"]
    if beat:
        cpu += ["-B", "-s", str(Path(os.environ.get("RIFF_VAR_DIR", ROOT / "var")) / "celerybeat-schedule")]
    workers.append(Worker("cpu", cpu, {"CUDA_VISIBLE_DEVICES": ""}))
    return workers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start one generation worker per GPU and a CPU worker.")
    parser.add_argument("--dry-run", action="store_true", help="print the workers and their commands, start nothing")
    parser.add_argument("--beat", action="store_true", help="also run the periodic tasks (one machine only)")
    parser.add_argument("--cpu-concurrency", type=int, default=2, help="processes of the CPU worker (default 2)")
    args = parser.parse_args(argv)
    try:
        workers = plan(visible_gpus(), beat=args.beat, cpu_concurrency=args.cpu_concurrency,
                       context_parallel=os.environ.get("GENERATION_CONTEXT_PARALLEL"))
    except ValueError as exc:
        print(f"cannot start the workers: {exc}", flush=True)
        return 2
    for worker in workers:
        pinned = " ".join(f"{k}={v!r}" for k, v in worker.env.items())
        print(f"{worker.name}: {pinned} {' '.join(worker.command)}", flush=True)
    if args.dry_run:
        return 0

    children = [
        subprocess.Popen(worker.command, cwd=ROOT, env={**os.environ, **worker.env}, start_new_session=True)
        for worker in workers
    ]
    stop = {"requested": False}
    signal.signal(signal.SIGINT, lambda *_: stop.update(requested=True))
    signal.signal(signal.SIGTERM, lambda *_: stop.update(requested=True))
    code = 0
    while not stop["requested"]:
        ended = [child for child in children if child.poll() is not None]
        if ended:
            code = ended[0].returncode or 1
            print(f"a worker exited with code {ended[0].returncode}: stopping the others", flush=True)
            break
        time.sleep(0.5)
    stop_process_groups(children, grace_s=60)
    return code


if __name__ == "__main__":
    sys.exit(main())
