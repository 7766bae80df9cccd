"""Generation jobs through the API, without a worker: validation, idempotency, limits, fairness, cancel, publish."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from feed.models import Post
from generation import services
from generation.models import GenerationJob

pytestmark = pytest.mark.django_db


def _make_succeeded(job, video="drafts/x/clip.mp4", poster="drafts/x/poster.jpg"):
    GenerationJob.objects.filter(pk=job.pk).update(status="running", worker_id="w:1", attempts=1, heartbeat_at=timezone.now())
    return services.job_succeed(job_id=job.pk, worker_id="w:1", video=video, poster=poster, scene_plan={"v": 1}, meta={})


def test_create_returns_202_with_the_job_representation(make_user, client_for):
    c = client_for(make_user("ana"))
    r = c.post("/api/generations", {"prompt": "a red ball bouncing on the beach", "duration_s": 3, "aspect": "16:9", "seed": 7}, format="json")
    assert r.status_code == 202, r.content
    job = r.json()
    for key in ("id", "kind", "status", "progress", "prompt", "duration_s", "aspect", "seed", "remix_of", "cameos", "error",
                "created_at", "started_at", "finished_at", "video_url", "poster_url", "post_id"):
        assert key in job
    assert job["status"] == "queued" and job["kind"] == "text" and job["seed"] == 7 and job["aspect"] == "16:9"
    assert job["video_url"] == "" and job["post_id"] is None
    listed = c.get("/api/generations").json()
    assert [j["id"] for j in listed["results"]] == [job["id"]] and listed["next"] is None
    assert c.get(f"/api/generations/{job['id']}").json()["id"] == job["id"]


def test_a_style_is_kept_on_the_job(make_user, client_for):
    job = client_for(make_user()).post("/api/generations", {"prompt": "a cat", "style": "noir"}, format="json").json()
    assert job["style"] == "noir" and GenerationJob.objects.get(pk=job["id"]).style == "noir"


def test_defaults_duration_8_and_portrait(make_user, client_for):
    job = client_for(make_user()).post("/api/generations", {"prompt": "a cat"}, format="json").json()
    assert job["duration_s"] == 8.0 and job["aspect"] == "9:16" and 0 <= job["seed"] < 2**31


@pytest.mark.parametrize(
    "payload, code, fragment",
    [
        ({"prompt": ""}, "prompt_empty", "write a prompt"),
        ({"prompt": "   "}, "prompt_empty", "write a prompt"),
        ({"prompt": "x" * 1001}, "prompt_too_long", "too long"),
        ({"prompt": "a cat", "duration_s": 0.5}, "duration_out_of_range", "between 1 and 20"),
        ({"prompt": "a cat", "duration_s": 21}, "duration_out_of_range", "between 1 and 20"),
        ({"prompt": "a cat", "aspect": "4:3"}, "aspect_invalid", "aspect"),
        ({"prompt": "a cat", "seed": -1}, "seed_out_of_range", "seed"),
        ({"prompt": "a cat", "duration_s": "long"}, "invalid", "number"),
        ({"prompt": "a cat", "cameos": [1, 2, 3]}, "too_many_cameos", "at most 2"),
        ({"prompt": "a cat", "remix_of": 999999}, "remix_of_not_found", "does not exist"),
        ({"prompt": "a cat", "style": "sepia"}, "invalid", "sepia"),
    ],
)
def test_bad_input_is_4xx_json_and_queues_nothing(make_user, client_for, payload, code, fragment):
    r = client_for(make_user()).post("/api/generations", payload, format="json")
    assert 400 <= r.status_code < 500
    assert r.json()["code"] == code
    assert fragment in r.json()["detail"].lower()
    assert GenerationJob.objects.count() == 0


def test_same_idempotency_key_gives_one_job(make_user, client_for):
    c = client_for(make_user())
    first = c.post("/api/generations", {"prompt": "a cat", "idempotency_key": "k-1"}, format="json")
    second = c.post("/api/generations", {"prompt": "a dog", "idempotency_key": "k-1"}, format="json")
    assert first.status_code == 202 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"] and second.json()["prompt"] == "a cat"
    assert GenerationJob.objects.count() == 1


def test_idempotency_key_is_per_user(make_user, client_for):
    a, b = client_for(make_user()), client_for(make_user())
    ja = a.post("/api/generations", {"prompt": "a cat", "idempotency_key": "same"}, format="json").json()
    jb = b.post("/api/generations", {"prompt": "a cat", "idempotency_key": "same"}, format="json").json()
    assert ja["id"] != jb["id"]


@override_settings(GENERATION_MAX_ACTIVE_PER_USER=2)
def test_concurrency_limit_is_429_with_the_limit_named(make_user, client_for):
    c = client_for(make_user())
    for _ in range(2):
        assert c.post("/api/generations", {"prompt": "a cat"}, format="json").status_code == 202
    r = c.post("/api/generations", {"prompt": "a cat"}, format="json")
    assert r.status_code == 429
    body = r.json()
    assert body["limit"] == "concurrency" and body["code"] == "concurrency_limit"
    assert "2 generations in progress" in body["detail"]
    assert GenerationJob.objects.count() == 2


@override_settings(GENERATION_DAILY_SECONDS=20, GENERATION_MAX_ACTIVE_PER_USER=10)
def test_daily_quota_counts_seconds_and_is_429_with_reset_time(make_user, client_for):
    user = make_user()
    c = client_for(user)
    for seconds in (8, 8):
        assert c.post("/api/generations", {"prompt": "a cat", "duration_s": seconds}, format="json").status_code == 202
    r = c.post("/api/generations", {"prompt": "a cat", "duration_s": 8}, format="json")
    assert r.status_code == 429
    body = r.json()
    assert body["limit"] == "daily_quota" and body["quota_s"] == 20 and body["used_s"] == 16
    assert "needs 8 s and you have 4 s left" in body["detail"]
    assert body["resets_at"].endswith("+00:00") and "T00:00:00" in body["resets_at"]
    # what is left can still be spent on a shorter clip
    assert c.post("/api/generations", {"prompt": "a cat", "duration_s": 4}, format="json").status_code == 202
    # yesterday's jobs do not count
    GenerationJob.objects.filter(user=user).update(created_at=timezone.now() - timedelta(days=1, hours=1))
    assert c.post("/api/generations", {"prompt": "a cat", "duration_s": 8}, format="json").status_code == 202


def test_other_users_job_is_404(make_user, client_for):
    job = client_for(make_user()).post("/api/generations", {"prompt": "a cat"}, format="json").json()
    other = client_for(make_user())
    assert other.get(f"/api/generations/{job['id']}").status_code == 404
    assert other.post(f"/api/generations/{job['id']}/cancel").status_code == 404
    assert other.post(f"/api/generations/{job['id']}/publish").status_code == 404


def test_cancel_queued_job_then_cancelling_again_is_409(make_user, client_for):
    c = client_for(make_user())
    job = c.post("/api/generations", {"prompt": "a cat"}, format="json").json()
    r = c.post(f"/api/generations/{job['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = c.post(f"/api/generations/{job['id']}/cancel")
    assert r.status_code == 409 and "nothing to cancel" in r.json()["detail"]


def test_cancel_running_job_requests_a_stop(make_user, client_for):
    c = client_for(make_user())
    job = c.post("/api/generations", {"prompt": "a cat"}, format="json").json()
    claimed = services.job_claim_next(worker_id="w:1")
    assert claimed.pk == job["id"] and claimed.status == "running" and claimed.attempts == 1
    r = c.post(f"/api/generations/{job['id']}/cancel").json()
    assert r["status"] == "running" and r["cancel_requested"] is True
    owned, cancel, _ = services.job_record_progress(job_id=job["id"], worker_id="w:1", progress=0.5)
    assert owned and cancel


def test_claim_is_compare_and_set(make_user):
    job, _ = services.job_create(user=make_user(), prompt="a cat")
    assert services.job_claim_next(worker_id="w:1").pk == job.pk
    assert services.job_claim_next(worker_id="w:2") is None  # a redelivered wake-up finds nothing to run
    job.refresh_from_db()
    assert job.worker_id == "w:1" and job.attempts == 1


@override_settings(GENERATION_MAX_ACTIVE_PER_USER=50)
def test_fair_order_b_starts_before_as_third(make_user):
    a, b = make_user("amy"), make_user("bob")
    a_jobs = [services.job_create(user=a, prompt=f"a cat {i}")[0] for i in range(10)]
    started = [services.job_claim_next(worker_id="w:1")]
    b_job, _ = services.job_create(user=b, prompt="a dog")
    for _ in range(3):
        started.append(services.job_claim_next(worker_id="w:1"))
    order = [j.pk for j in started]
    assert order.index(b_job.pk) < order.index(a_jobs[2].pk)
    assert order[:2] == [a_jobs[0].pk, b_job.pk]


def test_publish_creates_one_post_and_errors(make_user, client_for):
    user = make_user()
    c = client_for(user)
    job = GenerationJob.objects.get(pk=c.post("/api/generations", {"prompt": "a cat"}, format="json").json()["id"])
    r = c.post(f"/api/generations/{job.pk}/publish", {"caption": "hi"}, format="json")
    assert r.status_code == 409 and "finished" in r.json()["detail"]
    _make_succeeded(job)
    r = c.post(f"/api/generations/{job.pk}/publish", {"caption": "x" * 501}, format="json")
    assert r.status_code == 400 and Post.objects.count() == 0
    r = c.post(f"/api/generations/{job.pk}/publish", {"caption": "my cat"}, format="json")
    assert r.status_code == 201, r.content
    post = r.json()
    assert post["caption"] == "my cat" and post["author"]["username"] == user.username and post["video_url"]
    r = c.post(f"/api/generations/{job.pk}/publish", {"caption": "again"}, format="json")
    assert r.status_code == 409 and Post.objects.count() == 1
    assert c.get(f"/api/generations/{job.pk}").json()["post_id"] == post["id"]


def test_remix_of_a_post_you_cannot_see_is_404(make_user, client_for):
    author, viewer = make_user(), make_user()
    job, _ = services.job_create(user=author, prompt="a cat")
    _make_succeeded(job)
    post = services.job_publish(user=author, job=job, visibility="private")
    r = client_for(viewer).post("/api/generations", {"prompt": "at night", "remix_of": post.pk}, format="json")
    assert r.status_code == 404 and GenerationJob.objects.filter(user=viewer).count() == 0
    r = client_for(author).post("/api/generations", {"prompt": "at night", "remix_of": post.pk}, format="json")
    assert r.status_code == 202 and r.json()["kind"] == "remix" and r.json()["remix_of"] == post.pk


def test_reaper_requeues_stale_and_fails_after_max_attempts(make_user):
    job, _ = services.job_create(user=make_user(), prompt="a cat")
    services.job_claim_next(worker_id="w:1")
    GenerationJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert services.job_reap_stale(lease_s=30) == [job.pk]
    job.refresh_from_db()
    assert job.status == "queued" and len(job.errors) == 1
    for attempt in range(2, 4):
        services.job_claim_next(worker_id=f"w:{attempt}")
        GenerationJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
        services.job_reap_stale(lease_s=30)
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 3 and "after 3 attempts" in job.error


def test_fresh_heartbeat_is_not_reaped(make_user):
    job, _ = services.job_create(user=make_user(), prompt="a cat")
    services.job_claim_next(worker_id="w:1")
    assert services.job_reap_stale(lease_s=30) == []
    job.refresh_from_db()
    assert job.status == "running"


def test_transient_failure_retries_with_backoff(make_user):
    job, _ = services.job_create(user=make_user(), prompt="a cat")
    services.job_claim_next(worker_id="w:1")
    services.job_fail(job_id=job.pk, worker_id="w:1", message="disk full", transient=True)
    job.refresh_from_db()
    assert job.status == "queued" and job.not_before > timezone.now()
    assert services.job_claim_next(worker_id="w:1") is None  # not before the backoff ends
    services.job_fail(job_id=job.pk, worker_id="w:1", message="ignored: not running", transient=False)
    job.refresh_from_db()
    assert job.status == "queued"


def test_succeed_cas_loses_when_cancelled(make_user):
    job, _ = services.job_create(user=make_user(), prompt="a cat")
    services.job_claim_next(worker_id="w:1")
    GenerationJob.objects.filter(pk=job.pk).update(cancel_requested=True)
    assert services.job_succeed(job_id=job.pk, worker_id="w:1", video="v", poster="p", scene_plan=None, meta={}) is None
    job.refresh_from_db()
    assert job.status == "running" and job.video == ""


def test_a_clip_made_to_be_published_at_once_stays_a_draft_when_publishing_is_refused(make_user):
    """Publishing on success (the demo content) runs after the success is committed: a refusal there (here the
    caption breaks the prompt policy) leaves the finished clip as a draft instead of undoing the success."""
    from generation.models import PolicyRefusal

    user = make_user()
    job, _ = services.job_create(
        user=user, prompt="a cat on a piano", publish_on_success=True, publish_caption="starring Taylor Swift"
    )
    done = _make_succeeded(job)
    assert done is not None and done.status == GenerationJob.Status.SUCCEEDED
    job.refresh_from_db()
    assert (job.status, job.draft, job.attempts) == (GenerationJob.Status.SUCCEEDED, GenerationJob.Draft.READY, 1)
    assert not Post.objects.filter(job=job).exists()
    refusal = PolicyRefusal.objects.get(user=user)
    assert (refusal.rule, refusal.stage, refusal.context) == ("public_figure", "publish", "caption")

    published, _ = services.job_create(user=user, prompt="a dog", publish_on_success=True, publish_caption="my dog")
    _make_succeeded(published)
    published.refresh_from_db()
    assert published.draft == GenerationJob.Draft.PUBLISHED and Post.objects.get(job=published).caption == "my dog"
