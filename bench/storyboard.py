"""Storyboards in constant memory: the worker's peak resident memory and real-time factor for 10, 30 and 60 s
storyboards on the preview backend, measured side by side in one run.

Each length runs in a fresh process (peak memory is per process) doing what the worker does with a clip: the
backend's stream of frames, marked and encoded as it comes (``generation.postprocess``'s chain), then signed.
For comparison, the same storyboards are also made the way clips were made before streaming (all frames
collected in one array, then encoded).

Targets: the 60 s peak at most 1.3 × the 10 s peak; real-time factor at least 3.

Run: .venv/bin/python bench/storyboard.py
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("RIFF_VAR_DIR", tempfile.mkdtemp(prefix="riff-bench-"))

LENGTHS = (10, 30, 60)
SHOT_PROMPTS = (
    'two red balls bounce in a kitchen, the girl says "watch them go"',
    "the balls keep bouncing",
    'at night, the boy whispers "they are still going"',
    "in the snow",
    "a blue car drives by",
    'the girl shouts "again!"',
)
FRAMINGS = ("wide", "close_up", "medium")


def shots_for(seconds: int) -> list[dict]:
    count = seconds // 10
    return [{"prompt": SHOT_PROMPTS[k % len(SHOT_PROMPTS)], "duration_s": 10.0, "framing": FRAMINGS[k % 3],
             "transition": "dissolve" if k % 2 else "cut"} for k in range(count)]


def child(seconds: int, mode: str) -> None:
    import django

    django.setup()
    from django.conf import settings

    from core.video import encode_mp4
    from generation.backends.base import GenerationRequest, Shot, collect
    from generation.backends.preview import PreviewBackend
    from generation.provenance import ClipManifest, ensure_local_keys, mark_frames, sign_mp4

    backend = PreviewBackend()
    backend.warm_up()
    keys, _ = ensure_local_keys(settings.PROVENANCE_DIR)
    shots = [Shot(**shot) for shot in shots_for(seconds)]
    request = GenerationRequest(job_id=1, kind="storyboard", prompt=shots[0].prompt, duration_s=float(seconds),
                                aspect="9:16", seed=42, shots=shots)
    work = Path(tempfile.mkdtemp(prefix="riff-bench-board-"))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    stream = backend.stream(request, lambda step, total, shot=None: None)
    if mode == "collected":
        clip = collect(stream)
        frames, audio = clip.frames, (lambda: clip.audio)
    else:
        frames, audio = stream.frames(), (lambda: stream.audio)
    encode_mp4(mark_frames(frames, handle="benchmark", fps=stream.fps, ident=123456), stream.fps, audio,
               stream.sample_rate, work / "clip.mp4", pixel_format="yuv420p")
    sign_mp4(work / "clip.mp4", work / "signed.mp4",
             manifest=ClipManifest(generator_version=settings.VERSION, title="bench", job_id=1),
             cert_chain_path=keys.cert_chain, key_path=keys.private_key)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mb": peak / 1024, "baseline_mb": baseline / 1024, "wall_s": wall}))


def run(seconds: int, mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(seconds), mode], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    print("storyboards on the preview backend, 9:16 at 480p, shots of 10 s (each length in a fresh process)")
    print(f"{'length':>7} {'mode':>10} {'peak MB':>9} {'after load':>11} {'made in':>8} {'RTF':>6}")
    results: dict[tuple[str, int], dict] = {}
    for mode in ("streamed", "collected"):
        for seconds in LENGTHS:
            r = results[(mode, seconds)] = run(seconds, mode)
            print(f"{seconds:>5} s {mode:>10} {r['peak_mb']:>9.0f} {r['peak_mb'] - r['baseline_mb']:>+11.0f}"
                  f" {r['wall_s']:>7.1f}s {seconds / r['wall_s']:>6.2f}")
    for mode in ("streamed", "collected"):
        ratio = results[(mode, 60)]["peak_mb"] / results[(mode, 10)]["peak_mb"]
        print(f"{mode}: 60 s peak / 10 s peak = {ratio:.2f} (target <= 1.3 when streamed)")
    worst = min(seconds / results[("streamed", seconds)]["wall_s"] for seconds in LENGTHS)
    print(f"streamed: lowest real-time factor {worst:.2f} (target >= 3)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3])
    else:
        main()
