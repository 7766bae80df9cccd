"""Stitching drafts into one clip: the source clips decoded one frame at a time and joined with their
transitions (:mod:`generation.backends.sequence`), their sounds laid end to end with a cross-fade under each
dissolve. Worker-only.

A dissolve between two clips is a cross-fade over the outgoing clip's last :data:`~.backends.base.DISSOLVE_S`
seconds: the two overlap there, so a stitch lasts the sum of its clips less the overlaps (nothing is frozen or
padded with silence). A cut joins them end to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from django.utils.translation import gettext

from core.video import MediaError, decode_audio, iter_frames, probe

from .backends.base import DISSOLVE_S, BackendError, ClipStream, ProgressCallback, chunked
from .backends.sequence import Part, join

SAMPLE_RATE = 22050  # the preview's rate; sources at other rates are resampled to it


@dataclass
class Source:
    """A clip to stitch: its local MP4 and how it begins (the first one's transition is ignored)."""

    path: Path
    transition: str = "cut"


def stitch_stream(sources: list[Source], on_progress: ProgressCallback) -> ClipStream:
    """One stream of the sources joined in order. All sources have the same frame size and rate (drafts of one
    aspect made here); a source that does not is refused with a readable message."""
    infos = []
    for source in sources:
        try:
            infos.append(probe(source.path))
        except MediaError as exc:
            raise BackendError(
                gettext("A clip to stitch could not be read: {message}").format(message=exc.message),
            ) from exc
    size = (int(infos[0]["width"]), int(infos[0]["height"]))
    fps = int(round(infos[0]["fps"] or 24))
    for info in infos[1:]:
        if (int(info["width"]), int(info["height"])) != size or int(round(info["fps"] or 24)) != fps:
            raise BackendError(gettext("The clips to stitch must have the same shape and frame rate."))
    counts = [_frame_count(source.path) for source in sources]
    overlaps = [0] + [
        max(1, min(round(DISSOLVE_S * fps), counts[k - 1] - 1, counts[k] - 1)) if source.transition == "dissolve" else 0
        for k, source in enumerate(sources) if k > 0
    ]
    lengths = [count - (overlaps[k + 1] if k + 1 < len(counts) else 0) for k, count in enumerate(counts)]
    total = sum(lengths)
    out = ClipStream(fps=fps, size=size, num_frames=total, sample_rate=SAMPLE_RATE)
    done = [0]

    def frames_of(k: int) -> Iterator[np.ndarray]:
        for frame in iter_frames(sources[k].path):
            done[0] += 1
            on_progress(min(done[0], total), total)
            yield frame

    def parts() -> Iterator[Part]:
        for k in range(len(sources)):
            yield Part(frames=frames_of(k), length=lengths[k], tail=overlaps[k + 1] if k + 1 < len(sources) else 0,
                       dissolve_in=overlaps[k])

    def frames() -> Iterator[np.ndarray]:
        on_progress(0, total)
        yield from join(parts())
        out.audio = _joined_audio(sources, lengths, overlaps, fps)
        out.meta = {"backend": "stitch", "size": list(size), "num_frames": total,
                    "parts": [{"start_s": round(sum(lengths[:k]) / fps, 4), "frames": lengths[k],
                               "transition": sources[k].transition if k else None} for k in range(len(sources))]}
        out.events = [{"type": sources[k].transition, "t": round(sum(lengths[:k]) / fps, 5), "part": k}
                      for k in range(1, len(sources))]

    out.chunks = chunked(frames(), size)
    return out


def _frame_count(path: Path) -> int:
    count = sum(1 for _ in _packets(path))
    if count == 0:
        raise BackendError(gettext("A clip to stitch has no frames."))
    return count


def _packets(path: Path):
    import av

    with av.open(str(path)) as container:
        for packet in container.demux(video=0):
            if packet.size:
                yield packet


def _joined_audio(sources: list[Source], lengths: list[int], overlaps: list[int], fps: int) -> np.ndarray:
    """The sources' sound on the joined timeline: each clip from where its picture starts, cross-faded with the
    one before over a dissolve."""
    total = round(sum(lengths) / fps * SAMPLE_RATE)
    track = np.zeros(total, dtype=np.float32)
    for k, source in enumerate(sources):
        samples, rate = decode_audio(source.path)
        if rate and rate != SAMPLE_RATE and len(samples):
            n = max(1, round(len(samples) * SAMPLE_RATE / rate))
            samples = np.interp(np.arange(n) * (rate / SAMPLE_RATE), np.arange(len(samples)), samples)
        samples = np.asarray(samples, dtype=np.float32)
        start = round(sum(lengths[:k]) / fps * SAMPLE_RATE)
        span = round((lengths[k] + (overlaps[k + 1] if k + 1 < len(sources) else 0)) / fps * SAMPLE_RATE)
        piece = np.zeros(span, dtype=np.float32)
        piece[: min(span, len(samples))] = samples[:span]
        fade_in = round(overlaps[k] / fps * SAMPLE_RATE)
        fade_out = round((overlaps[k + 1] if k + 1 < len(sources) else 0) / fps * SAMPLE_RATE)
        if fade_in:
            piece[:fade_in] *= np.sqrt(np.linspace(0.0, 1.0, fade_in, dtype=np.float32))
        if fade_out:
            piece[span - fade_out:] *= np.sqrt(np.linspace(1.0, 0.0, fade_out, dtype=np.float32))
        stop = min(total, start + span)
        track[start:stop] += piece[: stop - start]
    return np.clip(track, -1.0, 1.0)
