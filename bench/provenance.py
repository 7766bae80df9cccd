"""Cost of provenance over a plain encode, and how well the invisible mark survives, measured in one run.

For a 10 s 9:16 clip (480×854, 24 fps, synthetic moving shapes over a grainy gradient, with sound), times in
alternation so both see the same machine state:

- ``encode``: ``encode_mp4(frames, ...)``, the plain H.264 + AAC encode;
- ``provenance``: ``encode_mp4(mark_frames(...), pixel_format="yuv420p")`` (visible badge + invisible mark,
  computed frame by frame while the encoder's threads work) followed by ``sign_mp4`` (C2PA manifest).

The target is at most 30 % extra wall time. CPU time is printed too: on a shared machine it is the steadier
figure. Then the bit error rates of the mark in the signed clip, after re-encoding it at CRF 35, after scaling
it to 75 % (re-encoded at CRF 23), and after both at once.

Last, the re-share that does both at once, over ``--clips`` clips (50) from the preview backend: 2 to 10 s,
twelve prompts, their own seeds, all three shapes, marked, encoded, then scaled to 75 % and re-encoded at CRF 35.
It prints the share read back (target 100 %) and the bit error rates before correction (the votes' hard bits)
and after (0 for a clip read back: the keyed check vouches for every bit).

Run: ``.venv/bin/python bench/provenance.py`` (about 20 minutes on two cores; ``--clips 0`` skips the last part).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from core import video as media  # noqa: E402
from generation.provenance import (  # noqa: E402
    ClipManifest,
    VisibleWatermark,
    bit_error_rate,
    create_local_ca,
    extract_payload,
    luma_change,
    mark_frames,
    payload_bits,
    sign_mp4,
)
from tests.generation.synthetic import textured_clip  # noqa: E402  (the clips the tests use)
from tests.support import reencode  # noqa: E402  (a re-share, as the tests make it)

FPS = 24
RATE = 24_000
IDENT = 0x0BE7_0042


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all threads) for one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clips", type=int, default=50, help="preview clips re-shared at CRF 35 + 75 %%")
    args = parser.parse_args()

    frames, audio = textured_clip(seconds=args.seconds, fps=FPS, sample_rate=RATE, seed=11)
    print(f"clip: {len(frames)} frames {frames.shape[2]}x{frames.shape[1]} at {FPS} fps, {args.seconds:g} s")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        keys = create_local_ca(work / "keys")
        manifest = ClipManifest(generator_version="bench", title="bench clip", job_id=1, post_id=IDENT)

        def encode() -> None:
            media.encode_mp4(frames, FPS, audio, RATE, work / "plain.mp4")

        def provenance() -> None:
            marked = mark_frames(frames, handle="bench_user", fps=FPS, ident=IDENT)
            media.encode_mp4(marked, FPS, audio, RATE, work / "marked.mp4", pixel_format="yuv420p")
            sign_mp4(work / "marked.mp4", work / "signed.mp4", manifest=manifest,
                     cert_chain_path=keys.cert_chain, key_path=keys.private_key)

        encode(), provenance()  # warm up: codec set-up, page faults, the C2PA library
        results: dict[str, list[tuple[float, float]]] = {"encode": [], "provenance": []}
        for _ in range(args.repeats):
            results["encode"].append(timed(encode))
            results["provenance"].append(timed(provenance))
        report_times(results)
        report_parts(frames, keys, manifest, work)
        report_robustness(work / "signed.mp4", work)
        if args.clips:
            report_reshares(args.clips, work)


def report_times(results: dict[str, list[tuple[float, float]]]) -> None:
    wall = {name: statistics.median(run[0] for run in runs) for name, runs in results.items()}
    cpu = {name: statistics.median(run[1] for run in runs) for name, runs in results.items()}
    for name in results:
        runs = ", ".join(f"{run[0]:.3f}" for run in results[name])
        print(f"{name:>11}: wall {wall[name]:.3f} s (median of {runs}), CPU {cpu[name]:.3f} s")
    extra_wall = wall["provenance"] / wall["encode"] - 1
    extra_cpu = cpu["provenance"] / cpu["encode"] - 1
    verdict = "within" if extra_wall <= 0.30 else "OVER"
    print(f"extra for provenance: wall {100 * extra_wall:+.1f} % ({verdict} the 30 % target), "
          f"CPU {100 * extra_cpu:+.1f} %")


def report_parts(frames: np.ndarray, keys, manifest: ClipManifest, work: Path) -> None:
    """Each step alone, single-threaded, for where the time goes."""
    badge = VisibleWatermark(width=frames.shape[2], height=frames.shape[1], handle="bench_user", fps=FPS)
    planes = [media.Yuv420Converter()(frame) for frame in frames]
    bits = payload_bits(IDENT)

    def visible() -> None:
        for index, frame in enumerate(frames):
            with badge.stamped(frame, index):
                pass

    def invisible() -> None:
        change = None
        for index, plane in enumerate(planes):
            if index % 2 == 0:
                change = luma_change(plane, bits)
            change.apply(plane)

    def sign() -> None:
        sign_mp4(work / "marked.mp4", work / "signed-again.mp4", manifest=manifest,
                 cert_chain_path=keys.cert_chain, key_path=keys.private_key)

    for name, step in (("visible badge", visible), ("invisible mark", invisible), ("C2PA signing", sign)):
        wall = statistics.median(timed(step)[0] for _ in range(3))
        print(f"  {name:>14}: {1000 * wall:7.1f} ms for the clip")


def report_robustness(signed: Path, work: Path) -> None:
    copies = {
        "signed clip (CRF 20)": media.decode_frames(signed),
        "re-encoded at CRF 35": reencode(signed, work / "crf35.mp4", crf=35),
        "scaled to 75 %, CRF 23": reencode(signed, work / "scaled.mp4", crf=23, scale=0.75),
        "scaled to 75 % + CRF 35": reencode(signed, work / "scaled35.mp4", crf=35, scale=0.75),
    }
    for name, frames in copies.items():
        ident, stats = extract_payload(frames)
        ber = bit_error_rate(frames, IDENT)
        outcome = "reads back" if ident == IDENT else "NOT read" if ident is None else f"WRONG id {ident}"
        print(f"{name:>24}: per-frame BER {ber['frame_ber']:.3f} (best {ber['best_frame_ber']:.3f}), "
              f"voted BER {ber['voted_ber']:.3f}, confidence {stats['confidence']:.2f}: {outcome}")


RESHARE_PROMPTS = [
    "a red ball bouncing in a kitchen", "two cats rolling on the floor at night",
    "a car racing in the desert, camera pans", "snow falling in a forest", "a dog running on the beach at sunset",
    "five white balls bouncing in space", "rain in the city at night with fog", "a yellow cube spinning on a table",
    "a bird flying over the ocean", "a purple ball rolling on sand at dawn, zoom in", "a green car falling in the snow",
    'a cat says "breakfast time!"',
]


def report_reshares(count: int, work: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from generation.backends.base import GenerationRequest
    from generation.backends.preview import PreviewBackend
    from generation.provenance_checks import SAMPLE_FRAMES

    backend = PreviewBackend()
    rng = np.random.default_rng(77)
    read, before, after, corrected = 0, [], [], []
    for index in range(count):
        seconds = (2, 3, 4, 5, 6, 8, 10)[index % 7]
        request = GenerationRequest(
            job_id=index, kind="text", prompt=RESHARE_PROMPTS[index % len(RESHARE_PROMPTS)], duration_s=seconds,
            aspect=("9:16", "16:9", "1:1")[index % 3], seed=77_000 + index, short_side=480,
        )
        clip = backend.generate(request, lambda step, total: None)
        ident = int(rng.integers(1, 2**31))
        marked = mark_frames(clip.frames, handle="bench_user", fps=clip.fps, ident=ident)
        media.encode_mp4(marked, clip.fps, clip.audio, clip.sample_rate, work / "clip.mp4", pixel_format="yuv420p")
        frames = reencode(work / "clip.mp4", work / "reshared.mp4", crf=35, scale=0.75)[:SAMPLE_FRAMES]
        ident_read, stats = extract_payload(frames)
        ber = bit_error_rate(frames, ident)["voted_ber"]
        before.append(ber)
        read += ident_read == ident
        corrected.append(stats["bits_corrected"])
        after.append(0.0 if ident_read == ident else ber)
        print(f"  clip {index + 1:>2}: {seconds:>2} s {request.aspect:>5}, BER before {ber:.3f}, after {after[-1]:.3f}"
              f" ({stats['bits_corrected']} bits corrected, {stats['frames_used']}/{stats['frames_read']} frames)",
              flush=True)
    values, residual = np.array(before), np.array(after)
    most = max((c for c in corrected if c is not None), default=0)
    print(f"CRF 35 + 75 % over {count} preview clips: read back {read}/{count} ({100 * read / count:.0f} %, "
          f"target 100 %)")
    print(f"  BER before correction: mean {values.mean():.3f}, median {np.median(values):.3f}, "
          f"worst {values.max():.3f}; after correction: mean {residual.mean():.3f}, worst {residual.max():.3f}; "
          f"most bits corrected {most} of {payload_bits(0).size}")

if __name__ == "__main__":
    main()
