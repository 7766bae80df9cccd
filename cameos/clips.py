"""Decoding short cameo clips and finding speech in them (worker only: imports PyAV on first use).

Voice activity is energy based: the audio is cut into 30 ms frames, each frame's energy in the speech band
(250–4000 Hz) is compared with the clip's own noise floor (its 10th-percentile frame), and a frame counts as
voiced when it is at least ``VOICE_ABOVE_FLOOR_DB`` above that floor and louder than ``VOICE_MIN_DBFS``.
Runs shorter than 90 ms (clicks, taps) are dropped. Silence, steady hum and steady noise have no voiced time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.utils.translation import gettext as _

SAMPLE_RATE = 16_000
FRAME_S = 0.03
VOICE_BAND_HZ = (250.0, 4000.0)
VOICE_ABOVE_FLOOR_DB = 12.0
VOICE_MIN_DBFS = -50.0
MIN_RUN_FRAMES = 3
SAMPLE_EVERY_S = 0.25  # frames are kept at this spacing while decoding, then thinned to ``max_frames``
FRAME_MAX_SIDE = 640
MOTION_EVERY_S = 0.04  # grey frames kept for the lip-movement measure (25 a second: syllables come at ~5 Hz)
MOTION_MAX_SIDE = 320


class ClipError(Exception):
    """The clip cannot be used; the message is for the person who recorded it."""


@dataclass
class DecodedClip:
    frames: list[np.ndarray] = field(default_factory=list)  # RGB uint8, evenly spread over the clip
    duration_s: float = 0.0
    audio: np.ndarray | None = None  # mono float32 at SAMPLE_RATE, None when the clip has no sound
    created_at: datetime | None = None  # the container's creation time, when it has one
    motion: list[np.ndarray] = field(default_factory=list)  # grey uint8 frames every MOTION_EVERY_S (on request)
    motion_times: list[float] = field(default_factory=list)  # their times in seconds


def _creation_time(container) -> datetime | None:
    raw = (container.metadata or {}).get("creation_time")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def _thin(frames: list[np.ndarray], count: int) -> list[np.ndarray]:
    if len(frames) <= count:
        return frames
    picks = np.linspace(0, len(frames) - 1, count).round().astype(int)
    return [frames[i] for i in picks]


def decode_clip(path: str, *, max_frames: int = 10, max_duration_s: float = 30.0, motion: bool = False) -> DecodedClip:
    """Sampled frames and the whole soundtrack of a short clip (and, with ``motion``, small grey frames every
    ``MOTION_EVERY_S`` for the lip-movement measure). Raises ClipError for what cannot be used."""
    import av

    try:
        container = av.open(path)
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise ClipError(_("The clip could not be read as a video.")) from exc
    with container:
        created_at = _creation_time(container)
        if not container.streams.video:
            raise ClipError(_("The clip has no picture."))
        kept: list[np.ndarray] = []
        grey: list[np.ndarray] = []
        grey_times: list[float] = []
        last_t = 0.0
        next_t = 0.0
        next_motion_t = 0.0
        try:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for index, frame in enumerate(container.decode(stream)):
                t = float(frame.time) if frame.time is not None else index / float(stream.average_rate or 30)
                if t > max_duration_s + 1:
                    raise ClipError(
                        _("The clip is too long: keep it under {max_duration_s:.0f} seconds.").format(
                            max_duration_s=max_duration_s
                        ),
                    )
                last_t = max(last_t, t)
                if motion and t + 1e-6 >= next_motion_t:
                    scale = min(1.0, MOTION_MAX_SIDE / max(frame.width, frame.height))
                    small = frame.reformat(
                        width=max(2, round(frame.width * scale) // 2 * 2),
                        height=max(2, round(frame.height * scale) // 2 * 2),
                        format="gray",
                    )
                    grey.append(small.to_ndarray())
                    grey_times.append(t)
                    next_motion_t = t + MOTION_EVERY_S
                if t + 1e-6 >= next_t:
                    width, height = frame.width, frame.height
                    scale = min(1.0, FRAME_MAX_SIDE / max(width, height))
                    if scale < 1.0:
                        frame = frame.reformat(
                            width=round(width * scale) // 2 * 2, height=round(height * scale) // 2 * 2
                        )
                    kept.append(frame.to_ndarray(format="rgb24"))
                    next_t = t + SAMPLE_EVERY_S
            audio = None
            if container.streams.audio:
                container.seek(0)
                audio = _decode_audio(container)
        except av.error.FFmpegError as exc:
            raise ClipError(_("The clip could not be decoded.")) from exc
    if not kept:
        raise ClipError(_("The clip has no picture."))
    duration = last_t + SAMPLE_EVERY_S if len(kept) > 1 else 0.0
    if audio is not None:
        duration = max(duration, len(audio) / SAMPLE_RATE)
    return DecodedClip(
        frames=_thin(kept, max_frames),
        duration_s=duration,
        audio=audio,
        created_at=created_at,
        motion=grey,
        motion_times=grey_times,
    )


def upload_voiced_seconds(data: bytes) -> float:
    """Seconds of voice in an uploaded clip's sound (its audio alone is decoded: a few tens of milliseconds for
    30 s), so that a silent clip is refused before it uses up a challenge."""
    import io

    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.audio:
                return 0.0
            return voiced_seconds(_decode_audio(container))
    except (av.error.FFmpegError, OSError, ValueError):
        return 0.0


def _decode_audio(container) -> np.ndarray:
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    for frame in container.decode(container.streams.audio[0]):
        for out in resampler.resample(frame):
            chunks.append(out.to_ndarray().reshape(-1))
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray().reshape(-1))
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)


def voiced_seconds(audio: np.ndarray | None, sample_rate: int = SAMPLE_RATE) -> float:
    """Seconds of the clip that sound like a voice (see the module's docstring)."""
    if audio is None or len(audio) == 0:
        return 0.0
    hop = int(sample_rate * FRAME_S)
    count = len(audio) // hop
    if count == 0:
        return 0.0
    frames = np.asarray(audio[: count * hop], dtype=np.float64).reshape(count, hop)
    window = np.hanning(hop)
    spectrum = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    freqs = np.fft.rfftfreq(hop, 1.0 / sample_rate)
    band = (freqs >= VOICE_BAND_HZ[0]) & (freqs <= VOICE_BAND_HZ[1])
    # Mean power in the band (Parseval, corrected for the window), relative to a full-scale sine: a 0 dBFS
    # tone in the band reads 0 dB.
    power = 4 * spectrum[:, band].sum(axis=1) / (hop**2 * np.mean(window**2))
    db = 10 * np.log10(power + 1e-12)
    floor = float(np.percentile(db, 10))
    voiced = db > max(floor + VOICE_ABOVE_FLOOR_DB, VOICE_MIN_DBFS)
    total = 0
    run = 0
    for flag in np.append(voiced, False):
        if flag:
            run += 1
            continue
        if run >= MIN_RUN_FRAMES:
            total += run
        run = 0
    return total * FRAME_S


# A mouth that speaks changes its region by 3.2-6.6 grey levels on average between motion frames (24 test clips);
# a still photo under a voice-over by 0.03-0.09 (encoding noise). Measured with the test suite's clips.
MIN_MOUTH_MOTION = 0.5


def lip_sync(
    motion: list[np.ndarray], times: list[float], face: tuple[float, float, float, float], audio: np.ndarray | None,
    sample_rate: int = SAMPLE_RATE,
) -> float:
    """How much the mouth moves with the voice: the Pearson correlation, over the clip, between the mouth's
    movement and how fast the sound's loudness changes.

    ``face`` is the face's box as fractions of the frame (x, y, width, height). Between two grey frames the
    mouth's movement is the mean absolute change inside the mouth's region (the middle half of the face's
    width, 62 %-95 % of its height) minus the same in a band across the eyes (20 %-45 %), which moves as much
    as the mouth when the whole picture moves (a hand-held phone, a zoom); the loudness is the RMS of the sound
    over the same interval, and its change the absolute difference from the previous interval. Both series are
    smoothed over three intervals. A speaking mouth moves as syllables start and end; a still photo with a
    voice-over does not. 0 when either series does not vary, and when the mouth hardly moves at all (a mean change
    under ``MIN_MOUTH_MOTION`` grey levels): the re-encoding noise of a still picture can correlate with anything
    over a few seconds."""
    if audio is None or len(motion) < 4:
        return 0.0
    height, width = motion[0].shape[:2]
    x, y, w, h = face

    def region(fx0: float, fx1: float, fy0: float, fy1: float) -> tuple[slice, slice]:
        rows = slice(max(0, round((y + fy0 * h) * height)), min(height, round((y + fy1 * h) * height)))
        cols = slice(max(0, round((x + fx0 * w) * width)), min(width, round((x + fx1 * w) * width)))
        return rows, cols

    mouth, eyes = region(0.25, 0.75, 0.62, 0.95), region(0.2, 0.8, 0.2, 0.45)
    frames = [f.astype(np.float32) for f in motion]
    movement, loudness = [], []
    for i in range(1, len(frames)):
        change = np.abs(frames[i] - frames[i - 1])
        if change[mouth].size == 0 or change[eyes].size == 0:
            return 0.0
        movement.append(max(0.0, float(change[mouth].mean() - change[eyes].mean())))
        start, end = round(times[i - 1] * sample_rate), round(times[i] * sample_rate)
        piece = audio[start : max(end, start + 1)]
        loudness.append(float(np.sqrt(np.mean(piece.astype(np.float64) ** 2))) if len(piece) else 0.0)
    if float(np.mean(movement)) < MIN_MOUTH_MOTION:
        return 0.0
    kernel = np.ones(3) / 3
    a = np.convolve(movement, kernel, mode="same")
    b = np.convolve(np.abs(np.diff(loudness, prepend=loudness[0])), kernel, mode="same")
    if a.std() < 1e-9 or b.std() < 1e-9:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])
