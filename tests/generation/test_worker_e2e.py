"""Generation end to end: the API, a real Celery worker process, the real Valkey channel layer, the real encoder."""

from __future__ import annotations

import asyncio
import os
import time

import numpy as np
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.files.storage import default_storage

from config.asgi import application
from core.video import decode_audio, decode_frames, probe
from generation.models import GenerationJob
from tests.conftest import assert_signed_url
from tests.support import member_with_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.usefixtures("close_thread_connections")]

ORIGIN = (b"origin", b"http://localhost:8000")


_signup = sync_to_async(member_with_token)


def _client(token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


async def _socket(token) -> WebsocketCommunicator:
    ws = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, (b"authorization", f"Token {token}".encode())])
    connected, _ = await ws.connect(timeout=10)
    assert connected
    assert (await ws.receive_json_from(timeout=10))["type"] == "hello"
    return ws


async def _events_until(ws, job_id, final=("succeeded", "failed", "cancelled"), timeout=180, on_event=None):
    events = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = await ws.receive_json_from(timeout=max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            break
        if event.get("job") != job_id:
            continue
        events.append(event)
        if on_event is not None:
            await on_event(event)
        if event["type"] == "job.status" and event["status"] in final:
            return events
    raise AssertionError(f"no final status for job {job_id}; events: {events[-5:]}")


def _read_local(name, tmp_path):
    path = tmp_path / os.path.basename(name)
    with default_storage.open(name, "rb") as src:
        path.write_bytes(src.read())
    return path


def _onset_times(audio: np.ndarray, sr: int, count: int) -> list[float]:
    """Times of the ``count`` strongest energy rises, at least 80 ms apart (2 ms hops)."""
    hop = int(sr * 0.002)
    frames = len(audio) // hop
    energy = np.sqrt(np.mean(audio[: frames * hop].reshape(frames, hop) ** 2, axis=1) + 1e-12)
    rise = np.maximum(np.diff(energy, prepend=energy[0]), 0)
    order = np.argsort(rise)[::-1]
    picked: list[int] = []
    for index in order:
        if all(abs(index - p) * 0.002 >= 0.08 for p in picked):
            picked.append(int(index))
        if len(picked) == count:
            break
    return sorted(p * 0.002 for p in picked)


@pytest.mark.asyncio
async def test_job_runs_on_a_real_worker_with_live_progress_and_synchronized_sound(start_worker, purge_queues, tmp_path):
    user, token = await _signup("ana")
    ws = await _socket(token)
    await sync_to_async(start_worker)()
    client = _client(token)
    r = await sync_to_async(client.post)(
        "/api/generations", {"prompt": "three red balls bouncing in a room", "duration_s": 4, "aspect": "9:16", "seed": 11}, format="json"
    )
    assert r.status_code == 202
    job_id = r.json()["id"]
    events = await _events_until(ws, job_id)
    await ws.disconnect()

    statuses = [e["status"] for e in events if e["type"] == "job.status"]
    assert statuses[0] in ("queued", "running") and "running" in statuses and statuses[-1] == "succeeded"
    progress = [e["progress"] for e in events if e["type"] == "job.progress"]
    assert len(progress) >= 3
    assert all(b >= a for a, b in zip(progress, progress[1:])), progress
    assert progress[-1] > 0.85

    job = (await sync_to_async(client.get)(f"/api/generations/{job_id}")).json()
    assert job["status"] == "succeeded" and job["progress"] == 1.0 and job["draft"] == "ready"
    assert_signed_url(job["video_url"])

    row = await sync_to_async(GenerationJob.objects.get)(pk=job_id)
    path = _read_local(row.video, tmp_path)
    info = probe(path)
    assert abs(info["duration_s"] - 4.0) <= 1 / 24 + 1e-6
    assert info["has_audio"] and (info["width"], info["height"]) == (480, 852)
    frames = decode_frames(path, max_frames=3)
    assert frames.shape[1:] == (852, 480, 3)

    impacts = [e for e in row.backend_meta.get("events", []) if e["type"] == "impact"]
    assert impacts, "the simulation recorded no collisions"
    strongest = sorted(impacts, key=lambda e: e["strength"], reverse=True)[: min(5, len(impacts))]
    audio, sr = decode_audio(path)
    onsets = _onset_times(audio, sr, len(strongest))
    impact_times = [e["t"] for e in impacts]
    for onset in onsets:
        nearest = min(impact_times, key=lambda t: abs(t - onset))
        assert abs(nearest - onset) <= 0.042, (onset, nearest, onsets, impact_times)


@pytest.mark.asyncio
async def test_cancel_mid_run_leaves_no_draft_and_the_worker_takes_the_next_job(start_worker, purge_queues):
    user, token = await _signup("ana")
    ws = await _socket(token)
    await sync_to_async(start_worker)()
    client = _client(token)
    long_job = (await sync_to_async(client.post)("/api/generations", {"prompt": "snow falling on a city at night", "duration_s": 20}, format="json")).json()

    cancelled = {"sent": False}

    async def cancel_on_progress(event):
        if event["type"] == "job.progress" and not cancelled["sent"]:
            cancelled["sent"] = True
            r = await sync_to_async(client.post)(f"/api/generations/{long_job['id']}/cancel")
            assert r.status_code == 200

    events = await _events_until(ws, long_job["id"], on_event=cancel_on_progress)
    assert events[-1]["status"] == "cancelled"
    row = await sync_to_async(GenerationJob.objects.get)(pk=long_job["id"])
    assert row.video == "" and row.draft == "none" and row.progress < 0.9

    next_job = (await sync_to_async(client.post)("/api/generations", {"prompt": "a ball", "duration_s": 1}, format="json")).json()
    events = await _events_until(ws, next_job["id"])
    assert events[-1]["status"] == "succeeded"
    await ws.disconnect()


def test_sigkill_mid_job_then_another_worker_finishes_it_exactly_once(start_worker, purge_queues, make_user, client_for):
    user = make_user("ana")
    client = client_for(user)
    first = start_worker()
    job_id = client.post("/api/generations", {"prompt": "rain in a forest with two balls", "duration_s": 20}, format="json").json()["id"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job = GenerationJob.objects.get(pk=job_id)
        if job.status == "running" and job.progress > 0.05:
            break
        time.sleep(0.1)
    assert job.status == "running", job.status
    first.kill()
    killed_attempt = job.attempts

    start_worker()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.3)
    assert job.status == "succeeded", (job.status, job.errors)
    assert job.attempts == killed_attempt + 1
    assert any("stopped responding" in e["error"] for e in job.errors)
    root = f"drafts/{user.pk}/{job.pk}"
    attempt_dirs, _ = default_storage.listdir(root)
    kept = [d for d in attempt_dirs if default_storage.listdir(f"{root}/{d}")[1]]
    assert kept == [f"a{job.attempts}"]
    assert job.video.startswith(f"{root}/a{job.attempts}/")
