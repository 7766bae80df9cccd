"""Provenance for every clip: a visible moving badge, an invisible watermark, and a signed C2PA manifest.

Worker-side code (it imports OpenCV and the C2PA library). The usual sequence for a finished clip::

    encode_mp4(mark_frames(frames, handle=..., fps=..., ident=post_id), fps, audio, rate, tmp_path,
               pixel_format="yuv420p")
    sign_mp4(tmp_path, final_path, manifest=ClipManifest(...), cert_chain_path=..., key_path=...)

``mark_frames`` hands frames to the encoder one at a time, so the marks are computed on this thread while the
encoder's own threads compress earlier frames.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np

from core.video import Yuv420Converter

from .c2pa_sign import (
    ClipManifest,
    SigningKeys,
    create_local_ca,
    ensure_local_keys,
    local_keys,
    read_manifest,
    sign_mp4,
)
from .invisible import (
    MARK_REFRESH,
    LumaChange,
    bit_error_rate,
    embed_bits,
    embed_bits_yuv420p,
    embed_payload,
    extract_payload,
    luma_change,
)
from .legacy import extract_v1
from .payload import payload_bits
from .visible import VisibleWatermark, apply_visible_watermark

__all__ = [
    "ClipManifest",
    "LumaChange",
    "SigningKeys",
    "VisibleWatermark",
    "apply_visible_watermark",
    "bit_error_rate",
    "create_local_ca",
    "embed_bits",
    "embed_bits_yuv420p",
    "embed_payload",
    "ensure_local_keys",
    "extract_payload",
    "extract_v1",
    "local_keys",
    "luma_change",
    "mark_frames",
    "payload_bits",
    "read_manifest",
    "sign_mp4",
]


def mark_frames(frames: Iterable[np.ndarray], *, handle: str, fps: float, ident: int) -> Iterator[np.ndarray]:
    """Yield each RGB frame with the visible badge and the invisible ``ident``, as a yuv420p array for
    :func:`core.video.encode_mp4` (``pixel_format="yuv420p"``). ``frames`` is an array or any iterable (a clip
    stream's frames): each is read once, and is the same afterwards (the badge is drawn in place for the
    conversion, then the pixels under it are put back).

    The colour conversion is the one the encoder would do anyway; the invisible mark then goes into the luma
    plane (a third of the work of marking RGB), recomputed every :data:`MARK_REFRESH` frames.
    """
    badge = None
    bits = payload_bits(ident)
    to_yuv = Yuv420Converter()
    change = None
    for index, frame in enumerate(frames):
        if badge is None:
            badge = VisibleWatermark(width=frame.shape[1], height=frame.shape[0], handle=handle, fps=fps)
        with badge.stamped(frame, index) as stamped:
            planes = to_yuv(stamped)
        if change is None or index % MARK_REFRESH == 0:
            change = luma_change(planes, bits)
        yield change.apply(planes)
