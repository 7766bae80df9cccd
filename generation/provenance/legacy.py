"""Reading the marks of clips published before the error-correcting payload (scheme v1), so that a re-share of an
older clip is still found.

v1 carried 64 bits, a 32-bit identifier and a 32-bit HMAC-SHA-256 check under the key
``riff.invisible-watermark.v1``, in the largest singular values of 8×8 blocks of the luma LL band, quantised with
a step of 64, in the keyed layout. It has no error correction: a reading is accepted only when all 64 bits pass
the keyed check (in either polarity), which an unmarked clip does about once in 2^32 readings.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Sequence

import numpy as np

from .invisible import (
    STANDARD_SIZES,
    MarkScheme,
    _block_sigmas,
    _candidate_sizes,
    _lattice_shift,
    _layout,
    _resize,
    _soft_bits,
    marked_frames,
)

V1_KEY = b"riff.invisible-watermark.v1"
V1_ID_BITS = 32
V1_BITS = 64
V1_SCHEME = MarkScheme(channel="Y", block=8, step=64.0, layout="keyed")


def _check(body: bytes) -> bytes:
    return hmac.new(V1_KEY, body, hashlib.sha256).digest()[: (V1_BITS - V1_ID_BITS) // 8]


def v1_payload_bits(ident: int) -> np.ndarray:
    """The 64 bits a v1 mark carried for ``ident``."""
    body = ident.to_bytes(V1_ID_BITS // 8, "big")
    return np.unpackbits(np.frombuffer(body + _check(body), dtype=np.uint8))


def _parse(bits: np.ndarray) -> int | None:
    data = np.packbits(bits.astype(np.uint8)).tobytes()
    body, check = data[: V1_ID_BITS // 8], data[V1_ID_BITS // 8:]
    return int.from_bytes(body, "big") if hmac.compare_digest(check, _check(body)) else None


def extract_v1(frames: Sequence[np.ndarray] | np.ndarray,
               sizes: Sequence[tuple[int, int]] = STANDARD_SIZES) -> tuple[int | None, dict]:
    """The identifier of a v1 mark in ``frames`` (uint8 RGB), or ``None``; with the same stats as the current
    reader (``bits_corrected`` is always 0: v1 has nothing to correct with)."""
    frames = [np.asarray(frame) for frame in frames]
    if not frames:
        return None, {}
    height, width = frames[0].shape[:2]
    for size in _candidate_sizes((width, height), sizes):
        resized = frames if size == (width, height) else [_resize(frame, size) for frame in frames]
        sigmas = [_block_sigmas(frame, V1_SCHEME) for frame in resized]
        shift = _lattice_shift(np.concatenate([s.ravel() for s in sigmas]), V1_SCHEME.step)
        index = _layout(*sigmas[0].shape, V1_BITS, V1_SCHEME.layout, V1_KEY).ravel()
        counts = np.maximum(np.bincount(index, minlength=V1_BITS), 1)
        votes = np.stack([np.bincount(index, weights=_soft_bits(s.ravel(), V1_SCHEME.step, shift),
                                      minlength=V1_BITS) / counts for s in sigmas])
        used = marked_frames(votes)
        bits = (votes[used].mean(axis=0) > 0).astype(np.uint8)
        for candidate in (bits, 1 - bits):
            ident = _parse(candidate)
            if ident is not None:
                return ident, {"scheme": "v1", "size": size, "frames_read": len(frames), "frames_used": int(used.sum()),
                               "bits": V1_BITS, "bits_corrected": 0}
    return None, {}
