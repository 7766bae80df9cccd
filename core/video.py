"""Video files: encode clips to MP4, make posters, probe, decode, and check uploads.

Everything here goes through PyAV (FFmpeg). The module imports neither OpenCV nor any ML library, so the web
process may use it (``validate_video_upload``, ``probe``).

Timeline convention: video frame ``i`` is shown at ``i / fps`` seconds and audio sample ``n`` plays at
``n / sample_rate`` seconds, both from t=0. The AAC encoder delays its output by a priming frame; the MP4 muxer
records that delay in an edit list, and :func:`decode_audio` honours it, so a sound lines up with the frame
it was written for.
"""

from __future__ import annotations

import io
import itertools
import os
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Union

import av
import numpy as np
from av.video.reformatter import Interpolation, VideoReformatter
from django.utils.translation import gettext
from PIL import Image

PathLike = Union[str, "os.PathLike[str]"]

AUDIO_BITRATE = 128_000
# Containers a browser records or a phone exports; anything else (images, audio, archives) is refused.
VIDEO_CONTAINERS = frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"})
# Codecs that are stills even when wrapped in a video container.
STILL_IMAGE_CODECS = frozenset({"png", "apng", "bmp", "gif", "tiff", "webp", "jpegls", "jpeg2000", "qoi"})
# RGB <-> YUV conversion flags. swscale's default YUV -> RGB path truncates and darkens every pixel by about one
# level; accurate rounding keeps a decode -> re-encode round trip from drifting darker each time.
TO_YUV = Interpolation.BILINEAR | Interpolation.ACCURATE_RND | Interpolation.FULL_CHR_H_INP
TO_RGB = Interpolation.BILINEAR | Interpolation.ACCURATE_RND | Interpolation.FULL_CHR_H_INT


class MediaError(ValueError):
    """A media file that cannot be used, with a message a person can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Encoding -----------------------------------------------------------------------------------------------


def encode_mp4(
    frames: np.ndarray | Iterable[np.ndarray],
    fps: int,
    audio: np.ndarray | None | Callable[[], np.ndarray | None],
    sample_rate: int,
    path: PathLike,
    *,
    crf: int = 20,
    preset: str = "veryfast",
    pixel_format: str = "rgb24",
    audio_channels: int = 1,
) -> None:
    """Write frames and ``audio`` (float32, N or N×C in [-1, 1]) as an H.264 + AAC MP4.

    ``frames`` is a T×H×W×3 RGB array or any iterable of frames: a generator lets per-frame work (watermarks)
    run on this thread while the encoder's own threads compress earlier frames, and a clip made as it is read
    is never held whole. With ``pixel_format="yuv420p"`` each frame is the planar (H·3/2)×W array made by
    :class:`Yuv420Converter`. H and W must be even. ``audio`` may be ``None`` for a silent clip, or a callable
    asked for the track once the last frame is encoded (a clip stream knows its sound when its frames are done):
    the track then has ``audio_channels`` channels (mixed or copied to fit) and silence stands in for a missing
    one. The index goes at the front of the file (``+faststart``) so browsers can start playing before the
    download ends.
    """
    if pixel_format not in ("rgb24", "yuv420p"):
        raise ValueError(f"pixel_format must be rgb24 or yuv420p, got {pixel_format!r}")
    stream_of_frames = iter(frames)
    first = next(stream_of_frames, None)
    if first is None:
        raise ValueError("a video needs at least one frame")
    height, width = _frame_size(first, pixel_format)
    with av.open(os.fspath(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.time_base = Fraction(1, fps)
        video.codec_context.thread_type = "FRAME"  # x264's frame threads: about 1.3× faster than slices here
        video.options = {"crf": str(crf), "preset": preset}
        audio_stream = None
        later = audio if callable(audio) else None
        if later is not None or (audio is not None and len(audio)):
            channels = audio_channels if later is not None else _check_audio(audio).shape[1]
            audio_stream = container.add_stream("aac", rate=sample_rate)
            audio_stream.layout = "mono" if channels == 1 else "stereo"
            audio_stream.bit_rate = AUDIO_BITRATE
        to_yuv = Yuv420Converter()
        for index, frame in enumerate(itertools.chain([first], stream_of_frames)):
            if _frame_size(frame, pixel_format) != (height, width):
                raise ValueError(f"all frames must have the size of the first ({width}x{height})")
            planes = frame if pixel_format == "yuv420p" else to_yuv(frame)
            picture = av.VideoFrame.from_ndarray(planes, format="yuv420p")
            picture.pts = index
            container.mux(video.encode(picture))
        container.mux(video.encode(None))
        if audio_stream is not None:
            if later is not None:
                audio = _fit_channels(later(), audio_channels, round((index + 1) / fps * sample_rate))
            _encode_audio(container, audio_stream, _check_audio(audio), sample_rate)


class Yuv420Converter:
    """RGB frames (uint8 H×W×3) to planar yuv420p arrays ((H·3/2)×W: Y, then U, then V), as the encoder sees them.

    Studio range BT.601 with accurate rounding; one instance reuses its scaler from frame to frame.
    """

    def __init__(self) -> None:
        self._reformatter = VideoReformatter()

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
        return self._reformatter.reformat(picture, format="yuv420p", interpolation=TO_YUV).to_ndarray()


def _frame_size(frame: np.ndarray, pixel_format: str) -> tuple[int, int]:
    """(height, width) of a frame, after checking its shape and type."""
    if pixel_format == "yuv420p":
        valid = frame.ndim == 2 and frame.shape[0] % 3 == 0
        height, width = (frame.shape[0] * 2 // 3, frame.shape[1]) if valid else (0, 0)
    else:
        valid = frame.ndim == 3 and frame.shape[2] == 3
        height, width = frame.shape[:2] if valid else (0, 0)
    if not valid or frame.dtype != np.uint8:
        raise ValueError(f"not a uint8 {pixel_format} frame: {frame.dtype} {frame.shape}")
    if height % 2 or width % 2 or not height or not width:
        raise ValueError(f"frame width and height must be even for yuv420p, got {width}x{height}")
    return height, width


def _fit_channels(audio: np.ndarray | None, channels: int, silent_samples: int) -> np.ndarray:
    """``audio`` as N×``channels`` (a silent track of ``silent_samples`` when there is none)."""
    if audio is None or not len(audio):
        return np.zeros((max(1, silent_samples), channels), dtype=np.float32)
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 1:
        audio = audio[:, None]
    if audio.shape[1] != channels:
        audio = audio.mean(axis=1, keepdims=True) if channels == 1 else np.repeat(audio[:, :1], channels, axis=1)
    return audio


def _check_audio(audio: np.ndarray) -> np.ndarray:
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 1:
        audio = audio[:, None]
    if audio.ndim != 2 or audio.shape[1] not in (1, 2):
        raise ValueError(f"audio must be N (mono) or N×2 (stereo), got shape {audio.shape}")
    return np.clip(audio, -1.0, 1.0)


def _encode_audio(container: Any, stream: Any, audio: np.ndarray, sample_rate: int) -> None:
    """Feed the AAC encoder whole frames of ``frame_size`` samples with sample-exact timestamps from 0."""
    frame_size = stream.codec_context.frame_size or 1024
    planar = np.ascontiguousarray(audio.T)  # fltp: one row per channel
    layout = stream.layout.name
    for start in range(0, planar.shape[1], frame_size):
        chunk = planar[:, start : start + frame_size]  # only the last one may be short
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp", layout=layout)
        frame.sample_rate = sample_rate
        frame.pts = start
        frame.time_base = Fraction(1, sample_rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def make_poster(frame: np.ndarray, path: PathLike, *, quality: int = 85) -> None:
    """Save one RGB frame (uint8 H×W×3) as a progressive JPEG."""
    Image.fromarray(np.asarray(frame, dtype=np.uint8), mode="RGB").save(
        os.fspath(path), format="JPEG", quality=quality, optimize=True, progressive=True
    )


# --- Reading ------------------------------------------------------------------------------------------------


def probe(path: PathLike | IO[bytes]) -> dict[str, Any]:
    """Describe a video file: duration, size, frame rate, frame count and audio.

    Raises :class:`MediaError` when the file cannot be opened or has no video stream.
    """
    with _open(path) as container:
        return _describe(container)


def _open(source: PathLike | IO[bytes]) -> Any:
    try:
        if isinstance(source, (str, os.PathLike)):
            return av.open(os.fspath(source), mode="r")
        return av.open(source, mode="r")
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        raise MediaError(gettext("This file could not be read as a video.")) from exc


def _describe(container: Any) -> dict[str, Any]:
    if not container.streams.video and not container.streams.audio:
        raise MediaError(gettext("This file could not be read as a video."))
    if not container.streams.video:
        raise MediaError(gettext("This file has no video in it."))
    video = container.streams.video[0]
    if video.codec_context is None:  # a stream FFmpeg has no decoder for (e.g. an SVG document)
        raise MediaError(gettext("This file could not be read as a video."))
    audio = container.streams.audio[0] if container.streams.audio else None
    if audio is not None and audio.codec_context is None:
        audio = None
    fps = float(video.average_rate or video.guessed_rate or 0)
    frame_count = int(video.frames or 0)
    duration = _duration_s(container, video)
    if not frame_count and fps and duration:
        frame_count = round(duration * fps)
    return {
        "duration_s": duration,
        "width": int(video.codec_context.width or 0),
        "height": int(video.codec_context.height or 0),
        "fps": fps,
        "frame_count": frame_count,
        "video_codec": video.codec_context.name,
        "container": container.format.name,
        "has_audio": audio is not None,
        "audio_sample_rate": int(audio.codec_context.sample_rate or audio.rate or 0) if audio else None,
        "audio_channels": int(audio.codec_context.channels) if audio else None,
    }


def _duration_s(container: Any, video: Any) -> float:
    if video.duration is not None and video.time_base:
        return float(video.duration * video.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def decode_frames(path: PathLike | IO[bytes], max_frames: int | None = None, step: int = 1) -> np.ndarray:
    """Decode video frames as uint8 RGB (T×H×W×3): every ``step``-th frame, at most ``max_frames`` of them."""
    if step < 1:
        raise ValueError("step must be at least 1")
    frames = list(_iter_frames(path, max_frames, step))
    if not frames:
        raise MediaError(gettext("This video has no frames that could be decoded."))
    return np.stack(frames)


def iter_frames(path: PathLike | IO[bytes]) -> Iterator[np.ndarray]:
    """Every frame as uint8 RGB (H×W×3), one at a time (a long clip is never decoded whole)."""
    return _iter_frames(path, None, 1)


def _iter_frames(path: PathLike | IO[bytes], max_frames: int | None, step: int) -> Iterator[np.ndarray]:
    with _open(path) as container:
        if not container.streams.video:
            raise MediaError(gettext("This file has no video in it."))
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        to_rgb = VideoReformatter()
        taken = 0
        for index, frame in enumerate(container.decode(stream)):
            if index % step:
                continue
            yield to_rgb.reformat(frame, format="rgb24", interpolation=TO_RGB).to_ndarray()
            taken += 1
            if max_frames is not None and taken >= max_frames:
                return


def decode_audio(path: PathLike | IO[bytes]) -> tuple[np.ndarray, int]:
    """Decode the first audio stream as float32 mono on the video timeline (sample 0 plays at t=0).

    Returns an empty array and 0 when the file has no audio.
    """
    with _open(path) as container:
        if not container.streams.audio:
            return np.zeros(0, dtype=np.float32), 0
        stream = container.streams.audio[0]
        sample_rate = int(stream.codec_context.sample_rate)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        chunks: list[np.ndarray] = []
        first_sample: int | None = None
        for frame in container.decode(stream):
            if first_sample is None and frame.pts is not None:
                first_sample = round(float(frame.pts * frame.time_base) * sample_rate)
            chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
        chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
        declared = _declared_samples(stream, sample_rate)
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)
    samples = _align_to_zero(samples, first_sample or 0)
    return (samples[:declared] if declared else samples), sample_rate


def _declared_samples(stream: Any, sample_rate: int) -> int | None:
    """The stream's own length in samples (without the encoder's padding of its last frame), when recorded."""
    if stream.duration is None or not stream.time_base:
        return None
    return round(float(stream.duration * stream.time_base) * sample_rate)


def _align_to_zero(samples: np.ndarray, first_sample: int) -> np.ndarray:
    """Pad or trim so index 0 is t=0 when the first decoded sample does not start there."""
    if first_sample > 0:
        return np.concatenate([np.zeros(first_sample, dtype=np.float32), samples])
    return samples[-first_sample:] if first_sample < 0 else samples


# --- Uploads ------------------------------------------------------------------------------------------------


def validate_video_upload(
    source: PathLike | IO[bytes],
    *,
    max_bytes: int,
    max_duration_s: float = 120.0,
    min_duration_s: float = 0.2,
    max_side: int = 4096,
    min_side: int = 16,
) -> dict[str, Any]:
    """Check that an uploaded file is a whole, playable video within limits; return its :func:`probe` dict.

    Every way a file can be wrong (empty, too big, not a video, a still image, truncated, absurd size or
    length) raises :class:`MediaError` with a message for the person who uploaded it.
    """
    size = _byte_size(source)
    if size == 0:
        raise MediaError(gettext("The file is empty."))
    if size > max_bytes:
        raise MediaError(
            gettext("The file is too large ({size}); the limit is {max_bytes}.").format(
                size=_megabytes(size), max_bytes=_megabytes(max_bytes)
            ),
        )
    with _open(_rewound(source)) as container:
        info = _describe(container)
        _check_container(container, info)
        _check_geometry(info, min_side=min_side, max_side=max_side)
        _check_duration(info, min_duration_s=min_duration_s, max_duration_s=max_duration_s)
        _check_packets(container, size)
        _check_first_frame(container)
    _rewound(source)
    info["size_bytes"] = size
    return info


def _byte_size(source: PathLike | IO[bytes]) -> int:
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).stat().st_size
        except OSError as exc:
            raise MediaError(gettext("The file could not be read.")) from exc
    size = getattr(source, "size", None)
    if isinstance(size, int):
        return size
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    return size


def _rewound(source: PathLike | IO[bytes]) -> PathLike | IO[bytes]:
    if not isinstance(source, (str, os.PathLike)):
        source.seek(0)
    return source


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"


def _check_container(container: Any, info: dict[str, Any]) -> None:
    if container.format.name not in VIDEO_CONTAINERS or info["video_codec"] in STILL_IMAGE_CODECS:
        raise MediaError(gettext("This file is not a video; upload an MP4, MOV or WebM clip."))


def _check_geometry(info: dict[str, Any], *, min_side: int, max_side: int) -> None:
    width, height = info["width"], info["height"]
    if min(width, height) < min_side or max(width, height) > max_side:
        raise MediaError(
            gettext("The video is {width}x{height} pixels; each side must be between {min_side} and {max_side}.").format(
                width=width, height=height, min_side=min_side, max_side=max_side
            ),
        )


def _check_duration(info: dict[str, Any], *, min_duration_s: float, max_duration_s: float) -> None:
    duration = info["duration_s"]
    if duration > max_duration_s:
        raise MediaError(
            gettext("The video is {duration:.0f} s long; the limit is {max_duration_s:.0f} s.").format(
                duration=duration, max_duration_s=max_duration_s
            ),
        )
    if duration < min_duration_s:
        raise MediaError(gettext("The video is too short to use."))


def _check_packets(container: Any, size: int) -> None:
    """Read every packet (without decoding) so a file cut short is caught before anyone plays it."""
    video = container.streams.video[0]
    expected = int(video.frames or 0)
    seen = 0
    try:
        for packet in container.demux(video):
            if packet.size == 0:
                continue
            if packet.pos is not None and packet.pos >= 0 and packet.pos + packet.size > size:
                raise MediaError(gettext("The video file is incomplete (it was cut off); upload it again."))
            seen += 1
    except (av.FFmpegError, OSError, EOFError) as exc:
        raise MediaError(gettext("The video file is damaged or incomplete; upload it again.")) from exc
    if seen == 0 or (expected and seen < expected):
        raise MediaError(gettext("The video file is incomplete (it was cut off); upload it again."))
    container.seek(0)


def _check_first_frame(container: Any) -> None:
    try:
        for _ in container.decode(video=0):
            return
    except (av.FFmpegError, OSError, EOFError) as exc:
        raise MediaError(gettext("The video could not be decoded; it may be damaged.")) from exc
    raise MediaError(gettext("The video has no frames that could be decoded."))
