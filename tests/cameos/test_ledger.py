"""The ledger: every job and post that used a cameo, listed to its owner, and the owner's power to remove any of
them; revocation; deleting a cameo."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Notification
from cameos.models import Cameo, CameoUse
from feed.models import Post
from generation.models import GenerationJob
from generation.services import job_succeed
from tests.conftest import assert_signed_url

from .conftest import astronaut, consent_when_it_runs, jpeg, relate

pytestmark = pytest.mark.django_db


def _job(client, cameo, prompt="a walk in the park") -> GenerationJob:
    response = client.post("/api/generations", {"prompt": prompt, "cameos": [cameo.pk]}, format="json")
    assert response.status_code == 202, response.json()
    return GenerationJob.objects.get(pk=response.json()["id"])


def _running(client, cameo, prompt="a walk in the park") -> GenerationJob:
    """A job a worker claimed. The claim is the compare-and-set ``job_claim_next`` does, aimed at this job (fair
    order would pick whichever user's job comes first)."""
    job = _job(client, cameo, prompt)
    now = timezone.now()
    claimed = GenerationJob.objects.filter(pk=job.pk, status="queued").update(
        status="running", attempts=1, worker_id="worker-1", heartbeat_at=now, started_at=now
    )
    assert claimed == 1
    job.refresh_from_db()
    return job


def _draft(client, cameo, prompt="a walk in the park") -> GenerationJob:
    """A job that ran and left a private draft, through the worker's own services."""
    job = _running(client, cameo, prompt)
    base = f"drafts/{job.user_id}/{job.pk}/a1"
    video = default_storage.save(f"{base}/clip.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42 a draft"))
    poster = default_storage.save(f"{base}/poster.jpg", ContentFile(jpeg(astronaut())))
    assert (
        job_succeed(job_id=job.pk, worker_id="worker-1", video=video, poster=poster, scene_plan=None, meta={})
        is not None
    )
    job.refresh_from_db()
    return job


def _post(client, cameo, prompt="a walk in the park") -> Post:
    job = _draft(client, cameo, prompt)
    response = client.post(f"/api/generations/{job.pk}/publish", {"caption": "look"}, format="json")
    assert response.status_code == 201, response.json()
    return Post.objects.get(pk=response.json()["id"])


@pytest.fixture
def people(make_user, make_cameo, client_for):
    owner, ana, ben = make_user("olivia"), make_user("ana"), make_user("ben")
    cameo = make_cameo(owner, permission="everyone", name="Olivia")
    return owner, cameo, client_for(owner), client_for(ana), client_for(ben), ana, ben


def test_the_owner_sees_every_use_including_other_peoples_drafts(people):
    owner, cameo, mine, ana_client, ben_client, ana, ben = people
    queued = _job(ana_client, cameo, "ana queued")
    draft = _draft(ben_client, cameo, "ben's private draft")
    post = _post(ana_client, cameo, "ana published")
    own = _job(mine, cameo, "my own")
    GenerationJob.objects.filter(pk=draft.pk).update(prompt_public=False)

    response = mine.get(f"/api/cameos/{cameo.pk}/uses")
    assert response.status_code == 200
    uses = response.json()["results"]
    by_job = {u["job"]: u for u in uses}
    assert set(by_job) == {queued.pk, draft.pk, post.job_id, own.pk}
    assert by_job[queued.pk]["state"] == "queued" and by_job[queued.pk]["user"]["username"] == "ana"
    assert by_job[draft.pk]["state"] == "draft" and by_job[draft.pk]["prompt"] == "ben's private draft"
    assert_signed_url(by_job[draft.pk]["poster_url"])
    assert_signed_url(by_job[draft.pk]["video_url"])
    assert by_job[post.job_id]["state"] == "published" and by_job[post.job_id]["post"] == post.pk
    assert by_job[own.pk]["basis"] == "owner" and by_job[queued.pk]["basis"] == "everyone"
    assert [u["id"] for u in uses] == sorted((u["id"] for u in uses), reverse=True)  # newest first
    assert response.json()["next"] is None

    assert ana_client.get(f"/api/cameos/{cameo.pk}/uses").status_code == 403
    only_ben = mine.get(f"/api/cameos/{cameo.pk}/uses?user=ben").json()["results"]
    assert [u["job"] for u in only_ben] == [draft.pk]
    published_note = Notification.objects.filter(recipient=owner, kind="cameo_use", post=post)
    assert published_note.count() == 1 and "published" in published_note.get().text


def test_listing_uses_takes_the_same_number_of_queries_for_any_page_size(people, settings):
    owner, cameo, mine, ana_client, ben_client, ana, ben = people
    settings.GENERATION_MAX_ACTIVE_PER_USER = 50
    for _ in range(2):
        _job(ana_client, cameo)
    with CaptureQueriesContext(connection) as few:
        assert len(mine.get(f"/api/cameos/{cameo.pk}/uses").json()["results"]) == 2
    for _ in range(8):
        _job(ben_client, cameo)
    _draft(ben_client, cameo)
    with CaptureQueriesContext(connection) as many:
        assert len(mine.get(f"/api/cameos/{cameo.pk}/uses").json()["results"]) == 11
    assert len(many) == len(few)


@pytest.mark.parametrize("kind", ["queued", "running", "draft", "post"])
def test_the_owner_removes_a_use(people, kind, django_capture_on_commit_callbacks):
    owner, cameo, mine, ana_client, ben_client, ana, ben = people
    made = {"queued": _job, "running": _running, "draft": _draft, "post": _post}[kind](ana_client, cameo)
    job = made.job if kind == "post" else made
    use = CameoUse.objects.get(job=job)
    files = [job.video, job.poster] if kind == "draft" else []

    with django_capture_on_commit_callbacks(execute=True):
        response = mine.delete(f"/api/cameos/{cameo.pk}/uses/{use.pk}")
    assert response.status_code == 200, response.json()
    body = response.json()
    reason = "@olivia removed their cameo “Olivia” from this clip."
    assert body["state"] == "removed" and body["removed_reason"] == reason and body["removed_by"] == "olivia"

    job.refresh_from_db()
    if kind == "queued":
        assert job.status == "cancelled" and job.error == reason
    elif kind == "running":
        assert job.status == "running" and job.cancel_requested and job.cancel_reason == reason
    elif kind == "draft":
        assert job.draft == "discarded" and job.video == "" and job.error == reason
        assert not any(default_storage.exists(name) for name in files)
    else:
        made.refresh_from_db()
        assert made.state == "taken_down" and made.state_reason == reason
        assert ben_client.get(f"/api/posts/{made.pk}").status_code == 404
        assert ana_client.get(f"/api/posts/{made.pk}").status_code == 404
    told = Notification.objects.get(recipient=ana, kind="moderation")
    assert reason in told.text
    # The ledger keeps the row; a second removal is refused.
    assert CameoUse.objects.filter(cameo=cameo).count() == 1
    again = mine.delete(f"/api/cameos/{cameo.pk}/uses/{use.pk}")
    assert again.status_code == 409 and again.json()["code"] == "already_removed"
    # A removed use cannot come back: the worker's check refuses the job.
    assert consent_when_it_runs(job) == reason


def test_only_the_owner_removes_uses(people):
    owner, cameo, mine, ana_client, ben_client, ana, ben = people
    use = CameoUse.objects.get(job=_job(ana_client, cameo))
    assert ana_client.delete(f"/api/cameos/{cameo.pk}/uses/{use.pk}").status_code == 403
    assert ben_client.delete(f"/api/cameos/{cameo.pk}/uses/{use.pk}").status_code == 403
    assert mine.delete(f"/api/cameos/{cameo.pk}/uses/999999").status_code == 404
    assert CameoUse.objects.get(pk=use.pk).removed_at is None


def test_one_action_removes_every_use_by_one_person(people, settings):
    owner, cameo, mine, ana_client, ben_client, ana, ben = people
    settings.GENERATION_MAX_ACTIVE_PER_USER = 10
    post = _post(ana_client, cameo)
    draft = _draft(ana_client, cameo)
    queued = _job(ana_client, cameo)
    bens = _job(ben_client, cameo)

    response = mine.delete(f"/api/cameos/{cameo.pk}/uses?user=ana")
    assert response.status_code == 200 and response.json() == {"removed": 3}

    post.refresh_from_db()
    assert post.state == "taken_down"
    assert GenerationJob.objects.get(pk=draft.pk).draft == "discarded"
    assert GenerationJob.objects.get(pk=queued.pk).status == "cancelled"
    assert GenerationJob.objects.get(pk=bens.pk).status == "queued"
    assert CameoUse.objects.get(job=bens).removed_at is None
    assert mine.delete(f"/api/cameos/{cameo.pk}/uses").status_code == 400


def test_revoking_an_approval_stops_pending_uses_but_published_posts_stay(make_user, make_cameo, client_for, settings):
    settings.GENERATION_MAX_ACTIVE_PER_USER = 10
    owner, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(owner, permission="approved", name="Olivia")
    mine, theirs = client_for(owner), client_for(ana)
    assert mine.post(f"/api/cameos/{cameo.pk}/approvals", {"username": "ana"}, format="json").status_code == 201
    post = _post(theirs, cameo)
    draft = _draft(theirs, cameo)
    queued = _job(theirs, cameo)

    assert mine.delete(f"/api/cameos/{cameo.pk}/approvals/ana").status_code == 204

    post.refresh_from_db()
    assert post.state == "published" and theirs.get(f"/api/posts/{post.pk}").status_code == 200
    assert GenerationJob.objects.get(pk=draft.pk).draft == "discarded"
    assert GenerationJob.objects.get(pk=queued.pk).status == "cancelled"
    refused = theirs.post("/api/generations", {"prompt": "again", "cameos": [cameo.pk]}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "cameo_not_allowed"
    states = {u["job"]: u["state"] for u in mine.get(f"/api/cameos/{cameo.pk}/uses").json()["results"]}
    assert states == {post.job_id: "published", draft.pk: "removed", queued.pk: "removed"}
    # The post stays until the owner removes it.
    use = CameoUse.objects.get(post=post)
    assert mine.delete(f"/api/cameos/{cameo.pk}/uses/{use.pk}").status_code == 200
    post.refresh_from_db()
    assert post.state == "taken_down"


def test_publishing_checks_consent_again(make_user, make_cameo, client_for):
    from accounts.models import Follow

    owner, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(owner, permission="mutuals", name="Olivia")
    relate(owner, ana, owner_follows=True, follows_owner=True)
    theirs = client_for(ana)
    draft = _draft(theirs, cameo)
    Follow.objects.filter(follower=ana, followee=owner).delete()  # consent ended without a sweep seeing it

    response = theirs.post(f"/api/generations/{draft.pk}/publish", {}, format="json")
    assert response.status_code == 403 and "Olivia" in response.json()["detail"]
    assert not Post.objects.exists()


def test_deleting_a_cameo_deletes_its_media_and_every_pending_use(people, django_capture_on_commit_callbacks, settings):
    owner, cameo, mine, ana_client, ben_client, ana, ben = people
    settings.GENERATION_MAX_ACTIVE_PER_USER = 10
    post = _post(ana_client, cameo)
    draft = _draft(ben_client, cameo)
    running = _running(ana_client, cameo)
    queued = _job(ben_client, cameo)
    challenge_clip = default_storage.save(f"cameos/{cameo.pk}/verify-pending.mp4", ContentFile(b"clip"))
    cameo.challenges.create(
        phrase="amber falcon nine meadow",
        expires_at=cameo.created_at,
        state="pending",
        submitted_at=cameo.created_at,
        clip=challenge_clip,
    )
    media = [cameo.reference, cameo.avatar, challenge_clip, *[r.file for r in cameo.references.all()]]
    draft_files = [draft.video, draft.poster]
    assert all(default_storage.exists(name) for name in media + draft_files)

    assert ana_client.delete(f"/api/cameos/{cameo.pk}").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = mine.delete(f"/api/cameos/{cameo.pk}")
    assert response.status_code == 204

    assert not Cameo.objects.filter(pk=cameo.pk).exists() and not CameoUse.objects.exists()
    assert not any(default_storage.exists(name) for name in media), "cameo media left in storage"
    assert not any(default_storage.exists(name) for name in draft_files), "draft files left in storage"
    assert GenerationJob.objects.get(pk=queued.pk).status == "cancelled"
    assert GenerationJob.objects.get(pk=running.pk).cancel_requested
    assert GenerationJob.objects.get(pk=draft.pk).draft == "discarded"
    post.refresh_from_db()
    assert post.state == "published"
    assert mine.get(f"/api/cameos/{cameo.pk}").status_code == 404
