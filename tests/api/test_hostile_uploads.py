"""A corpus of hostile files against every upload endpoint: each gets a 4xx with a message, nothing is stored,
and the worker keeps serving."""

from __future__ import annotations

import io
import os
import struct
import time
import zipfile
import zlib

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.video import encode_mp4

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, *, idat: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _huge_png() -> bytes:
    """A real 20,000 x 20,000 greyscale PNG: a few hundred KB on disk, 400 megapixels once decoded."""
    row = b"\x00" + b"\x00" * 20_000
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(20_000)) + compressor.flush()
    return _png(20_000, 20_000, idat=data)


def _bomb_png() -> bytes:
    """A header claiming 65,535 x 65,535 pixels (4.3 gigapixels) over a tiny stream: a classic decompression bomb."""
    return _png(65_535, 65_535, idat=zlib.compress(b"\x00" * 65_536))


def _mp4(tmp_path, *, audio_only=False) -> bytes:
    path = tmp_path / ("audio.mp4" if audio_only else "clip.mp4")
    if audio_only:
        import av

        with av.open(str(path), "w") as container:
            stream = container.add_stream("aac", rate=22050)
            stream.layout = "mono"
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate = 22050
            for packet in stream.encode(frame):
                container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
    else:
        frames = np.full((24, 256, 256, 3), 90, np.uint8)
        encode_mp4(frames, 24, np.zeros(22050, np.float32), 22050, path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corpus")
    mp4 = _mp4(tmp)
    jpeg = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 200, 10)).save(jpeg, "JPEG")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("clip.mp4", b"\x00" * 1000)
    files = {
        "zero-bytes.mp4": (b"", "video/mp4"),
        "truncated.mp4": (mp4[: len(mp4) * 2 // 5], "video/mp4"),
        "huge-20000x20000.png": (_huge_png(), "image/png"),
        "bomb.png": (_bomb_png(), "image/png"),
        "polyglot-png-html.png": (b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>", "image/png"),
        "polyglot-mp4-js.mp4": (mp4[:32] + b"<script>fetch('/api/me')</script>" + os.urandom(2048), "video/mp4"),
        "script.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
        "archive-renamed.mp4": (archive.getvalue(), "video/mp4"),
        "huge-file.mp4": (b"\x00\x00\x00\x18ftypmp42" + os.urandom(21 * 1024 * 1024), "video/mp4"),
        "text-as-png.png": (b"just some text, honestly", "image/png"),
        "document.pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf"),
        "page.jpg": (b"<!doctype html><title>x</title>", "image/jpeg"),
        "audio-only.mp4": (_mp4(tmp, audio_only=True), "video/mp4"),
        "elf-binary.mp4": (open("/bin/ls", "rb").read()[:200_000], "video/mp4"),
        "tiny-1x1.gif": (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "image/gif"),
        "json.mp4": (b'{"not": "a video"}', "video/mp4"),
        "webm-garbage.webm": (b"\x1a\x45\xdf\xa3" + os.urandom(4096), "video/webm"),
        "jpeg-declared-as-mp4.mp4": (jpeg.getvalue(), "video/mp4"),
    }
    # For photo endpoints a real video is hostile input too, and for video endpoints a real photo.
    return files, mp4, jpeg.getvalue()


def _stored_files() -> set[str]:
    found = set()

    def walk(path):
        try:
            dirs, files = default_storage.listdir(path)
        except (FileNotFoundError, NotADirectoryError, OSError):
            return
        for name in files:
            found.add(f"{path}/{name}" if path else name)
        for name in dirs:
            walk(f"{path}/{name}" if path else name)

    walk("")
    return found


def _row_counts():
    from cameos.models import Cameo
    from generation.models import GenerationJob, ProvenanceCheck

    return Cameo.objects.count(), ProvenanceCheck.objects.count(), GenerationJob.objects.count()


def test_hostile_files_are_refused_everywhere_and_nothing_is_stored(corpus, start_worker, purge_queues, make_user, client_for):
    from django.core.cache import cache

    from cameos.models import Cameo

    files, mp4, jpeg = corpus
    worker = start_worker()
    user = make_user("ana")
    client = client_for(user)
    # A cameo whose reference photo passed its check, so its verify endpoint takes clips.
    cameo = Cameo.objects.create(owner=user, kind="person", name="Me", reference_state="ready")

    endpoints = [
        ("PUT", "/api/me/avatar", "avatar", {}, {"jpeg-declared-as-mp4.mp4"}),
        ("POST", "/api/cameos", "reference", {"name": "Me again", "kind": "person"}, {"jpeg-declared-as-mp4.mp4"}),
        ("POST", f"/api/cameos/{cameo.pk}/verify", "clip", {}, set()),
        ("POST", "/api/provenance/verify", "file", {}, set()),
    ]
    before_files, before_rows = _stored_files(), _row_counts()
    results = []
    for method, url, field, extra, acceptable in endpoints:
        for name, (data, content_type) in files.items():
            if name in acceptable:
                continue  # a genuine photo is a fine avatar/reference whatever the file is called
            cache.clear()  # upload throttling is not what this test is about
            if "/verify" in url and "cameos" in url:
                assert client.get(f"/api/cameos/{cameo.pk}/challenge").status_code == 200
            upload = SimpleUploadedFile(name, data, content_type)
            call = client.put if method == "PUT" else client.post
            r = call(url, {field: upload, **extra}, format="multipart")
            results.append((url, name, r.status_code))
            assert 400 <= r.status_code < 500, (url, name, r.status_code, r.content[:300])
            body = r.json()
            assert body.get("detail"), (url, name, body)
    assert _stored_files() == before_files
    assert _row_counts() == before_rows
    cameo.refresh_from_db()
    assert cameo.verified_at is None
    print(sorted({(url, status) for url, _, status in results}))
    assert {status for *_, status in results} <= {400, 413, 415, 422}

    # The worker is still alive and still serving.
    assert worker.proc.poll() is None
    job_id = client.post("/api/generations", {"prompt": "a ball", "duration_s": 1}, format="json").json()["id"]
    from generation.models import GenerationJob

    deadline = time.monotonic() + 60
    while GenerationJob.objects.get(pk=job_id).status != "succeeded" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert GenerationJob.objects.get(pk=job_id).status == "succeeded"
