"""Invisible watermark: a 112-bit payload (a 32-bit identifier, a 24-bit keyed check and 56 bits of BCH parity)
hidden in every frame.

The embedding rule is imwatermark's ``dwtDctSvd``: take the Haar LL band of one colour channel, cut it into
square blocks, and quantise each block's largest singular value to a lattice of step ``step`` so that its
position inside the step (a quarter or three quarters) carries one payload bit. The DCT in the library's name
does not change singular values (it is orthonormal), so each block's own top singular vectors give the same
change. :data:`IMWATERMARK_SCHEME` reproduces the library's defaults exactly (its ``WatermarkDecoder`` reads
what we embed with it; see the tests).

Riff's scheme (:data:`RIFF_SCHEME`) keeps the quantisation rule and tunes it for video that is re-shared, from
measurements on preview clips of 2 to 10 s re-encoded at CRF 35 *and* scaled to 75 % (``bench/provenance.py``):

- the luma channel: H.264 keeps far less chroma than luma (the library's blue-difference channel is gone
  after one CRF 35 re-encode);
- large blocks, 16×16 of the LL band (32×32 pixels), and the block's mean (times its side) as the quantised
  value instead of its largest singular value: for the non-negative blocks of a picture the two are nearly the
  same, but the mean is what survives a rescale and a coarse re-encode best, and it is one uniform change per
  block. A step of 229 (14.3 per unit of mean) moves pixels by at most ±3.6 levels (PSNR about 39.5 dB; on a
  flat wall, side by side with the original, the 32-pixel blocks can be made out). The former 8×8 blocks with
  a step of 64 (43 dB) read back from fewer than one clip in ten after both transforms. At the same ±3.6
  levels, 14×14 blocks read back 32 of 40 square clips of the hardest scene (rain in the city at night: the
  encoder spends its bits on the rain), 16×16 read 39 of 40 and 18×18 (too few blocks per bit) 8 of 16;
- bits spread over the frame by a keyed, balanced layout instead of row-major order (which confines each bit
  to a few vertical stripes, so a moving object there erases it);
- every frame marked the same way: it is then part of the picture an encoder predicts from frame to frame
  (alternating its polarity every half second doubled the wrong bits).

Vectorised over blocks (OpenCV + numpy): under a millisecond per 480×854 frame (the library's loop: ~100 ms).

Reading: every block votes for its bit with a soft score in [-1, 1] (how close its value sits to the "1" or
"0" position); votes are averaged per bit over the frames that carry the mark. CRF 35 wipes the mark from parts
of the picture, so up to one bit in seven can come out wrong, always the same ones (every frame is predicted
from the same key frame): the error-correcting code fixes those (:mod:`.payload`). A rescaled clip is resized
back to the platform's sizes first; a global shift of brightness (a decoder that rounds down) is measured from
the lattice phase and undone.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Iterator, Literal, Sequence

import cv2
import numpy as np

from .payload import DEFAULT_KEY, PAYLOAD_BITS, closest_codeword, parse_payload, payload_bits

# Sizes the platform renders (width, height); a rescaled copy is tried at those of the same shape.
STANDARD_SIZES: tuple[tuple[int, int], ...] = (
    (480, 854), (480, 852), (854, 480), (852, 480), (480, 480), (720, 1280), (1280, 720), (720, 720),
)
MIN_SIDE = 256
SHIFT_TRIALS = (0.06, 0.12, 0.18)  # lattice shifts tried around the measured one (in steps)
MARK_REFRESH = 2  # frames that share one computed change in the video pipeline (see LumaChange)
_FRAME_SHARE = 0.5  # frames voting with less than half the best frame's agreement carry no mark


@dataclass(frozen=True)
class MarkScheme:
    """Where and how strongly the bits go: the parameters of the ``dwtDctSvd`` rule."""

    channel: Literal["Y", "U"]  # BT.601 luma, or the blue-difference channel (U = 0.492 (B - Y) + 128)
    block: int  # side of the square blocks of the LL band
    step: float  # quantisation step of the largest singular value
    layout: Literal["keyed", "row_major"]  # which bit each block carries
    measure: Literal["svd", "mean"] = "svd"  # the block's largest singular value, or its mean × its side


RIFF_SCHEME = MarkScheme(channel="Y", block=16, step=229.0, layout="keyed", measure="mean")
IMWATERMARK_SCHEME = MarkScheme(channel="U", block=4, step=36.0, layout="row_major")

# RGB -> channel weights and offset, and how a change of that channel alone moves R, G and B
# (OpenCV's YUV <-> RGB, which imwatermark uses).
_CHANNEL_FROM_RGB = {
    "Y": (np.array([[0.299, 0.587, 0.114]], dtype=np.float32), 0.0),
    "U": (np.array([[-0.492 * 0.299, -0.492 * 0.587, 0.492 * (1 - 0.114)]], dtype=np.float32), 128.0),
}
_RGB_PER_CHANNEL = {"Y": (1.0, 1.0, 1.0), "U": (0.0, -0.395, 2.032)}


# --- Embedding ----------------------------------------------------------------------------------------------


def embed_payload(
    frames: np.ndarray,
    ident: int,
    *,
    every: int = 1,
    key: bytes = DEFAULT_KEY,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Hide ``ident`` in ``frames`` (uint8 T×H×W×3 RGB, each at least 256×256) and return the marked frames.

    ``every`` marks one frame in ``every`` (1, all frames, is what survives re-encoding). The result goes to
    ``out`` when given (``out=frames`` marks in place and saves a copy of the clip), else to a new array.
    """
    frames = _check_frames(frames)
    if every < 1:
        raise ValueError("every must be at least 1")
    if out is None:
        out = frames.copy()
    bits = payload_bits(ident, key=key)
    for index in range(0, len(frames), every):
        embed_bits(frames[index], bits, key=key, out=out[index])
    return out


def embed_bits(
    frame: np.ndarray,
    bits: np.ndarray,
    *,
    scheme: MarkScheme | None = None,
    key: bytes = DEFAULT_KEY,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Hide raw ``bits`` in one RGB frame with ``scheme`` (default :data:`RIFF_SCHEME`); writes into ``out``
    (may be ``frame`` itself) and returns it."""
    scheme = scheme or RIFF_SCHEME
    height, width = _marked_area(frame.shape, scheme)
    if out is None:
        out = frame.copy()
    delta = _mark_change(_lowpass(frame[:height, :width], scheme.channel), bits, scheme, key)
    # Rounded at half resolution to small integers: writing the full-size change costs a byte per sample.
    delta_rgb = cv2.merge([np.rint(delta * np.float32(gain)).astype(np.int8) for gain in
                           _RGB_PER_CHANNEL[scheme.channel]])
    full = cv2.resize(delta_rgb, (width, height), interpolation=cv2.INTER_NEAREST)
    out[:height, :width] = cv2.add(frame[:height, :width], full, dtype=cv2.CV_8U)  # saturates at 0 and 255
    return out


def embed_bits_yuv420p(planes: np.ndarray, bits: np.ndarray, *, key: bytes = DEFAULT_KEY) -> np.ndarray:
    """Hide raw ``bits`` in a yuv420p frame in place (``planes``: uint8 (H·3/2)×W, studio range) and return it.

    The same mark as :func:`embed_bits` puts in RGB (Riff's scheme is on luma), computed on the luma plane the
    encoder is about to compress: a third of the memory traffic, and no colour conversion of its own.
    """
    return luma_change(planes, bits, key=key).apply(planes)


@dataclass(frozen=True)
class LumaChange:
    """The luma change that marks one yuv420p frame, ready to add (to it, or to the next frame of the clip).

    Consecutive frames differ little, so a change computed on one frame still marks the next: reusing it for
    :data:`MARK_REFRESH` frames halves the cost, with the same bit error rates after CRF 35 and 75 % scaling in
    our measurements (every frame still carries the mark, which is what survives re-encoding).
    """

    rises: np.ndarray  # uint8, rows × cols
    falls: np.ndarray  # uint8, rows × cols

    def apply(self, planes: np.ndarray) -> np.ndarray:
        rows, cols = self.rises.shape
        luma = planes[:rows, :cols]
        # Saturating uint8 adds of the rises and the falls are several times faster than one signed add.
        planes[:rows, :cols] = cv2.subtract(cv2.add(luma, self.rises), self.falls)
        return planes


def luma_change(planes: np.ndarray, bits: np.ndarray, *, key: bytes = DEFAULT_KEY) -> LumaChange:
    """The change of the luma plane of a yuv420p frame (studio range, 16-235) that hides ``bits`` in it.

    The mark is defined on full-range luma (what the reader computes from RGB), so values are mapped both ways.
    """
    luma = planes[: planes.shape[0] * 2 // 3]
    rows, cols = _marked_area(luma.shape, RIFF_SCHEME)
    half = cv2.resize(luma[:rows, :cols], (cols // 2, rows // 2), interpolation=cv2.INTER_AREA)
    band = (half.astype(np.float32) - np.float32(16.0)) * np.float32(2.0 * 255.0 / 219.0)
    delta = np.rint(_mark_change(band, bits, RIFF_SCHEME, key) * np.float32(219.0 / 255.0))
    rises, falls = (
        cv2.resize(np.maximum(sign * delta, 0).astype(np.uint8), (cols, rows), interpolation=cv2.INTER_NEAREST)
        for sign in (1, -1)
    )
    return LumaChange(rises=rises, falls=falls)


def _mark_change(band: np.ndarray, bits: np.ndarray, scheme: MarkScheme, key: bytes) -> np.ndarray:
    """The change of each channel value (at half resolution) that puts ``bits`` into the LL ``band``."""
    blocks = _blocks(band, scheme.block)
    layout = _layout(blocks.shape[2], blocks.shape[3], len(bits), scheme.layout, key)
    wanted = np.asarray(bits, dtype=np.float32)[layout]
    sigma, left, right = _block_measure(blocks, scheme)
    target = (np.floor(sigma / scheme.step) + 0.25 + 0.5 * wanted) * scheme.step
    delta_ll = (target - sigma) * left[:, None] * right[None, :]
    return _unblock(delta_ll) * np.float32(0.5)  # inverse Haar of an LL change: the 2×2 pixels move by dLL/2


def _check_frames(frames: np.ndarray) -> np.ndarray:
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"frames must be uint8 T×H×W×3, got {frames.dtype} {frames.shape}")
    if min(frames.shape[1:3]) < MIN_SIDE:
        raise ValueError(f"frames are too small to carry an invisible watermark (need {MIN_SIDE}×{MIN_SIDE})")
    return frames


def _marked_area(shape: tuple[int, ...], scheme: MarkScheme) -> tuple[int, int]:
    """Height and width of the top-left part of a frame that whole blocks of the LL band cover."""
    unit = 2 * scheme.block
    return (shape[0] // unit) * unit, (shape[1] // unit) * unit


def _lowpass(frame: np.ndarray, channel: str) -> np.ndarray:
    """The Haar LL band of one channel: twice the channel's mean over each 2×2 pixel square."""
    half = cv2.resize(frame, (frame.shape[1] // 2, frame.shape[0] // 2), interpolation=cv2.INTER_AREA)
    weights, offset = _CHANNEL_FROM_RGB[channel]
    return cv2.transform(half.astype(np.float32), weights) * np.float32(2.0) + np.float32(2.0 * offset)


def _blocks(band: np.ndarray, block: int) -> np.ndarray:
    """The band as square blocks, block axes first: ``blocks[i, j, r, c]`` is entry (i, j) of block (r, c).

    Keeping the block grid on the last axes turns every small matrix operation into a few whole-array ones.
    """
    rows, cols = band.shape[0] // block, band.shape[1] // block
    grid = band[: rows * block, : cols * block].reshape(rows, block, cols, block)
    return np.ascontiguousarray(grid.transpose(1, 3, 0, 2))


def _unblock(blocks: np.ndarray) -> np.ndarray:
    block, rows, cols = blocks.shape[0], blocks.shape[2], blocks.shape[3]
    return blocks.transpose(2, 0, 3, 1).reshape(rows * block, cols * block)


@functools.lru_cache(maxsize=32)
def _layout(rows: int, cols: int, length: int, kind: str, key: bytes) -> np.ndarray:
    """Which payload bit each block carries (rows × cols).

    ``row_major`` cycles through the payload block after block (imwatermark's order); ``keyed`` shuffles that
    sequence with a generator seeded from the key, so every bit gets the same number of blocks spread over the
    whole frame.
    """
    order = np.arange(rows * cols) % length
    if kind == "keyed":
        seed = int.from_bytes(hashlib.sha256(key + b"/layout").digest()[:8], "big")
        np.random.default_rng(seed).shuffle(order)
    order.setflags(write=False)
    return order.reshape(rows, cols)


def _top_singular(blocks: np.ndarray, iterations: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Largest singular value and its left/right vectors of every block, by power iteration.

    Image blocks are non-negative, so one singular value dominates (their mean) and a few iterations from the
    all-ones vector agree with a full SVD to a small fraction of the quantisation step.
    """
    size = blocks.shape[0]
    right = np.full((size, *blocks.shape[2:]), 1.0 / np.sqrt(size), dtype=blocks.dtype)
    for _ in range(iterations):
        left = np.einsum("ij...,j...->i...", blocks, right)
        right = np.einsum("ij...,i...->j...", blocks, left)
        right /= np.sqrt(np.einsum("i...,i...->...", right, right)) + np.float32(1e-12)
    left = np.einsum("ij...,j...->i...", blocks, right)
    sigma = np.sqrt(np.einsum("i...,i...->...", left, left))
    return sigma, left / (sigma + np.float32(1e-12)), right


# --- Reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    """What a set of frames carries at one size: each block's measured value per frame (``sigmas[f, k]``), the
    bit each block carries (``index``), and the lattice shift measured from the values (in quantisation steps)."""

    size: tuple[int, int]
    sigmas: np.ndarray
    index: np.ndarray
    step: float
    lattice_shift: float

    def votes(self, shift: float | None = None) -> np.ndarray:
        """Soft votes ``votes[f, b]`` in [-1, 1], + meaning bit ``b`` is 1, read with ``shift`` (default: the
        measured one)."""
        soft = _soft_bits(self.sigmas, self.step, self.lattice_shift if shift is None else shift)
        counts = np.bincount(self.index, minlength=PAYLOAD_BITS)
        return np.stack([np.bincount(self.index, weights=row, minlength=PAYLOAD_BITS) / counts for row in soft])

    def combined(self, shift: float | None = None) -> np.ndarray:
        """The votes averaged over the frames that carry the mark (see ``marked_frames``)."""
        votes = self.votes(shift)
        return votes[marked_frames(votes)].mean(axis=0)


def marked_frames(votes: np.ndarray) -> np.ndarray:
    """Frames whose blocks agree with at least half the best frame's agreement (the others carry no mark)."""
    agreement = np.abs(votes).mean(axis=1)
    return agreement >= _FRAME_SHARE * float(agreement.max())


def extract_payload(
    frames: Sequence[np.ndarray] | np.ndarray,
    *,
    sizes: Sequence[tuple[int, int]] = STANDARD_SIZES,
    key: bytes = DEFAULT_KEY,
) -> tuple[int | None, dict]:
    """Read the identifier hidden in ``frames`` (uint8 RGB), or ``None`` when they carry no valid mark.

    The frames are read as they are and, when their size is not one of ``sizes`` (width, height), resized to
    each of those with the same aspect ratio. ``stats`` tells which size matched (or read best), how many
    frames carried the mark, and ``confidence``, how strongly the blocks agreed (about 0.8 for a fresh mark,
    0.4 after a CRF 35 re-encode; flat pictures agree by themselves, so only the keyed check decides).
    """
    best_ident: int | None = None
    best_stats: dict = {
        "frames_read": 0, "frames_used": 0, "size": None, "confidence": 0.0, "bits": PAYLOAD_BITS,
        "bits_corrected": None,
    }
    for reading in _readings(frames, sizes, key):
        ident, corrected, shift = _decide(reading, key)
        votes = reading.votes(shift)
        used = marked_frames(votes)
        combined = votes[used].mean(axis=0)
        stats = {
            "frames_read": int(len(votes)),
            "frames_used": int(used.sum()),
            "size": reading.size,
            "confidence": float(np.abs(combined).mean()),
            "lattice_shift": shift,
            "bits": PAYLOAD_BITS,
            "bits_corrected": corrected if ident is not None else None,
        }
        if ident is not None and (best_ident is None or stats["confidence"] > best_stats["confidence"]):
            best_ident, best_stats = ident, stats
        elif best_ident is None and stats["confidence"] >= best_stats["confidence"]:
            best_stats = stats
    return best_ident, best_stats


def _decide(reading: _Reading, key: bytes) -> tuple[int | None, int, float]:
    """(identifier, wrong bits corrected, lattice shift used) from a reading, or (None, -1, measured shift).

    The votes are read at the measured lattice shift and at shifts around it (a re-encode can move the
    values by a fraction of a step, and the measure is unsure when little of the mark is left), in both
    polarities (a lattice shifted by half a step inverts every bit). Each is decoded to the codeword that
    disagrees least with the votes (:func:`closest_codeword`); the trial whose codeword passes the keyed check and
    disagrees least wins. For votes that carry no mark a codeword passes with odds of 2^-24 per trial, about one
    in 400,000 over the 42 trials of a reading at three sizes."""
    measured = reading.lattice_shift
    best: tuple[float, int, int, float] | None = None  # (disagreement, identifier, bits corrected, shift)
    for shift in (measured, *(measured + d for offset in SHIFT_TRIALS for d in (offset, -offset))):
        combined = reading.combined(shift)
        for polarity in (combined, -combined):
            word, disagreement = closest_codeword(polarity)
            ident, _ = parse_payload(word, key=key)
            if ident is not None and (best is None or disagreement < best[0]):
                best = (disagreement, ident, int(np.count_nonzero(word != (polarity > 0))), shift)
    if best is None:
        return None, -1, measured
    return best[1], best[2], best[3]


def bit_error_rate(
    frames: Sequence[np.ndarray] | np.ndarray,
    ident: int,
    *,
    sizes: Sequence[tuple[int, int]] = STANDARD_SIZES,
    key: bytes = DEFAULT_KEY,
) -> dict[str, float]:
    """How well ``frames`` still carry ``ident``: the share of wrong bits (before any correction) in a single
    frame (mean and best) and after the vote over frames, at the size and lattice shift that read best."""
    expected = payload_bits(ident, key=key).astype(bool)
    results = []
    for reading in _readings(frames, sizes, key):
        measured = reading.lattice_shift
        for shift in (measured, *(measured + d for offset in SHIFT_TRIALS for d in (offset, -offset))):
            votes = reading.votes(shift)
            if float(np.mean((votes[marked_frames(votes)].mean(axis=0) > 0) != expected)) > 0.5:  # inverted
                votes = -votes
            per_frame = ((votes > 0) != expected).mean(axis=1)
            voted = float(((votes[marked_frames(votes)].mean(axis=0) > 0) != expected).mean())
            results.append({"frame_ber": float(per_frame.mean()), "best_frame_ber": float(per_frame.min()),
                            "voted_ber": voted})
    if not results:
        raise ValueError("no frames large enough to carry a mark")
    return min(results, key=lambda result: (result["voted_ber"], result["frame_ber"]))


def _readings(
    frames: Sequence[np.ndarray] | np.ndarray, sizes: Sequence[tuple[int, int]], key: bytes
) -> Iterator[_Reading]:
    frames = [np.asarray(frame) for frame in frames]
    if not frames:
        return
    height, width = frames[0].shape[:2]
    for size in _candidate_sizes((width, height), sizes):
        resized = frames if size == (width, height) else [_resize(frame, size) for frame in frames]
        yield _read(resized, size, key)


def _candidate_sizes(actual: tuple[int, int], sizes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The frame's own size (unless too small) and the standard sizes of the same aspect ratio (within 3 %)."""
    if actual in sizes:
        return [actual]
    ratio = actual[0] / actual[1]
    close = [size for size in sizes if abs(size[0] / size[1] - ratio) <= 0.03 * ratio]
    return [actual, *close] if min(actual) >= MIN_SIDE else close


def _resize(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    interpolation = cv2.INTER_AREA if size[0] < frame.shape[1] else cv2.INTER_CUBIC
    return cv2.resize(frame, size, interpolation=interpolation)


def _read(frames: list[np.ndarray], size: tuple[int, int], key: bytes) -> _Reading:
    scheme = RIFF_SCHEME
    sigmas = np.stack([_block_sigmas(frame, scheme).ravel() for frame in frames])
    shift = _lattice_shift(sigmas.ravel(), scheme.step)
    rows, cols = _grid(frames[0].shape, scheme)
    index = _layout(rows, cols, PAYLOAD_BITS, scheme.layout, key).ravel()
    return _Reading(size=size, sigmas=sigmas, index=index, step=scheme.step, lattice_shift=shift)


def _grid(shape: tuple[int, ...], scheme: MarkScheme) -> tuple[int, int]:
    """Rows and columns of blocks a frame of this shape carries."""
    height, width = _marked_area(shape, scheme)
    return height // (2 * scheme.block), width // (2 * scheme.block)


def _block_sigmas(frame: np.ndarray, scheme: MarkScheme) -> np.ndarray:
    height, width = _marked_area(frame.shape, scheme)
    sigma, _, _ = _block_measure(_blocks(_lowpass(frame[:height, :width], scheme.channel), scheme.block), scheme)
    return sigma


def _block_measure(blocks: np.ndarray, scheme: MarkScheme) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The quantity each block carries its bit in, and the directions a change of it moves the block along."""
    if scheme.measure == "svd":
        return _top_singular(blocks)
    size = blocks.shape[0]
    uniform = np.full((size, *blocks.shape[2:]), 1.0 / np.sqrt(size), dtype=blocks.dtype)
    return blocks.mean(axis=(0, 1)) * np.float32(size), uniform, uniform


def _lattice_shift(sigmas: np.ndarray, step: float) -> float:
    """How far the singular values sit from the marked positions, in steps, within (-1/4, 1/4].

    Marked values sit at 1/4 or 3/4 of a step, i.e. at half of a half-step lattice whatever the bit, so the
    mean phase on that lattice measures a uniform shift (a darker or brighter decode) without knowing the bits.
    """
    phase = np.exp(2j * np.pi * sigmas.astype(np.float64) / (step / 2))
    return float(np.angle(-phase.mean()) / (4 * np.pi))


def _soft_bits(sigmas: np.ndarray, step: float, shift: float) -> np.ndarray:
    """+1 at three quarters of a step (bit 1), -1 at one quarter (bit 0), after removing the measured shift."""
    return -np.sin(2.0 * np.pi * (sigmas / step - shift))
