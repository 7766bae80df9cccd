"""The demo content: members, follows, forty-two clips with remix chains, likes and comments. The clips go
through the real job services; only the rendering is replaced by marking each claimed job succeeded the way the
worker does after it has stored a clip."""

from __future__ import annotations

import pytest

from accounts.models import Follow
from demo import seed as demo
from feed.models import Comment, Like, Post
from generation import services as jobs


@pytest.fixture(autouse=True)
def _clean_broker(purge_queues):
    yield


def _finish_queued_jobs() -> int:
    finished = 0
    while (job := jobs.job_claim_next(worker_id="demo-test")) is not None:
        assert jobs.job_succeed(
            job_id=job.pk, worker_id="demo-test", video=f"drafts/{job.pk}.mp4", poster=f"drafts/{job.pk}.jpg",
            scene_plan=None, meta={"duration_s": 4.0, "width": 288, "height": 512},
        ) is not None
        finished += 1
    return finished


def test_seed_demo_builds_forty_two_clips_with_chains_likes_and_comments(db):
    users = demo.seed_users()
    assert len(users) == 6 and Follow.objects.count() == sum(len(v) for v in demo.FOLLOWS.values())
    assert demo.seed_clips(users) == 30
    assert demo.seed_clips(users) == 0  # idempotent
    assert demo.seed_remixes_and_likes() is False  # nothing published yet

    rounds = 0
    while not demo.seed_remixes_and_likes():
        assert _finish_queued_jobs() > 0
        rounds += 1
        assert rounds < 10
    assert Post.objects.count() == 42
    assert Post.objects.filter(remix_of__isnull=False).count() == 12
    deepest = Post.objects.order_by("-depth").first()
    assert deepest.depth == 3 and len(deepest.ancestors) == 3
    assert Like.objects.count() >= 6 * 10 and Comment.objects.count() == len(demo.COMMENTS)
    root = Post.objects.get(pk=deepest.root_id)
    assert root.descendant_count >= 3 and root.remix_count >= 2
    assert all(p.like_count == p.likes.count() for p in Post.objects.all())

    assert demo.seed_remixes_and_likes() is True  # running it again changes nothing
    assert Post.objects.count() == 42 and Comment.objects.count() == len(demo.COMMENTS)
