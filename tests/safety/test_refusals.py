"""Refusals: where each check runs (web: names and phrases; worker: meaning), the log moderators read, the
slow-down of members refused again and again, the contexts (prompt, remix, dialogue, caption), cameo owners'
restrictions, and what operators may allow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from generation import services
from generation.models import GenerationJob, PolicyRefusal
from generation.safety.policy import prompt_check

pytestmark = pytest.mark.django_db

PARAPHRASE = "she slowly lets her dress fall to the floor and stands there with nothing on"


def _create(client, prompt, **extra):
    return client.post("/api/generations", {"prompt": prompt, **extra}, format="json")


def test_the_worker_refuses_by_meaning_the_job_fails_with_the_refusal_and_no_draft(make_user, client_for, purge_queues):
    from generation.worker import run_job, worker_id

    ana = make_user("ana")
    response = _create(client_for(ana), PARAPHRASE)
    assert response.status_code == 202  # the web process checks names and phrases only
    job = services.job_claim_next(worker_id=worker_id())
    run_job(job, worker_id())
    job.refresh_from_db()
    assert job.status == "failed" and job.draft == "none" and not job.video
    assert job.error.startswith("This prompt breaks the rule “No sexual content”")
    refusal = PolicyRefusal.objects.get(job=job)
    assert (refusal.user, refusal.rule, refusal.stage, refusal.method) == (ana, "sexual_content", "worker", "semantic")
    from generation.safety.categories import category_set

    assert refusal.score >= category_set().get("sexual_content").threshold and refusal.detail
    detail = client_for(ana).get(f"/api/generations/{job.pk}").json()
    assert detail["status"] == "failed" and "breaks the rule" in detail["error"] and detail["video_url"] == ""


def test_when_the_check_by_meaning_cannot_run_the_job_is_retried_not_run(make_user, client_for, purge_queues, monkeypatch):
    from generation.worker import run_job, worker_id

    ana = make_user("ana")
    _create(client_for(ana), "a cat playing piano")
    job = services.job_claim_next(worker_id=worker_id())

    def model_missing(texts):
        raise OSError("the sentence-embedding model is not installed")

    monkeypatch.setattr("core.embeddings.embed_texts", model_missing)
    run_job(job, worker_id())
    job.refresh_from_db()
    assert job.status == "queued" and job.draft == "none" and job.not_before is not None
    assert "content check could not run" in job.errors[-1]["error"]


def test_contexts_dialogue_remix_and_the_log(make_user, client_for, make_post, purge_queues):
    ana, ben = make_user("ana"), make_user("ben")
    client = client_for(ana)
    dialogue = _create(client, 'a parrot on a perch says "kill all immigrants" and flaps its wings')
    assert dialogue.status_code == 422
    assert (dialogue.json()["rule"], dialogue.json()["context"]) == ("hate", "dialogue")
    assert dialogue.json()["detail"].startswith("A line of dialogue in this prompt breaks the rule “No hate”")
    parent = make_post(ben)
    remix = _create(client, "the same park, but a man stabbed to death on the grass", remix_of=parent.pk)
    assert (remix.status_code, remix.json()["context"]) == (422, "remix")
    assert remix.json()["detail"].startswith("This remix prompt breaks the rule “No graphic violence”")
    rows = list(PolicyRefusal.objects.order_by("id").values_list("user__username", "rule", "context", "method"))
    assert rows == [("ana", "hate", "dialogue", "phrase"), ("ana", "graphic_violence", "remix", "phrase")]
    assert not GenerationJob.objects.exists()


def test_cameo_restriction_refusals_are_logged_with_the_policy(make_user, make_cameo, client_for, purge_queues):
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="everyone", name="Olivia", restrictions="no skateboarding; no politics")
    # Matched by the policy's own machinery: a misspelling of a long word still counts.
    response = _create(client_for(ana), "me skatebaording down a hill", cameos=[cameo.pk])
    assert response.status_code == 403 and response.json()["code"] == "cameo_restriction"
    refusal = PolicyRefusal.objects.get()
    assert (refusal.rule, refusal.category, refusal.detail, refusal.method) == (
        "cameo_restriction", "cameo", "no skateboarding", "restriction"
    )


def test_refused_again_and_again_the_member_is_slowed_down(make_user, client_for, settings, purge_queues):
    settings.POLICY_SLOWDOWN_REFUSALS = 3
    settings.POLICY_SLOWDOWN_WINDOW_MIN = 10
    ana, ben = make_user("ana"), make_user("ben")
    client = client_for(ana)
    for prompt in ("a p0rn scene", "a man stabbed to death", "kill all immigrants"):
        assert _create(client, prompt).status_code == 422
    slowed = _create(client, "a cat playing piano")
    assert slowed.status_code == 429
    body = slowed.json()
    assert body["code"] == "policy_slowdown" and body["resets_at"]
    assert "paused for 10 minutes" in body["detail"]
    assert not GenerationJob.objects.exists()
    assert PolicyRefusal.objects.filter(user=ana).count() == 3  # the pause itself is not a refusal
    assert _create(client_for(ben), "a cat playing piano").status_code == 202  # others are not slowed
    # The window slides: once the oldest refusal is older than the window, the member may generate again.
    oldest = PolicyRefusal.objects.filter(user=ana).order_by("created_at").first()
    PolicyRefusal.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert _create(client, "a cat playing piano").status_code == 202


def test_operators_may_allow_a_category_for_adults_but_never_for_minors_or_minors_content(
    make_user, settings
):
    from tests.safety.conftest import years_ago

    adult = make_user("adult", birth_date=years_ago(30))
    teen = make_user("teen", birth_date=years_ago(15))
    settings.POLICY_ALLOWED_CATEGORIES = ["graphic_violence", "minors_sexual", "sexual_content"]
    assert prompt_check(text="a zombie decapitated in a gory horror film", user=adult).allowed
    assert prompt_check(text="a zombie decapitated in a gory horror film", user=teen).rule == "graphic_violence"
    assert prompt_check(text="jailbait photoshoot", user=adult).rule == "minors_sexual"  # never overridable


def test_members_under_18_get_the_strict_policy_and_their_cameos_make_prompts_strict(
    make_user, make_cameo, client_for, purge_queues
):
    from cameos.models import CameoApproval
    from tests.safety.conftest import years_ago

    teen = make_user("teen", birth_date=years_ago(15))
    adult = make_user("adult", birth_date=years_ago(30))
    for prompt, rule in (
        ("friends drinking beer at a party", "teen_substances"),
        ("a girl posing in lingerie", "teen_suggestive"),
        ("jumping off a roof into a pool for views", "teen_dangerous"),
    ):
        refused = _create(client_for(teen), prompt)
        assert (refused.status_code, refused.json().get("rule")) == (422, rule), prompt
        assert prompt_check(text=prompt, user=adult).allowed, prompt
    # An adult using a teen's cameo gets the strict policy, and anything sexual is judged as involving a minor.
    cameo = make_cameo(teen, permission="approved", name="Teen")
    CameoApproval.objects.create(cameo=cameo, user=adult)
    assert prompt_check(text="me drinking beer", user=adult, cameo_ids=[cameo.pk]).rule == "teen_substances"
    assert prompt_check(text="me in a topless photoshoot", user=adult, cameo_ids=[cameo.pk]).rule == "minors_sexual"
    assert prompt_check(text="me flying a kite", user=adult, cameo_ids=[cameo.pk]).allowed


def test_the_teen_categories_are_also_checked_by_meaning(make_user):
    from tests.safety.conftest import years_ago

    teen = make_user("teen", birth_date=years_ago(15))
    make_user("adult", birth_date=years_ago(30))
    prompt = "scratching my wrists with a blade"  # no phrase of the category
    assert prompt_check(text=prompt, user=teen).allowed  # the web process lets it through...
    verdict = prompt_check(text=prompt, user=teen, semantic=True)  # ...the worker does not
    assert (verdict.rule, verdict.category, verdict.method) == ("teen_dangerous", "teen", "semantic")
    assert "Members under 18" in verdict.message
    assert prompt_check(text="a skateboarder landing a kickflip", user=teen, semantic=True).allowed
