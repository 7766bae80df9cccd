"""Cost of provenance over a plain encode, and how well the invisible mark survives, measured in one run.

For a 10 s 9:16 clip (480×854, 24 fps, synthetic moving shapes over a grainy gradient, with sound), times in
alternation so both see the same machine state:

- ``encode``: ``encode_mp4(frames, ...)``, the plain H.264 + AAC encode;
- ``provenance``: ``encode_mp4(mark_frames(...), pixel_format="yuv420p")`` (visible badge + invisible mark,
  computed frame by frame while the encoder's threads work) followed by ``sign_mp4`` (C2PA manifest).

The target is at most 30 % extra wall time. CPU time is printed too: on a shared machine it is the steadier
figure. Then the bit error rates of the mark in the signed clip, after re-encoding it at CRF 35, after scaling
it to 75 % (re-encoded at CRF 23), and after both at once.

Run: ``.venv/bin/python bench/provenance.py``.
"""

from __future__ import annotations

import argparse
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


if __name__ == "__main__":
    main()
