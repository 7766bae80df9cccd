"""Cameos end to end with a real Celery worker process (queue "generation"), the real channel layer and the
preview backend: consent withdrawn while a job runs or before it starts, and verification done by the worker."""

from __future__ import annotations

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from cameos.models import Cameo, CameoUse
from config.asgi import application
from generation.models import GenerationJob
from tests.support import wait_for_job

from .conftest import astronaut, jpeg, relate, speech, upload, write_clip

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ORIGIN = (b"origin", b"http://localhost:8000")


async def _socket(user) -> WebsocketCommunicator:
    from accounts.services import user_token

    token = await sync_to_async(user_token)(user=user)
    ws = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, (b"authorization", f"Token {token}".encode())])
    connected, _ = await ws.connect(timeout=10)
    assert connected
    assert (await ws.receive_json_from(timeout=10))["type"] == "hello"
    return ws


async def _next_event(ws, match, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            event = await ws.receive_json_from(timeout=max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            break
        seen.append(event)
        if match(event):
            return event
    raise AssertionError(f"no matching event; last events: {seen[-5:]}")


@pytest.mark.asyncio
async def test_removing_an_approval_stops_a_running_job_with_the_reason_and_no_draft(
    start_worker, purge_queues, make_user, make_cameo, client_for
):
    owner = await sync_to_async(make_user)("olivia")
    ana = await sync_to_async(make_user)("ana")
    cameo = await sync_to_async(make_cameo)(owner, permission="approved", name="Olivia")
    await sync_to_async(relate)(owner, ana, approved_for=cameo)
    ws = await _socket(ana)
    try:
        await sync_to_async(start_worker)()
        theirs, mine = await sync_to_async(client_for)(ana), await sync_to_async(client_for)(owner)
        created = await sync_to_async(theirs.post)(
            "/api/generations",
            {"prompt": "me dancing in the rain in a city at night", "duration_s": 20, "cameos": [cameo.pk]},
            format="json",
        )
        assert created.status_code == 202
        job_id = created.json()["id"]

        await _next_event(ws, lambda e: e["type"] == "job.progress" and e["job"] == job_id)
        revoked = await sync_to_async(mine.delete)(f"/api/cameos/{cameo.pk}/approvals/ana")
        assert revoked.status_code == 204

        note = await _next_event(ws, lambda e: e["type"] == "notification" and e["kind"] == "moderation")
        assert "Olivia" in note["text"] and "was stopped" in note["text"]
        final = await _next_event(
            ws,
            lambda e: e["type"] == "job.status"
            and e["job"] == job_id
            and e["status"] in ("succeeded", "failed", "cancelled"),
        )

        assert final["status"] == "cancelled"
        job = await sync_to_async(GenerationJob.objects.get)(pk=job_id)
        assert job.error.startswith("Consent for the cameo “Olivia” was withdrawn")
        assert job.video == "" and job.poster == "" and job.draft == "none" and job.progress < 0.9
        use = await sync_to_async(CameoUse.objects.get)(job_id=job_id)
        assert use.removed_at is not None and use.removed_reason == job.error
    finally:
        await ws.disconnect()
        await sync_to_async(connections.close_all)()  # the test database can then be dropped


def test_the_worker_refuses_a_job_whose_consent_ended_before_it_started(
    start_worker, purge_queues, make_user, make_cameo, client_for
):
    from accounts.models import Follow

    owner, mutual = make_user("olivia"), make_user("max")
    cameo = make_cameo(owner, permission="mutuals", name="Olivia")
    relate(owner, mutual, owner_follows=True, follows_owner=True)
    job_id = (
        client_for(mutual)
        .post(
            "/api/generations", {"prompt": "a picnic by a lake", "duration_s": 2, "cameos": [cameo.pk]}, format="json"
        )
        .json()["id"]
    )
    # Consent ends by a write no sweep saw (as one racing with the job's creation would): only the worker's
    # check at start stands between the job and the owner's likeness.
    Follow.objects.filter(follower=owner, followee=mutual).delete()
    assert GenerationJob.objects.get(pk=job_id).status == "queued"

    start_worker()
    job = wait_for_job(job_id)

    assert job.status == "cancelled"
    assert job.error == (
        "Consent for the cameo “Olivia” was withdrawn: @olivia has not allowed you to use the cameo “Olivia”. "
        "You can ask for approval."
    )
    assert job.video == "" and job.draft == "none"


@pytest.mark.asyncio
async def test_the_worker_checks_the_photos_and_the_verification_clip(
    start_worker, purge_queues, make_user, client_for, tmp_path
):
    owner = await sync_to_async(make_user)("olivia")
    ws = await _socket(owner)
    try:
        await sync_to_async(start_worker)()
        client = await sync_to_async(client_for)(owner)
        created = await sync_to_async(client.post)(
            "/api/cameos",
            {"name": "Olivia", "kind": "person", "reference": [upload("me.jpg", jpeg(astronaut()))]},
            format="multipart",
        )
        assert created.status_code == 201 and created.json()["reference_check"]["state"] == "pending"
        cameo_id = created.json()["id"]

        ready = await _next_event(ws, lambda e: e["type"] == "notification" and "ready" in e["text"])
        assert ready["text"] == "Your cameo “Olivia” is ready. Verify it: until then nobody can use it, you included."

        challenge = (await sync_to_async(client.get)(f"/api/cameos/{cameo_id}/challenge")).json()
        audio, rate = await sync_to_async(speech)(challenge["phrase"])
        path = await sync_to_async(write_clip)(
            tmp_path / "clip.mp4", astronaut(), audio=audio, sample_rate=rate, talking=True
        )
        submitted = await sync_to_async(client.post)(
            f"/api/cameos/{cameo_id}/verify",
            {"clip": upload("clip.mp4", path.read_bytes(), "video/mp4"), "challenge": challenge["id"]},
            format="multipart",
        )
        assert submitted.status_code == 202 and submitted.json()["verification"]["state"] == "pending"

        verdict = await _next_event(ws, lambda e: e["type"] == "notification" and "verified" in e["text"])
        assert verdict["text"] == "Your cameo “Olivia” is verified."
        body = (await sync_to_async(client.get)(f"/api/cameos/{cameo_id}")).json()
        assert body["verified"] is True and body["verification"]["state"] == "verified" and body["avatar_url"]
        cameo = await sync_to_async(Cameo.objects.get)(pk=cameo_id)
        assert cameo.verified_at is not None
    finally:
        await ws.disconnect()
        await sync_to_async(connections.close_all)()  # the test database can then be dropped
