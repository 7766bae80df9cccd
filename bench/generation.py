"""Preview backend speed and the cost of encoding, measured side by side in one run.

Prints, for a 10 s 9:16 clip with dialogue (and the same for the animatic's busiest scenes: three figures, a hoop,
a court, the neon style; four jointed animals, a table, a kitchen):
- the preview backend's real-time factor (clip seconds / wall seconds of ``generate``), target >= 3;
- the real-time factor of the whole job pipeline (generate + watermarks + encode + C2PA signing);
- the share of the pipeline's wall time spent encoding (with the watermarks) and, for comparison, a bare PyAV
  encode of the same frames.

Run: .venv/bin/python bench/generation.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("RIFF_VAR_DIR", tempfile.mkdtemp(prefix="riff-bench-"))

PROMPT = 'two red balls bouncing on a beach at sunset, camera pans, "look at them go!" "again, again!"'
# The animatic's busiest case the issue names: three figures, a prop with physics, a place's decor, a style.
ANIMATIC = ('a basketball player misses a shot and the ball bounces off the rim on an outdoor court at sunset, '
            'a kid and the coach watch, neon night, the coach shouts "again!"')
# Jointed animals: a galloping horse, a dog that walks, a cat that leaps onto a table, a bird beating its wings.
ANIMALS = ("a horse gallops, a dog walks, a cat jumps onto the table and a bird flies over the kitchen, "
           "storybook")
REPEATS = 3


def main() -> None:
    import django

    django.setup()
    from django.conf import settings

    from core.video import encode_mp4
    from generation.backends.base import GenerationRequest
    from generation.backends.preview import PreviewBackend
    from generation.provenance import ClipManifest, ensure_local_keys, mark_frames, sign_mp4

    backend = PreviewBackend()
    backend.warm_up()
    keys, _ = ensure_local_keys(settings.PROVENANCE_DIR)
    request = GenerationRequest(job_id=1, kind="text", prompt=PROMPT, duration_s=10.0, aspect="9:16", seed=42)
    work = Path(tempfile.mkdtemp(prefix="riff-bench-gen-"))

    gen_times, bare_times, marked_times, sign_times = [], [], [], []
    for i in range(REPEATS):
        t0 = time.perf_counter()
        clip = backend.generate(request, lambda step, total: None)
        t1 = time.perf_counter()
        encode_mp4(clip.frames, clip.fps, clip.audio, clip.sample_rate, work / f"bare-{i}.mp4")
        t2 = time.perf_counter()
        encode_mp4(mark_frames(clip.frames, handle="benchmark", fps=clip.fps, ident=123456), clip.fps, clip.audio,
                   clip.sample_rate, work / f"marked-{i}.mp4", pixel_format="yuv420p")
        t3 = time.perf_counter()
        sign_mp4(work / f"marked-{i}.mp4", work / f"signed-{i}.mp4",
                 manifest=ClipManifest(generator_version=settings.VERSION, title="bench", job_id=1),
                 cert_chain_path=keys.cert_chain, key_path=keys.private_key)
        t4 = time.perf_counter()
        gen_times.append(t1 - t0)
        bare_times.append(t2 - t1)
        marked_times.append(t3 - t2)
        sign_times.append(t4 - t3)

    gen, bare, marked, sign = (statistics.median(x) for x in (gen_times, bare_times, marked_times, sign_times))
    pipeline = gen + marked + sign
    seconds = clip.duration_s
    print(f"clip: {seconds:.2f} s, {clip.frames.shape[2]}x{clip.frames.shape[1]} @ {clip.fps} fps, "
          f"{len(clip.events)} timeline events; medians of {REPEATS} runs")
    print(f"preview backend generate:           {gen:6.3f} s   real-time factor {seconds / gen:5.2f}  (target >= 3)")
    print(f"bare PyAV encode of the same frames: {bare:6.3f} s")
    print(f"encode with both watermarks:         {marked:6.3f} s   ({marked / bare:4.2f} x the bare encode)")
    print(f"C2PA signing:                        {sign:6.3f} s")
    print(f"whole job pipeline:                  {pipeline:6.3f} s   real-time factor {seconds / pipeline:5.2f}")
    print(f"share of pipeline wall time encoding: {marked / pipeline:5.1%} (a bare encode would be {bare / (gen + bare):5.1%})")
    for job_id, prompt in ((2, ANIMATIC), (3, ANIMALS)):
        animatic = GenerationRequest(job_id=job_id, kind="text", prompt=prompt, duration_s=10.0, aspect="9:16",
                                     seed=42)
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            made = backend.generate(animatic, lambda step, total: None)
            times.append(time.perf_counter() - t0)
        understood = made.meta["understood"]
        figures = ", ".join(f"{n} {kind}" for kind, n in understood["subjects"].items() if kind != "ball")
        print(f"animatic ({figures}; {', '.join(understood['props'])}, {understood['place']}, "
              f"{understood['style']}): {statistics.median(times):6.3f} s   "
              f"real-time factor {made.duration_s / statistics.median(times):5.2f}  (target >= 3)")

if __name__ == "__main__":
    main()
