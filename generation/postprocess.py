"""Post-processing for every clip: visible moving badge with the creator's handle, invisible watermark carrying
the job's provenance id, H.264 + AAC encode, poster JPEG, and a signed C2PA manifest (the parent clip as an
ingredient for remixes). Worker-only."""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

from cameos.models import CameoUse
from core.video import encode_mp4, make_poster

from .backends.base import Clip, ClipStream
from .models import GenerationJob
from .provenance import ClipManifest, ensure_local_keys, local_keys, mark_frames, sign_mp4

logger = logging.getLogger("riff.worker")


@dataclass
class FinishedClip:
    video_path: Path
    poster_path: Path
    meta: dict = field(default_factory=dict)


def signing_keys():
    """The configured keys; the embedded default creates its local CA on first use."""

    keys = local_keys(
        settings.PROVENANCE_DIR,
        cert_chain=settings.C2PA_CERT_CHAIN,
        private_key=settings.C2PA_PRIVATE_KEY,
        trust_anchor=settings.C2PA_TRUST_ANCHOR,
    )
    if not keys.exist() and Path(settings.C2PA_CERT_CHAIN).parent == Path(settings.PROVENANCE_DIR):
        keys, _ = ensure_local_keys(settings.PROVENANCE_DIR)
    return keys


@dataclass(frozen=True)
class Ingredient:
    """A source clip of a stitch: its signed MP4 on disk and the title its manifest entry gets."""

    path: Path
    title: str


def manifest_for(job: GenerationJob, *, parent_path: Path | None, ingredients: list[Ingredient] | None = None):
    uses = list(CameoUse.objects.filter(job=job).values_list("cameo_id", "id"))
    parent_title = None
    if job.remix_of_id:
        parent_title = f"Riff clip {job.remix_of_id}"
    elif job.extends_id:
        parent_title = f"Riff draft {job.extends_id} by @{job.user.username}"
    return ClipManifest(
        generator_version=settings.VERSION,
        title=f"Riff clip by @{job.user.username}",
        job_id=job.pk,
        prompt=job.prompt if job.prompt_public else None,
        cameo_ids=tuple(cameo_id for cameo_id, _ in uses),
        consent_grant_ids=tuple(use_id for _, use_id in uses),
        parent_path=parent_path,
        parent_title=parent_title,
        components=tuple((item.path, item.title) for item in ingredients or ()),
    )


def finish_clip(*, job: GenerationJob, clip: ClipStream | Clip, workdir: Path,
                ingredients: list[Ingredient] | None = None) -> FinishedClip:
    """Mark, encode and sign a clip as its frames arrive (a :class:`ClipStream` is read once, frame by frame;
    nothing keeps more than the poster frame). ``ingredients`` are the source clips a stitch is made of; a remix
    or an extension finds its parent at ``workdir / "parent.mp4"``."""
    started = time.monotonic()
    stream = clip if isinstance(clip, ClipStream) else _as_stream(clip)
    poster_at = min(stream.num_frames - 1, stream.fps // 2)
    kept: dict[str, np.ndarray] = {}
    count = 0

    def frames():
        nonlocal count
        for index, frame in enumerate(stream.frames()):
            if index == poster_at:
                kept["poster"] = np.array(frame, copy=True)
            count += 1
            yield frame

    unsigned = workdir / "clip-unsigned.mp4"
    encode_mp4(
        mark_frames(frames(), handle=job.user.username, fps=stream.fps, ident=job.provenance_id),
        stream.fps,
        lambda: stream.audio,
        stream.sample_rate,
        unsigned,
        pixel_format="yuv420p",
    )
    if count != stream.num_frames:
        raise RuntimeError(f"the clip stream gave {count} frames, not the {stream.num_frames} it announced")
    encoded = time.monotonic()
    poster = workdir / "poster.jpg"
    make_poster(kept["poster"], poster)

    final = workdir / "clip.mp4"
    parent = workdir / "parent.mp4"
    signed = False
    try:
        keys = signing_keys()
        sign_mp4(
            unsigned,
            final,
            manifest=manifest_for(job, parent_path=parent if parent.exists() else None, ingredients=ingredients),
            cert_chain_path=keys.cert_chain,
            key_path=keys.private_key,
        )
        signed = True
    except Exception:
        logger.exception("job %s: could not sign the clip; it is stored without a C2PA manifest", job.pk)
        shutil.copyfile(unsigned, final)
    width, height = stream.size
    meta = {
        **stream.meta,
        "clip": {"duration_s": round(count / stream.fps, 4), "width": int(width), "height": int(height),
                 "fps": stream.fps},
        "events": stream.events,
        "provenance": {"signed": signed, "watermark": "dwtDctSvd", "ident": job.provenance_id},
        "timings": {**stream.meta.get("timings", {}), "encode_mark_s": round(encoded - started, 3),
                    "finish_s": round(time.monotonic() - started, 3)},
    }
    return FinishedClip(video_path=final, poster_path=poster, meta=_jsonable(meta))


def _as_stream(clip: Clip) -> ClipStream:
    frames = clip.frames
    return ClipStream(fps=clip.fps, size=(int(frames.shape[2]), int(frames.shape[1])), num_frames=len(frames),
                      sample_rate=clip.sample_rate, chunks=iter([frames]), audio=clip.audio,
                      scene_plan=clip.scene_plan, events=clip.events, meta=clip.meta)


def _jsonable(value):
    import json

    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else str(o)))
