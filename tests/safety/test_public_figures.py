"""Real people: a prompt that names a public figure is refused, unless that person's own cameo is used with their
consent. The person's account is linked to the listed name by staff (PublicFigure.user); names and aliases added
in the admin are merged with the shipped list at once."""

from __future__ import annotations

import pytest
from django.test import Client

from generation import services
from generation.models import GenerationJob, PolicyRefusal, PublicFigure
from generation.safety.figures import shipped_figures

pytestmark = pytest.mark.django_db

PROMPT = "Taylor Swift singing on a boat at sunset"


def _create(client, prompt, cameos=()):
    return client.post("/api/generations", {"prompt": prompt, "cameos": list(cameos)}, format="json")


def test_the_shipped_list_has_hundreds_of_names_across_fields():
    figures = shipped_figures()
    assert len(figures) >= 300
    fields = {f["field"] for f in figures}
    assert {"politics", "entertainment", "sports", "business"} <= fields
    assert sum(1 for f in figures if f.get("aliases")) >= 150


def test_a_public_figure_only_through_their_own_consented_cameo(make_user, make_cameo, client_for, purge_queues, staff):
    taylor, ana, impostor = make_user("taylor"), make_user("ana"), make_user("impostor")
    PublicFigure.objects.create(name="Taylor Swift", user=taylor, added_by=staff())
    own = make_cameo(taylor, name="Taylor Swift", permission="everyone")
    fake = make_cameo(impostor, name="Taylor Swift", permission="everyone")
    client = client_for(ana)

    refused = _create(client, PROMPT)
    assert refused.status_code == 422
    assert refused.json()["rule"] == "public_figure"
    assert "Taylor Swift, a public figure" in refused.json()["detail"]

    # Someone else's cameo with the same name is not the person.
    assert _create(client, PROMPT, [fake.pk]).json()["rule"] == "public_figure"
    assert not GenerationJob.objects.exists()

    # Her own (verified) cameo, which she lets everyone use: consent.
    allowed = _create(client, PROMPT, [own.pk])
    assert allowed.status_code == 202, allowed.content
    assert allowed.json()["cameos"] == [own.pk]
    # The worker decides the same way when it starts the job (the list and consent as they are then).
    from generation.worker import policy_check_job

    assert policy_check_job(GenerationJob.objects.get(pk=allowed.json()["id"])).allowed
    # The person may name themselves.
    assert _create(client_for(taylor), "Taylor Swift reading a book").status_code == 202
    assert PolicyRefusal.objects.filter(user=ana, rule="public_figure").count() == 2


def test_consent_withdrawn_means_the_name_is_refused_again(make_user, make_cameo, client_for, purge_queues, settings):
    settings.GENERATION_MAX_ACTIVE_PER_USER = 5
    taylor, ana = make_user("taylor"), make_user("ana")
    PublicFigure.objects.create(name="Taylor Swift", user=taylor)
    own = make_cameo(taylor, name="Taylor Swift", permission="approved")
    client = client_for(ana)
    assert _create(client, PROMPT, [own.pk]).json()["rule"] == "public_figure"  # not approved: no consent
    from cameos.models import CameoApproval

    CameoApproval.objects.create(cameo=own, user=ana)
    job_id = _create(client, PROMPT, [own.pk]).json()["id"]
    CameoApproval.objects.filter(cameo=own, user=ana).delete()
    from generation.worker import policy_check_job

    verdict = policy_check_job(GenerationJob.objects.get(pk=job_id))
    assert (verdict.allowed, verdict.rule) == (False, "public_figure")


def test_staff_extend_and_edit_the_list_in_the_admin(make_user, client_for, purge_queues, staff):
    ana = make_user("ana")
    client = client_for(ana)
    moderator = staff()
    assert _create(client, "Zara Quillfeather giving a keynote").status_code == 202
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    admin = Client()
    admin.force_login(moderator)
    response = admin.post(
        "/admin/generation/publicfigure/add/",
        {"name": "Zara Quillfeather", "aliases": "Zee Quill\nQuillfeather", "field": "entertainment", "active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    figure = PublicFigure.objects.get(name="Zara Quillfeather")
    assert figure.added_by == moderator
    for prompt in ("zara quilfeather giving a keynote", "Zee Quill's birthday party", "QUILLFEATHER on stage"):
        body = _create(client, prompt).json()
        assert body.get("rule") == "public_figure", (prompt, body)
    # A shipped name taken off the list (active off) is allowed again.
    assert _create(client, "Pedro Pascal eating a sandwich").json()["rule"] == "public_figure"
    PublicFigure.objects.create(name="Pedro Pascal", active=False)
    assert _create(client, "Pedro Pascal eating a sandwich").status_code == 202


def test_capitalised_aliases_and_their_exceptions(make_user):
    from generation.safety.policy import prompt_check

    user = make_user()
    checks = {
        "Drake performing in Toronto": False,
        "a drake swimming with ducklings": True,
        "Sir Francis Drake sailing around the world": True,
        "Madonna on stage in a cone bra": False,
        "a painting of the Madonna and Child": True,
    }
    for prompt, allowed in checks.items():
        assert prompt_check(text=prompt, user=user).allowed is allowed, prompt


def test_names_in_captions_are_refused_when_publishing(make_user, client_for, purge_queues):
    from django.utils import timezone

    ana = make_user("ana")
    job, _ = services.job_create(user=ana, prompt="a red ball bouncing in a park")
    GenerationJob.objects.filter(pk=job.pk).update(status="running", worker_id="w:1", attempts=1, heartbeat_at=timezone.now())
    services.job_succeed(job_id=job.pk, worker_id="w:1", video="drafts/x/clip.mp4", poster="drafts/x/p.jpg", scene_plan=None, meta={})
    response = client_for(ana).post(f"/api/generations/{job.pk}/publish", {"caption": "starring Beyonce!"}, format="json")
    assert response.status_code == 422
    assert (response.json()["rule"], response.json()["context"]) == ("public_figure", "caption")
    assert "This caption breaks the rule" in response.json()["detail"]
    assert GenerationJob.objects.get(pk=job.pk).draft == "ready"
    assert PolicyRefusal.objects.get(user=ana).stage == "publish"
    ok = client_for(ana).post(f"/api/generations/{job.pk}/publish", {"caption": "a ball in the park"}, format="json")
    assert ok.status_code == 201
