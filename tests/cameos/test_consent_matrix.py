"""The consent matrix: every permission level × every relationship to the owner × {consent still holds when the
job runs, consent narrowed between creation and run}.

Jobs are created through ``POST /api/generations``; "when it runs" is ``consent_when_it_runs(...)``, the
exact call the worker makes before it starts a job (the end-to-end tests run a real worker). The expected
outcomes below are written out by hand, not computed by the code under test.
"""

from __future__ import annotations

import pytest

from accounts.models import Notification
from cameos.models import CameoUse
from generation.models import GenerationJob

from .conftest import consent_when_it_runs, relate

LEVELS = ["only_me", "approved", "mutuals", "everyone"]
ACTORS = ["owner", "approved", "mutual", "follower", "stranger", "blocked"]

# The basis each actor gets at creation (None: refused).
AT_CREATION = {
    "only_me": {
        "owner": "owner",
        "approved": None,
        "mutual": None,
        "follower": None,
        "stranger": None,
        "blocked": None,
    },
    "approved": {
        "owner": "owner",
        "approved": "approved",
        "mutual": None,
        "follower": None,
        "stranger": None,
        "blocked": None,
    },
    "mutuals": {
        "owner": "owner",
        "approved": "approved",
        "mutual": "mutuals",
        "follower": None,
        "stranger": None,
        "blocked": None,
    },
    "everyone": {
        "owner": "owner",
        "approved": "everyone",
        "mutual": "everyone",
        "follower": "everyone",
        "stranger": "everyone",
        "blocked": None,
    },
}

# How the owner narrows consent between creation and run, per level.
NARROWING = {
    "everyone": ("lower", "mutuals"),
    "mutuals": ("lower", "approved"),
    "approved": ("unapprove", None),
    "only_me": ("unapprove", None),
}

# Whether a job created under each level still has consent after the narrowing.
AFTER_NARROWING = {
    "only_me": {"owner": True},
    "approved": {"owner": True, "approved": False},
    "mutuals": {"owner": True, "approved": True, "mutual": False},
    "everyone": {"owner": True, "approved": True, "mutual": True, "follower": False, "stranger": False},
}

# Refusals for a cameo the actor cannot even see are 404; for one they can see but not use, 403.
HIDDEN = {("only_me", a) for a in ACTORS if a != "owner"} | {(level, "blocked") for level in LEVELS}


def _setup(make_user, make_cameo, level: str, actor: str):
    owner = make_user("owner")
    cameo = make_cameo(owner, permission=level, name="Olivia")
    approved = make_user("appr")
    relate(owner, approved, approved_for=cameo)
    if actor == "owner":
        return owner, cameo, owner, approved
    if actor == "approved":
        return owner, cameo, approved, approved
    user = make_user(actor)
    if actor == "mutual":
        relate(owner, user, owner_follows=True, follows_owner=True)
    elif actor == "follower":
        relate(owner, user, follows_owner=True)
    elif actor == "blocked":
        # Approved and mutual before the block: the block wins over both.
        relate(owner, user, approved_for=cameo, owner_follows=True, follows_owner=True, blocked=True)
    return owner, cameo, user, approved


def _narrow(client, cameo, how: str, value, approved) -> None:
    if how == "lower":
        response = client.patch(f"/api/cameos/{cameo.pk}", {"permission": value}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["permission"] == value
    else:
        response = client.delete(f"/api/cameos/{cameo.pk}/approvals/{approved.username}")
        assert response.status_code == 204


@pytest.mark.django_db
@pytest.mark.parametrize("narrowed", [False, True], ids=["still-allowed", "narrowed-before-run"])
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("level", LEVELS)
def test_consent_matrix(make_user, make_cameo, client_for, level, actor, narrowed):
    owner, cameo, user, approved = _setup(make_user, make_cameo, level, actor)
    client = client_for(user)
    basis = AT_CREATION[level][actor]

    listed = {c["id"]: c for c in client.get("/api/cameos").json()["results"]}
    assert (cameo.pk in listed) == (basis is not None)
    if basis is not None:
        assert listed[cameo.pk]["can_use"] is True

    response = client.post(
        "/api/generations", {"prompt": "walking a dog on the beach at sunset", "cameos": [cameo.pk]}, format="json"
    )

    if basis is None:
        body = response.json()
        assert response.status_code == (404 if (level, actor) in HIDDEN else 403), body
        assert body["code"] in ("cameo_not_found", "cameo_not_allowed") and body["detail"]
        assert not GenerationJob.objects.filter(user=user).exists()
        assert not CameoUse.objects.exists()
        assert not Notification.objects.filter(recipient=owner, kind="cameo_use").exists()
        return

    assert response.status_code == 202, response.json()
    job = GenerationJob.objects.get(pk=response.json()["id"])
    assert response.json()["cameos"] == [cameo.pk]
    use = CameoUse.objects.get(cameo=cameo, job=job)
    assert (use.user_id, use.basis, use.removed_at) == (user.pk, basis, None)
    owner_notes = Notification.objects.filter(recipient=owner, kind="cameo_use")
    assert owner_notes.count() == (0 if actor == "owner" else 1)
    if actor != "owner":
        assert f"@{user.username}" in owner_notes.get().text and "Olivia" in owner_notes.get().text

    still_allowed = True
    if narrowed:
        how, value = NARROWING[level]
        _narrow(client_for(owner), cameo, how, value, approved)
        still_allowed = AFTER_NARROWING[level][actor]

    job.refresh_from_db()
    problem = consent_when_it_runs(job)  # what the worker calls before it runs the job
    use.refresh_from_db()
    listed_now = {c["id"] for c in client.get("/api/cameos").json()["results"]}
    if still_allowed:
        assert problem is None
        assert job.status == GenerationJob.Status.QUEUED and not job.cancel_requested
        assert use.removed_at is None
        assert cameo.pk in listed_now
        assert not Notification.objects.filter(recipient=user, kind="moderation").exists()
    else:
        assert problem is not None and "Olivia" in problem
        # Narrowing stopped the queued job at once, with the reason, before any worker saw it.
        assert job.status == GenerationJob.Status.CANCELLED
        assert "Consent for the cameo “Olivia” was withdrawn" in job.error
        assert job.draft == GenerationJob.Draft.NONE and job.video == ""
        assert use.removed_at is not None and use.removed_reason == job.error
        assert CameoUse.objects.filter(cameo=cameo).count() == 1  # the ledger keeps the row
        assert cameo.pk not in listed_now
        note = Notification.objects.get(recipient=user, kind="moderation")
        assert "was stopped" in note.text and "Olivia" in note.text


@pytest.mark.django_db
def test_worker_check_catches_consent_lost_without_the_owner_acting(make_user, make_cameo, client_for):
    """Consent that ends by a change no sweep saw (here the row is deleted directly, as a write racing with the
    job's creation would be) is still caught when the worker starts the job."""
    from accounts.models import Follow

    owner, mutual = make_user("owner"), make_user("mutual")
    cameo = make_cameo(owner, permission="mutuals", name="Olivia")
    relate(owner, mutual, owner_follows=True, follows_owner=True)
    response = client_for(mutual).post("/api/generations", {"prompt": "a picnic", "cameos": [cameo.pk]}, format="json")
    assert response.status_code == 202
    job = GenerationJob.objects.get(pk=response.json()["id"])
    assert consent_when_it_runs(job) is None

    Follow.objects.filter(follower=owner, followee=mutual).delete()

    problem = consent_when_it_runs(job)
    assert problem == (
        "Consent for the cameo “Olivia” was withdrawn: @owner has not allowed you to use the cameo “Olivia”. "
        "You can ask for approval."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["owner-unfollows", "user-unfollows", "owner-blocks", "user-blocks"])
def test_unfollow_and_block_stop_pending_uses(make_user, make_cameo, client_for, change):
    from accounts.services import block_create, follow_delete

    owner, mutual = make_user("owner"), make_user("mutual")
    cameo = make_cameo(owner, permission="mutuals", name="Olivia")
    relate(owner, mutual, owner_follows=True, follows_owner=True)
    job_id = (
        client_for(mutual)
        .post("/api/generations", {"prompt": "a picnic", "cameos": [cameo.pk]}, format="json")
        .json()["id"]
    )

    {
        "owner-unfollows": lambda: follow_delete(follower=owner, followee=mutual),
        "user-unfollows": lambda: follow_delete(follower=mutual, followee=owner),
        "owner-blocks": lambda: block_create(blocker=owner, blocked=mutual),
        "user-blocks": lambda: block_create(blocker=mutual, blocked=owner),
    }[change]()

    job = GenerationJob.objects.get(pk=job_id)
    assert job.status == GenerationJob.Status.CANCELLED
    assert job.error.startswith("Consent for the cameo “Olivia” was withdrawn")
    assert CameoUse.objects.get(job=job).removed_at is not None


@pytest.mark.django_db
def test_narrowing_stops_a_running_job_at_its_next_step_and_deletes_drafts(
    make_user, make_cameo, client_for, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from generation.backends.base import JobCancelled
    from generation.services import job_claim_next
    from generation.worker import Heartbeat, ProgressReporter

    owner, user = make_user("owner"), make_user("user")
    cameo = make_cameo(owner, permission="everyone", name="Olivia")
    client = client_for(user)
    running_id = client.post("/api/generations", {"prompt": "a picnic", "cameos": [cameo.pk]}, format="json").json()[
        "id"
    ]
    running = job_claim_next(worker_id="w1")
    assert running.pk == running_id
    draft_id = client.post("/api/generations", {"prompt": "a kite", "cameos": [cameo.pk]}, format="json").json()["id"]
    video = default_storage.save(f"drafts/{user.pk}/{draft_id}/a1/clip.mp4", ContentFile(b"mp4"))
    GenerationJob.objects.filter(pk=draft_id).update(status="succeeded", draft="ready", video=video)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).patch(f"/api/cameos/{cameo.pk}", {"permission": "only_me"}, format="json")
    assert response.status_code == 200

    running = GenerationJob.objects.get(pk=running_id)
    assert running.status == "running" and running.cancel_requested
    # The worker's progress callback raises at the next step, with the reason.
    reporter = ProgressReporter(running, "w1", Heartbeat(running.pk, "w1"))
    with pytest.raises(JobCancelled) as stopped:
        reporter(1, 1)
    assert stopped.value.reason.startswith("Consent for the cameo “Olivia” was withdrawn")
    draft = GenerationJob.objects.get(pk=draft_id)
    assert draft.draft == "discarded" and draft.video == ""
    assert draft.error.startswith("Consent for the cameo “Olivia” was withdrawn")
    assert not default_storage.exists(video)
