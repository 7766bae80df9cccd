"""Whose likeness a clip may use: {a photo of someone else as a person cameo, a human face as a character, a cat
as a character, the owner's own verified face} × {the owner, a member the owner approved, a stranger}.

Every cameo is made as a member would make it: uploaded through the API, checked by the worker's reference
task, and (the last one) verified with a clip of the owner saying the phrase. All four are open to everyone and
the approved member is approved on each, so only what the cameo *is* decides. Jobs are created through
``POST /api/generations`` and the allowed ones run through the worker's own ``run_job`` on the preview backend.
The expected outcomes are written out by hand.
"""

from __future__ import annotations

import pytest

from cameos import tasks
from cameos.models import Cameo, CameoApproval, CameoUse
from generation import services
from generation.models import GenerationJob
from generation.worker import run_job, worker_id

from .conftest import astronaut, cat_views, consent_when_it_runs, jpeg, other_person, upload, verify_with_clip

# The worker's heartbeat writes from its own thread: the test's data must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_thread_connections")]

CAMEOS = ["someone_else_as_person", "human_face_as_character", "cat_as_character", "own_face_verified"]
ACTORS = ["owner", "approved", "stranger"]

USED = "used"
# (status, code) of the refusal at creation, or USED: the job ran, the clip was made and the ledger holds the use.
# Others never even see a cameo that nobody may use (404); its owner is told why (403).
EXPECTED = {
    "someone_else_as_person": {
        "owner": (403, "cameo_not_verified"),
        "approved": (404, "cameo_not_found"),
        "stranger": (404, "cameo_not_found"),
    },
    "human_face_as_character": {
        "owner": (403, "cameo_not_allowed"),
        "approved": (404, "cameo_not_found"),
        "stranger": (404, "cameo_not_found"),
    },
    "cat_as_character": {"owner": USED, "approved": USED, "stranger": USED},
    "own_face_verified": {"owner": USED, "approved": USED, "stranger": USED},
}
BASIS = {"owner": "owner", "approved": "everyone", "stranger": "everyone"}


def _create(client, name: str, kind: str, pictures) -> Cameo:
    files = [upload(f"{i}.jpg", jpeg(picture)) for i, picture in enumerate(pictures)]
    response = client.post(
        "/api/cameos",
        {"name": name, "kind": kind, "permission": "everyone", "reference": files},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    tasks.check_references(response.json()["id"])  # what the worker runs
    return Cameo.objects.get(pk=response.json()["id"])


@pytest.fixture
def cameos(make_user, client_for, tmp_path) -> dict[str, Cameo]:
    owner = make_user("olivia")
    client = client_for(owner)
    made = {
        # Olivia's face is the astronaut's; the first cameo is a photo of someone else.
        "someone_else_as_person": _create(client, "Not me", "person", [other_person()]),
        "human_face_as_character": _create(client, "Spacewoman", "character", [astronaut()] * 3),
        "cat_as_character": _create(client, "Chelsea", "character", cat_views()),
        "own_face_verified": _create(client, "Olivia", "person", [astronaut()]),
    }
    result, body, _ = verify_with_clip(client, made["own_face_verified"], tmp_path, astronaut())
    assert result == "passed" and body["verified"] is True, body["verification"]  # the check's reason when it fails
    for cameo in made.values():
        cameo.refresh_from_db()
    return made


def test_what_each_cameo_became(cameos):
    states = {name: (c.reference_state, c.verification_state) for name, c in cameos.items()}
    assert states == {
        "someone_else_as_person": ("ready", "none"),  # a face, but nobody proved it is theirs
        "human_face_as_character": ("rejected", "not_required"),
        "cat_as_character": ("ready", "not_required"),
        "own_face_verified": ("ready", "verified"),
    }
    assert "make a person cameo" in cameos["human_face_as_character"].reference_reason


def test_likeness_matrix(cameos, make_user, client_for, purge_queues):
    owner = cameos["own_face_verified"].owner
    people = {"owner": owner, "approved": make_user("ana"), "stranger": make_user("sam")}
    for cameo in cameos.values():
        CameoApproval.objects.create(cameo=cameo, user=people["approved"])

    outcomes: dict[str, dict[str, object]] = {name: {} for name in CAMEOS}
    for name in CAMEOS:
        cameo = cameos[name]
        for actor in ACTORS:
            client = client_for(people[actor])
            uses_before = CameoUse.objects.count()
            response = client.post(
                "/api/generations", {"prompt": "a walk in the park", "duration_s": 1, "cameos": [cameo.pk]},
                format="json",
            )
            body = response.json()
            if response.status_code != 202:
                assert body["detail"] and body["cameo"] == cameo.pk if response.status_code == 403 else body["detail"]
                assert CameoUse.objects.count() == uses_before  # nothing in the ledger for a refused use
                outcomes[name][actor] = (response.status_code, body["code"])
                continue
            job = services.job_claim_next(worker_id=worker_id())
            assert job is not None and job.pk == body["id"]
            run_job(job, worker_id())
            job.refresh_from_db()
            assert job.status == "succeeded", job.error
            use = CameoUse.objects.get(job=job)
            assert (use.cameo_id, use.user_id, use.basis) == (cameo.pk, people[actor].pk, BASIS[actor])
            cast = [subject["cameo_id"] for subject in job.scene_plan["subjects"]]
            assert cameo.pk in cast  # the clip really put the cameo in its scene
            outcomes[name][actor] = USED
    assert outcomes == EXPECTED


def test_the_owner_is_told_how_to_verify(cameos, client_for):
    cameo = cameos["someone_else_as_person"]
    body = client_for(cameo.owner).post(
        "/api/generations", {"prompt": "a walk", "cameos": [cameo.pk]}, format="json"
    ).json()
    assert body["verify_url"] == f"/cameos/{cameo.pk}/#verify"
    assert "not verified yet" in body["detail"] and "yours included" in body["detail"]


@pytest.mark.parametrize("name", ["someone_else_as_person", "human_face_as_character"])
def test_a_job_that_slipped_past_the_api_is_refused_when_it_runs(cameos, name, purge_queues):
    # A job row written without the API (an import, a bug, an admin): the worker's own check still refuses it,
    # the job fails with the reason and nothing is made.
    cameo = cameos[name]
    job = GenerationJob.objects.create(user=cameo.owner, prompt="a walk in the park", duration_s=1, seed=1)
    job.cameos.add(cameo)
    assert cameo.name in consent_when_it_runs(job)
    claimed = services.job_claim_next(worker_id=worker_id())
    run_job(claimed, worker_id())
    job.refresh_from_db()
    assert job.status in ("cancelled", "failed") and job.draft == "none" and not job.video
    assert cameo.name in job.error
    assert not CameoUse.objects.filter(job=job).exists()
