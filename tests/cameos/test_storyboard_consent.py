"""Consent in storyboards and stitches: a cameo you may not use is refused before anything is queued, a cameo
whose owner withdraws while the first shot renders stops the whole storyboard with no draft kept, and a stitch
carries its drafts' cameos, so their owners' consent is checked again."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from cameos.models import CameoUse
from generation.models import GenerationJob

from .conftest import relate
from .test_worker_e2e import _next_event, _socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_storyboard_shot_with_a_cameo_you_may_not_use_queues_nothing(make_user, make_cameo, client_for):
    owner, ana = make_user("olivia"), make_user("ana")
    private = make_cameo(owner, permission="only_me", name="Olivia")
    restricted = make_cameo(make_user("maxime"), permission="everyone", name="Max", restrictions="no kitchens")
    client = client_for(ana)
    shots = [{"prompt": "a red ball bounces in a park", "duration_s": 2},
             {"prompt": "Olivia catches the ball", "duration_s": 2}]
    before = GenerationJob.objects.count()
    refused = client.post("/api/generations", {"kind": "storyboard", "shots": shots, "cameos": [private.pk]},
                          format="json")
    assert refused.status_code in (403, 404) and refused.json()["detail"]
    # The owner's restriction is read against every shot, not only the first.
    kitchen = [shots[0], {"prompt": "Max walks into a kitchen", "duration_s": 2}]
    refused = client.post("/api/generations", {"kind": "storyboard", "shots": kitchen, "cameos": [restricted.pk]},
                          format="json")
    assert refused.status_code == 403 and "kitchen" in refused.json()["detail"].lower(), refused.json()
    assert GenerationJob.objects.count() == before and not CameoUse.objects.exists()


@pytest.mark.asyncio
async def test_consent_withdrawn_while_the_first_shot_renders_stops_the_storyboard(
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
        shots = [{"prompt": "a red ball bounces in a city street at night", "duration_s": 20},
                 {"prompt": "the ball rolls", "duration_s": 20},
                 {"prompt": "Olivia picks up the ball", "duration_s": 20, "framing": "close_up"}]
        created = await sync_to_async(theirs.post)(
            "/api/generations", {"kind": "storyboard", "shots": shots, "cameos": [cameo.pk]}, format="json")
        assert created.status_code == 202, created.json()
        job_id = created.json()["id"]

        first = await _next_event(ws, lambda e: e["type"] == "job.progress" and e["job"] == job_id and "shot" in e)
        assert first["shot"] == 0 and first["shots"] == 3
        revoked = await sync_to_async(mine.delete)(f"/api/cameos/{cameo.pk}/approvals/ana")
        assert revoked.status_code == 204
        final = await _next_event(
            ws, lambda e: e["type"] == "job.status" and e["job"] == job_id
            and e["status"] in ("succeeded", "failed", "cancelled"))
        assert final["status"] == "cancelled"
        job = await sync_to_async(GenerationJob.objects.get)(pk=job_id)
        assert job.error.startswith("Consent for the cameo “Olivia” was withdrawn")
        assert job.video == "" and job.poster == "" and job.draft == "none" and job.progress < 0.9
    finally:
        await ws.disconnect()
        await sync_to_async(connections.close_all)()


def test_a_stitch_carries_its_drafts_cameos_and_their_consent(make_user, make_cameo, client_for):
    owner, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(owner, permission="approved", name="Olivia")
    relate(owner, ana, approved_for=cameo)
    drafts = []
    for seed in (1, 2):
        job = GenerationJob.objects.create(user=ana, prompt="Olivia dancing", seed=seed, duration_s=2,
                                           status="succeeded", video=f"drafts/{seed}.mp4", draft="ready")
        job.cameos.set([cameo])
        drafts.append(job)
    client = client_for(ana)
    payload = {"kind": "stitch", "sources": [{"draft": d.pk} for d in drafts]}
    client_for(owner).delete(f"/api/cameos/{cameo.pk}/approvals/ana")
    before = GenerationJob.objects.count()
    refused = client.post("/api/generations", payload, format="json")
    assert refused.status_code == 403 and "Olivia" in refused.json()["detail"], refused.json()
    assert GenerationJob.objects.count() == before
