"""A remix carries the likenesses of the clip it starts from: remixing a clip that features someone's cameo needs
that person's consent, and the use is on their ledger."""

import pytest
from django.utils import timezone

from cameos.models import Cameo, CameoUse
from generation import services
from generation.models import GenerationJob

pytestmark = pytest.mark.django_db


def _published_clip_with_cameo(owner, permission):
    cameo = Cameo.objects.create(owner=owner, kind="character", name="Rex", permission=permission,
                                 reference_state="ready", verification_state="not_required")
    job, _ = services.job_create(user=owner, prompt="Rex runs on the beach", cameo_ids=[cameo.pk])
    GenerationJob.objects.filter(pk=job.pk).update(status="running", worker_id="w:1", attempts=1, heartbeat_at=timezone.now())
    services.job_succeed(job_id=job.pk, worker_id="w:1", video="v.mp4", poster="p.jpg", scene_plan=None, meta={})
    return cameo, services.job_publish(user=owner, job=GenerationJob.objects.get(pk=job.pk))


def test_remixing_a_clip_with_a_cameo_needs_its_owners_consent(make_user, client_for):
    owner, stranger = make_user("olivia"), make_user("sam")
    cameo, post = _published_clip_with_cameo(owner, "only_me")
    r = client_for(stranger).post("/api/generations", {"prompt": "at night", "remix_of": post.pk}, format="json")
    assert r.status_code == 403 and "Rex" in r.json()["detail"]
    assert not GenerationJob.objects.filter(user=stranger).exists()


def test_an_allowed_remix_records_the_inherited_cameo_on_the_ledger(make_user, client_for):
    owner, fan = make_user("olivia"), make_user("fan")
    cameo, post = _published_clip_with_cameo(owner, "everyone")
    r = client_for(fan).post("/api/generations", {"prompt": "in the snow", "remix_of": post.pk}, format="json")
    assert r.status_code == 202, r.content
    assert r.json()["cameos"] == [cameo.pk]
    assert CameoUse.objects.filter(cameo=cameo, user=fan, job_id=r.json()["id"], basis="everyone").exists()
