"""Overhead of the diffusers backend over a bare pipeline call, measured in one run.

Builds a tiny model of ``--family`` (wan, the layout that serves every job kind, by default; ltx; ltx2) in a
temporary directory, then times, in alternation so both see the same machine state:

- ``pipe``: ``DiffusionPipeline.from_pretrained(dir)(...)`` with the parameters the backend chose for the job
  (same frames, size, steps, guidance, seed, ``output_type="np"``);
- ``backend``: ``DiffusersBackend.generate(request, on_progress)`` for that job: fitting the request, the same
  pipeline call with the step callback, retiming to 24 fps, resizing, and the soundtrack (ambience, or LTX-2's
  own sound fitted to the clip; the prompt has no dialogue). Encoding the MP4 is not part of either.

The target is an overhead of at most 10 %. Then each cache mode (``GENERATION_CACHE``) against none, on the same
tiny model and job, in alternation: on a model this small the caches' bookkeeping can cost more than the blocks
they skip, so these ratios say that every mode runs and what it costs here, not what it saves on a real model
(bench/gpu.py measures that on a GPU). MagCache gets ratios from a calibration run first, as an operator would.
Run: ``.venv/bin/python bench/diffusers_overhead.py``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from generation.backends.base import GenerationRequest  # noqa: E402
from generation.backends.diffusers import BackendConfigError, DiffusersBackend  # noqa: E402
from generation.backends.diffusers.loading import CACHE_MODES  # noqa: E402
from generation.backends.tiny import make_tiny_model  # noqa: E402

PROMPT = "a red ball bounces in a sunny park"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--short-side", type=int, default=128)
    parser.add_argument("--duration", type=float, default=2.0, help="seconds; 2 s is 33 frames at 16 fps")
    parser.add_argument("--family", choices=["wan", "ltx", "ltx2"], default="wan")
    args = parser.parse_args()

    from diffusers import DiffusionPipeline
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.disable_progress_bar()

    with tempfile.TemporaryDirectory() as tmp:
        model_dir = make_tiny_model(Path(tmp) / args.family, args.family)
        backend = DiffusersBackend(model_dir=model_dir, device="cpu", steps=args.steps, short_side=args.short_side)
        pipe = DiffusionPipeline.from_pretrained(str(model_dir), dtype=torch.float32)
        pipe.set_progress_bar_config(disable=True)

        request = GenerationRequest(
            job_id=1, kind="text", prompt=PROMPT, duration_s=args.duration, aspect="1:1", seed=3,
            short_side=args.short_side,
        )
        shape = backend.plan(request)
        pipe_kwargs = {
            "prompt": PROMPT, "height": shape.height, "width": shape.width, "num_frames": shape.num_frames,
            "num_inference_steps": backend.steps, "guidance_scale": backend.guidance, "output_type": "np",
        }
        if args.family != "wan":
            pipe_kwargs["frame_rate"] = shape.fps

        def bare() -> None:
            pipe(**pipe_kwargs, generator=torch.Generator("cpu").manual_seed(request.seed))

        def through_backend() -> None:
            backend.generate(request, lambda step, total: None)

        bare()  # warm-up: first calls allocate and load kernels
        through_backend()
        pipe_times, backend_times = [], []
        for _ in range(args.repeats):
            pipe_times.append(_timed(bare))
            backend_times.append(_timed(through_backend))
        caches = _cache_modes(model_dir, request, args, backend)

    pipe_s = statistics.median(pipe_times)
    backend_s = statistics.median(backend_times)
    print(f"model: tiny {args.family} ({backend.class_name}), torch threads: {torch.get_num_threads()}")
    print(f"job: {shape.num_frames} frames {shape.width}x{shape.height} at {shape.fps} fps, {backend.steps} steps "
          f"-> clip of {request.num_frames} frames at 24 fps; {args.repeats} repeats")
    print(f"bare pipe(...)      median {pipe_s * 1000:8.1f} ms  (min {min(pipe_times) * 1000:.1f})")
    print(f"backend.generate()  median {backend_s * 1000:8.1f} ms  (min {min(backend_times) * 1000:.1f})")
    print(f"ratio backend/pipe  {backend_s / pipe_s:.3f}  (overhead {100 * (backend_s / pipe_s - 1):+.1f} %, "
          f"target <= +10 %)")
    print("cache modes against none on the same job (tiny model: their cost here, not their saving on a real one):")
    for mode, timing in caches.items():
        if isinstance(timing, str):
            print(f"  cache={mode:<12} refused at start: {timing}")
            continue
        with_cache, without = timing
        print(f"  cache={mode:<12} median {with_cache * 1000:8.1f} ms vs {without * 1000:8.1f} ms  "
              f"ratio {with_cache / without:.3f}")


def _cache_modes(model_dir: Path, request: GenerationRequest, args, plain: DiffusersBackend) -> dict:
    """{mode: (median seconds with it, median seconds without), or why the model refuses it} for every cache mode,
    timed in alternation."""
    ratios = None
    try:
        calibrating = DiffusersBackend(model_dir=model_dir, device="cpu", steps=args.steps,
                                       short_side=args.short_side, cache="magcache_calibrate")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            calibrating.generate(request, lambda *_, **__: None)
        ratios = ast.literal_eval(printed.getvalue()[printed.getvalue().rindex("["):].split("]")[0] + "]")
    except BackendConfigError:
        pass
    results: dict = {}
    for mode in CACHE_MODES:
        if mode == "magcache_calibrate":
            continue
        try:
            cached = DiffusersBackend(model_dir=model_dir, device="cpu", steps=args.steps,
                                      short_side=args.short_side, cache=mode, cache_ratios=ratios)
        except BackendConfigError as exc:
            results[mode] = str(exc)
            continue
        run_cached = lambda: cached.generate(request, lambda *_, **__: None)  # noqa: E731
        run_plain = lambda: plain.generate(request, lambda *_, **__: None)  # noqa: E731
        run_cached()
        times: tuple[list[float], list[float]] = ([], [])
        for _ in range(max(3, args.repeats // 2)):
            times[0].append(_timed(run_cached))
            times[1].append(_timed(run_plain))
        results[mode] = (statistics.median(times[0]), statistics.median(times[1]))
    return results


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
