"""The diffusers backend on a GPU: seconds per clip, time to the first progress event and peak GPU memory, for each
configured model, with no speed switch and with each one, measured in one run on the same card.

    .venv/bin/python bench/gpu.py [--models DIR ...] [--duration 5] [--short-side 480] [--steps N]

``--models`` defaults to ``GENERATION_MODEL``. Each row is one backend (the model loaded once, then a warm-up clip
that also pays a compile, then ``--repeats`` timed clips of ``--duration`` seconds, 16:9 at ``--short-side``);
the ratio column compares a row's median with the same model's row without switches. With two GPUs or more it
adds a row per model for context parallelism (``ulysses:N`` over all of them: the benchmark runs itself once more
under ``torch.distributed.run``, one process per GPU). Where no GPU is present it
says so and exits with status 0: this benchmark means nothing on a CPU (bench/diffusers_overhead.py times the
backend and the cache modes there with the tiny models).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SWITCHES: list[tuple[str, dict]] = [
    ("none", {}),
    ("cache=first_block", {"cache": "first_block"}),
    ("cache=pab", {"cache": "pab"}),
    ("cache=faster", {"cache": "faster"}),
    ("cache=taylorseer", {"cache": "taylorseer"}),
    ("compile=blocks", {"compile": "blocks"}),
    ("offload=group", {"offload": "group"}),
    ("offload=model", {"offload": "model"}),
    ("vae tiling+slicing", {"vae_tiling": True, "vae_slicing": True}),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", default=[os.environ.get("GENERATION_MODEL", "")])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--short-side", type=int, default=480)
    parser.add_argument("--steps", type=int, default=0, help="denoising steps (default: the family's)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--parallel", default="", help=argparse.SUPPRESS)  # a rank of the context-parallel row
    parser.add_argument("--baseline", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    import torch

    if not torch.cuda.is_available():
        print("bench/gpu.py: no CUDA GPU is visible on this machine; nothing to measure (run it on a GPU worker).")
        return 0
    models = [Path(m) for m in args.models if m]
    if not models:
        print("bench/gpu.py: give --models DIR ... or set GENERATION_MODEL to a diffusers video model directory.")
        return 0

    import django

    django.setup()
    from generation.backends.base import GenerationRequest
    from generation.backends.diffusers import BackendConfigError, DiffusersBackend

    print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}; clip: {args.duration:g} s 16:9 at "
          f"{args.short_side}p, {args.repeats} timed runs after a warm-up")
    print(f"{'model':<28} {'switch':<20} {'s/clip':>8} {'ratio':>6} {'first step s':>12} {'peak GiB':>9}")
    if args.parallel:  # one rank of the context-parallel row (see below)
        return _parallel_rank(args, models[0], DiffusersBackend, GenerationRequest)
    gpus = torch.cuda.device_count()
    for model in models:
        baseline = None
        for label, switch in SWITCHES:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
            try:
                backend = DiffusersBackend(model_dir=model, device="cuda", steps=args.steps or None,
                                           short_side=args.short_side, **switch)
            except BackendConfigError as exc:
                print(f"{model.name[:28]:<28} {label:<20} refused at start: {exc}")
                continue
            baseline = _row(backend, args, model, label, baseline, GenerationRequest)
            del backend
        if gpus >= 2 and baseline:
            command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(gpus),
                       __file__, "--parallel", f"ulysses:{gpus}", "--baseline", str(baseline), "--models", str(model),
                       "--duration", str(args.duration), "--short-side", str(args.short_side), "--steps",
                       str(args.steps), "--repeats", str(args.repeats)]
            done = subprocess.run(command, capture_output=True, text=True)
            rows = [line for line in done.stdout.splitlines() if line.startswith(model.name[:28])]
            print("\n".join(rows) or f"{model.name[:28]:<28} {'ulysses:' + str(gpus):<20} failed: "
                  f"{(done.stdout + done.stderr).strip().splitlines()[-1:]}", flush=True)
    return 0


def _row(backend, args, model: Path, label: str, baseline: float | None, request_class) -> float:
    """Time ``backend`` (a warm-up, then ``--repeats`` clips) and print its row; the seconds per clip."""
    import torch

    request = request_class(job_id=1, kind="text", prompt="a red ball bounces in a sunny park, the camera follows it",
                            duration_s=args.duration, aspect="16:9", seed=7, short_side=args.short_side)
    backend.generate(request, lambda *_, **__: None)  # warm-up (and compile)
    times, firsts = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        first: list[float] = []
        backend.generate(request, lambda *_, **__: first or first.append(time.perf_counter() - start))
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
        firsts.append(first[0] if first else float("nan"))
    seconds = statistics.median(times)
    baseline = baseline or seconds
    peak = torch.cuda.max_memory_allocated() / 2**30
    print(f"{model.name[:28]:<28} {label:<20} {seconds:8.1f} {seconds / baseline:6.2f} "
          f"{statistics.median(firsts):12.2f} {peak:9.1f}", flush=True)
    return baseline


def _parallel_rank(args, model: Path, backend_class, request_class) -> int:
    """One process of the context-parallel row: rank 0 times the clips, the others make its calls with it."""
    backend = backend_class(model_dir=model, device="cuda", steps=args.steps or None, short_side=args.short_side,
                            context_parallel=args.parallel)
    if backend.group.leader:
        _row(backend, args, model, args.parallel, args.baseline, request_class)
        backend.group.send_exit()
    else:
        backend.follow()
    return 0


if __name__ == "__main__":
    sys.exit(main())
