"""Extending a clip: a public post (anyone who may remix it) or one of the member's own drafts. The extension
continues from the parent's last frame, keeps its world and cast, and its C2PA manifest lists the parent as an
ingredient; bad requests are refused with a message and queue nothing."""

from __future__ import annotations

import numpy as np
import pytest
from django.conf import settings

from core.video import decode_frames
from generation import services
from generation.models import GenerationJob
from generation.provenance import read_manifest
from generation.worker import run_job, worker_id
from tests.support import stored_copy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_thread_connections")]
# Measured on the published (watermarked, re-encoded) files of this test: the extension's first frame differs from
# the parent's last frame by 2.9 grey levels on average (mean absolute difference; the two clips carry different
# watermarks), the parent's own consecutive frames by 0.7-5.0, and its first frame from its last by 8.7. A
# continuation must be no further from the parent's last frame than the parent's largest step between frames.
CONTINUITY = 1.0


def _run(client, payload: dict) -> GenerationJob:
    response = client.post("/api/generations", {"duration_s": 2, **payload}, format="json")
    assert response.status_code == 202, response.json()
    job = services.job_claim_next(worker_id=worker_id())
    assert job is not None and job.pk == response.json()["id"]
    run_job(job, worker_id())
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.SUCCEEDED, job.error
    return job


def _anchor() -> str:
    return open(settings.C2PA_TRUST_ANCHOR).read()


def test_extending_a_post_continues_from_its_last_frame_and_lists_it(make_user, client_for, purge_queues, tmp_path,
                                                                     capsys):
    ana, ben = client_for(make_user("ana")), client_for(make_user("ben"))
    parent_job = _run(ana, {"prompt": 'a red ball bouncing in a kitchen, the girl says "higher!"', "seed": 4,
                            "duration_s": 3})
    post = ana.post(f"/api/generations/{parent_job.pk}/publish", {"caption": "bounce"}, format="json").json()

    extension = _run(ben, {"prompt": "then it keeps bouncing", "kind": "extend", "remix_of": post["id"], "seed": 9})
    assert extension.kind == "extend" and extension.remix_of_id == post["id"]
    assert extension.scene_plan["cast"] == parent_job.scene_plan["cast"]  # the same voices
    assert [s["rgb"] for s in extension.scene_plan["subjects"]] == [s["rgb"] for s in parent_job.scene_plan["subjects"]]

    parent_frames = decode_frames(stored_copy(parent_job.video, tmp_path, "parent")).astype(float)
    first = decode_frames(stored_copy(extension.video, tmp_path, "extension"), max_frames=1)[0].astype(float)
    steps = [np.abs(b - a).mean() for a, b in zip(parent_frames[:-1], parent_frames[1:])]
    jump = float(np.abs(first - parent_frames[-1]).mean())
    with capsys.disabled():
        print(f"\n  extension: first frame vs parent's last {jump:.2f}; parent's own steps "
              f"{min(steps):.2f}-{max(steps):.2f}; parent's first vs last {np.abs(parent_frames[0] - parent_frames[-1]).mean():.2f}")
    assert jump <= CONTINUITY * max(steps)

    manifest = read_manifest(stored_copy(extension.video, tmp_path, "signed"), trust_anchor_pem=_anchor())
    assert manifest["state"] == "trusted"
    assert [i.get("riff", {}).get("job_id") for i in manifest["ingredients"]] == [parent_job.pk]


def test_a_member_extends_their_own_draft_and_nobody_else_can(make_user, client_for, purge_queues, tmp_path):
    ana, ben = client_for(make_user("ana")), client_for(make_user("ben"))
    draft = _run(ana, {"prompt": "two cats chasing a ball in a park", "seed": 2})
    before = GenerationJob.objects.count()
    refusals = [
        (ben, {"extend_of": draft.pk}, 404, "extend_of_not_found"),
        (ana, {"extend_of": draft.pk, "remix_of": 1}, 400, "extend_source_ambiguous"),
        (ana, {"extend_of": 999999}, 404, "extend_of_not_found"),
    ]
    for client, extra, status, code in refusals:
        response = client.post("/api/generations", {"prompt": "and then?", "duration_s": 2, **extra}, format="json")
        assert (response.status_code, response.json()["code"]) == (status, code), response.json()
        assert response.json()["detail"]
    waiting = ana.post("/api/generations", {"prompt": "a blue ball", "duration_s": 2}, format="json").json()
    response = ana.post("/api/generations", {"prompt": "more", "extend_of": waiting["id"]}, format="json")
    assert response.status_code == 409 and "not ready" in response.json()["detail"]
    assert GenerationJob.objects.count() == before + 1  # only the clip that was asked for is queued
    services.job_cancel(user=draft.user, job=GenerationJob.objects.get(pk=waiting["id"]))

    extension = _run(ana, {"prompt": "then the cats sleep", "extend_of": draft.pk})
    assert extension.kind == "extend" and extension.extends_id == draft.pk and extension.remix_of_id is None
    body = ana.get(f"/api/generations/{extension.pk}").json()
    assert body["extend_of"] == draft.pk
    manifest = read_manifest(stored_copy(extension.video, tmp_path, "signed"), trust_anchor_pem=_anchor())
    assert [i.get("riff", {}).get("job_id") for i in manifest["ingredients"]] == [draft.pk]
