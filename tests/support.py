"""Helpers the tests share (the benchmarks use some too): waiting for a job to finish, a member with an API token,
publishing a clip and checking where a copy came from, re-encoding a clip the way a re-share through another app
does, and judging speech (word error rate, median pitch)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np

PASSWORD = "correct-horse-42"


def wait_for_job(job_id: int, *, timeout: float = 120, until=None):
    """The job once it is finished (or once ``until(job)`` holds), read from the database every 0.2 s; fails the
    test with the job's state after ``timeout`` seconds."""
    from generation.models import GenerationJob

    done = until or (lambda job: job.is_finished)
    deadline = time.monotonic() + timeout
    while True:
        job = GenerationJob.objects.get(pk=job_id)
        if done(job):
            return job
        if time.monotonic() >= deadline:
            raise AssertionError(f"job {job_id} did not get there in {timeout:g} s: {job.status} {job.errors}")
        time.sleep(0.2)


def publish_clip(client, payload: dict) -> tuple:
    """Make a 2 s clip (unless ``payload`` says otherwise) through the API and a running worker, and publish it:
    (the finished job, the post as the API returns it)."""
    job_id = client.post("/api/generations", {"duration_s": 2, **payload}, format="json").json()["id"]
    job = wait_for_job(job_id)
    assert job.status == "succeeded", job.errors
    post = client.post(f"/api/generations/{job_id}/publish", {"caption": "made here"}, format="json").json()
    return job, post


def stored_copy(name: str, tmp_path: Path, label: str) -> Path:
    """A local copy of a stored file (a published clip), as ``tmp_path/<label>.mp4``."""
    from django.core.files.storage import default_storage

    path = tmp_path / f"{label}.mp4"
    with default_storage.open(name, "rb") as src:
        path.write_bytes(src.read())
    return path


def verify_upload(client, name: str, data: bytes) -> dict:
    """POST /api/provenance/verify (answered at once: 202, pending), then the check once the worker wrote its
    report, read from GET /api/provenance/checks/<id>."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/api/provenance/verify", {"file": SimpleUploadedFile(name, data, "video/mp4")}, format="multipart"
    )
    assert response.status_code == 202, response.content
    check = response.json()
    assert check["status"] == "pending" and check["report"] == {}
    deadline = time.monotonic() + 60
    while check["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.2)
        check = client.get(f"/api/provenance/checks/{check['id']}").json()
    assert check["status"] == "done", check
    return check


def member_with_token(username: str, **fields):
    """A new member signed up through the service, and their API token: (user, token)."""
    from accounts.services import user_signup, user_token

    user = user_signup(username=username, password=PASSWORD, **fields)
    return user, user_token(user=user)


def reencode(src: Path, dst: Path, *, crf: int, scale: float = 1.0, keep_audio: bool = False) -> np.ndarray:
    """Decode a clip, scale it (``scale`` of each side, even sizes, OpenCV's area filter), encode it again with
    PyAV at ``crf`` and its own frame rate, with its sound when ``keep_audio``; return the copy's decoded frames."""
    import cv2

    from core.video import decode_audio, decode_frames, encode_mp4, probe

    frames = decode_frames(src)
    if scale != 1.0:
        height, width = frames.shape[1:3]
        size = (round(width * scale) // 2 * 2, round(height * scale) // 2 * 2)
        frames = np.stack([cv2.resize(frame, size, interpolation=cv2.INTER_AREA) for frame in frames])
    audio, rate = decode_audio(src) if keep_audio else (None, 24_000)
    encode_mp4(frames, round(probe(src)["fps"]), audio, rate, dst, crf=crf)
    return decode_frames(dst)


def word_error_rate(reference: str, heard: str) -> float:
    """Word-level Levenshtein distance over the reference's word count (case and punctuation ignored)."""
    ref, hyp = re.findall(r"[a-z']+", reference.lower()), re.findall(r"[a-z']+", heard.lower())
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / len(ref)


def median_f0(audio: np.ndarray, rate: int) -> float:
    """The median fundamental frequency of the voiced frames (WORLD's DIO + StoneMask); 0 when none is voiced."""
    import pyworld

    signal = np.asarray(audio, dtype=np.float64)
    f0, times = pyworld.dio(signal, rate)
    f0 = pyworld.stonemask(signal, f0, times, rate)
    voiced = f0[f0 > 0]
    return float(np.median(voiced)) if len(voiced) else 0.0
