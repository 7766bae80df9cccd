"""``python -m config.workers`` (``make workers``): the workers of a machine with GPUs.

One generation worker per visible GPU, each pinned to its GPU with ``CUDA_VISIBLE_DEVICES``, one job at a time
(``-P solo -c 1``, prefetch 1: a job waits in the queue, not behind a busy GPU) and the video model loaded once
when the process starts; plus one worker for the CPU queue (cameo checks, provenance reports, exports). A machine
with no GPU gets one generation worker on the CPU. The GPUs are those in ``CUDA_VISIBLE_DEVICES`` when it is set,
else those ``nvidia-smi -L`` lists. ``--dry-run`` prints the commands and starts nothing.

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


def plan(
    gpus: list[str], *, python: str = sys.executable, beat: bool = False, cpu_concurrency: int = 2
) -> list[Worker]:
    """The workers to start for ``gpus``."""
    celery = [python, "-m", "celery", "-A", "config", "worker", "--without-gossip", "--without-mingle", "-l", "INFO"]
    generation = [*celery, "-Q", "generation", "-P", "solo", "-c", "1", "--prefetch-multiplier", "1"]
    workers = [
        Worker(f"gpu{gpu}", [*generation, "-n", f"gpu{gpu}@%h"],
               {"CUDA_VISIBLE_DEVICES": gpu, "GENERATION_DEVICE": "cuda"})
        for gpu in gpus
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
    workers = plan(visible_gpus(), beat=args.beat, cpu_concurrency=args.cpu_concurrency)
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
