"""Encoding, probing, decoding and upload checks on real files (PyAV, libx264, AAC)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core import video as media
from core.video import MediaError
from tests.generation.synthetic import textured_clip

FPS = 24
RATE = 24_000
CLICKS = (0.5, 1.0, 1.5, 2.25)


@pytest.fixture(scope="module")
def clip() -> tuple[np.ndarray, np.ndarray]:
    return textured_clip(seconds=2.5, fps=FPS, sample_rate=RATE, clicks=CLICKS)


@pytest.fixture(scope="module")
def mp4(clip, tmp_path_factory) -> Path:
    frames, audio = clip
    path = tmp_path_factory.mktemp("media") / "clip.mp4"
    media.encode_mp4(frames, FPS, audio, RATE, path)
    return path


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return 10 * np.log10(255**2 / mse)


def onsets(audio: np.ndarray, rate: int, expected: tuple[float, ...], threshold: float = 0.3) -> list[float]:
    """Time of the first sample above ``threshold`` in a window around each expected click."""
    found = []
    for at in expected:
        start = int((at - 0.05) * rate)
        window = np.abs(audio[start : start + int(0.1 * rate)])
        found.append((start + int(np.argmax(window > threshold))) / rate)
    return found


def test_probe_reports_the_encoded_clip(mp4):
    info = media.probe(mp4)

    assert abs(info["duration_s"] - 2.5) <= 1 / FPS
    assert (info["width"], info["height"]) == (480, 854)
    assert info["fps"] == FPS
    assert info["frame_count"] == 60
    assert info["has_audio"] is True
    assert info["audio_sample_rate"] == RATE
    assert info["video_codec"] == "h264"


def test_file_starts_with_its_index_for_streaming(mp4):
    head = mp4.read_bytes()[:64 * 1024]
    assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head


def test_audio_clicks_line_up_with_the_video_timeline(mp4, clip):
    audio, rate = media.decode_audio(mp4)

    assert rate == RATE
    assert abs(len(audio) - len(clip[1])) <= 1  # no encoder padding left at either end
    errors_ms = [1000 * (found - at) for found, at in zip(onsets(audio, rate, CLICKS), CLICKS)]
    print("click onset errors (ms):", [round(error, 2) for error in errors_ms])
    assert all(abs(error) <= 10 for error in errors_ms)


def test_decoded_frames_match_the_source(mp4, clip):
    frames = media.decode_frames(mp4)
    assert frames.shape == clip[0].shape
    assert psnr(frames, clip[0]) > 32
    # No colour shift from the YUV round trip (the invisible watermark relies on it).
    assert abs(float((frames.astype(np.float64) - clip[0]).mean())) < 0.3


def test_decode_frames_step_and_limit(mp4, clip):
    frames = media.decode_frames(mp4, max_frames=4, step=10)
    assert frames.shape[0] == 4
    assert psnr(frames[3], clip[0][30]) > 32


def test_encode_accepts_a_generator_of_frames(clip, tmp_path):
    frames, _ = clip
    path = tmp_path / "stream.mp4"
    media.encode_mp4((frame for frame in frames[:12]), FPS, None, RATE, path)

    info = media.probe(path)
    assert info["frame_count"] == 12
    assert info["has_audio"] is False
    assert media.decode_audio(path) == (pytest.approx(np.zeros(0)), 0)


def test_encode_accepts_yuv420p_frames(clip, tmp_path):
    frames, _ = clip
    convert = media.Yuv420Converter()
    path = tmp_path / "yuv.mp4"
    media.encode_mp4((convert(frame) for frame in frames[:6]), FPS, None, RATE, path, pixel_format="yuv420p")

    decoded = media.decode_frames(path)
    assert decoded.shape == frames[:6].shape
    assert psnr(decoded, frames[:6]) > 32


def test_encode_rejects_bad_frames(tmp_path):
    with pytest.raises(ValueError, match="even"):
        media.encode_mp4(np.zeros((2, 33, 32, 3), np.uint8), FPS, None, RATE, tmp_path / "odd.mp4")
    with pytest.raises(ValueError, match="size of the first"):
        media.encode_mp4([np.zeros((32, 32, 3), np.uint8), np.zeros((64, 64, 3), np.uint8)], FPS, None, RATE,
                         tmp_path / "mixed.mp4")
    with pytest.raises(ValueError, match="at least one frame"):
        media.encode_mp4([], FPS, None, RATE, tmp_path / "empty.mp4")


def test_stereo_audio_is_encoded(clip, tmp_path):
    frames, audio = clip
    path = tmp_path / "stereo.mp4"
    media.encode_mp4(frames[:24], FPS, np.stack([audio[:RATE], -audio[:RATE]], axis=1), RATE, path)
    assert media.probe(path)["audio_channels"] == 2


def test_poster_is_a_jpeg_of_the_frame(clip, tmp_path):
    frame = clip[0][12]
    path = tmp_path / "poster.jpg"
    media.make_poster(frame, path)

    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert image.size == (480, 854)
        assert psnr(np.asarray(image.convert("RGB")), frame) > 28


# --- Uploads ------------------------------------------------------------------------------------------------


def test_a_real_video_upload_passes(mp4):
    info = media.validate_video_upload(mp4, max_bytes=10_000_000)
    assert info["frame_count"] == 60 and info["size_bytes"] == mp4.stat().st_size

    with open(mp4, "rb") as handle:  # an uploaded file object is read from the start and rewound
        handle.read(100)
        assert media.validate_video_upload(handle, max_bytes=10_000_000)["width"] == 480
        assert handle.tell() == 0


def _png(frame: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, format="PNG")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a video " * 500)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("zero bytes", lambda clip, mp4: b"", "empty"),
        ("random bytes", lambda clip, mp4: np.random.default_rng(1).bytes(40_000), "could not be read"),
        ("a PNG", lambda clip, mp4: _png(clip[0][0]), "not a video"),
        ("a zip renamed .mp4", lambda clip, mp4: _zip(), "could not be read"),
        ("a truncated MP4", lambda clip, mp4: mp4.read_bytes()[: mp4.stat().st_size // 2], "incomplete"),
        ("an MP4 cut in its header", lambda clip, mp4: mp4.read_bytes()[:300], "could not be read"),
    ],
)
def test_hostile_uploads_get_a_clear_message(name, make, message, clip, mp4, tmp_path):
    path = tmp_path / "upload.mp4"
    path.write_bytes(make(clip, mp4))

    for source in (path, io.BytesIO(path.read_bytes())):
        with pytest.raises(MediaError, match=message) as caught:
            media.validate_video_upload(source, max_bytes=10_000_000)
        assert caught.value.message.endswith(".")


def test_upload_limits(mp4, clip, tmp_path):
    with pytest.raises(MediaError, match="too large"):
        media.validate_video_upload(mp4, max_bytes=1000)
    with pytest.raises(MediaError, match="2 s long; the limit is 1 s"):
        media.validate_video_upload(mp4, max_bytes=10_000_000, max_duration_s=1)
    with pytest.raises(MediaError, match="480x854 pixels"):
        media.validate_video_upload(mp4, max_bytes=10_000_000, max_side=640)

    tiny = tmp_path / "tiny.mp4"
    media.encode_mp4(np.zeros((24, 8, 8, 3), np.uint8), FPS, None, RATE, tiny)
    with pytest.raises(MediaError, match="8x8 pixels"):
        media.validate_video_upload(tiny, max_bytes=10_000_000)


def test_audio_only_upload_is_refused(clip, tmp_path):
    path = tmp_path / "sound.mp4"
    media.encode_mp4(clip[0][:1], FPS, clip[1], RATE, path)  # then strip the video by re-muxing audio only
    import av

    audio_only = tmp_path / "audio-only.mp4"
    with av.open(str(path)) as source, av.open(str(audio_only), "w", format="mp4") as target:
        stream = target.add_stream_from_template(source.streams.audio[0])
        for packet in source.demux(source.streams.audio[0]):
            if packet.dts is not None:
                packet.stream = stream
                target.mux(packet)
    with pytest.raises(MediaError, match="no video"):
        media.validate_video_upload(audio_only, max_bytes=10_000_000)
