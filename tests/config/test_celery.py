"""A real Celery worker (in-process test worker) on the test Valkey runs a task end to end."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from config.celery import app
from generation.models import GenerationJob
from generation.tasks import reap_stale_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_runs_the_reaper_task_over_the_broker(make_user, purge_queues):
    user = make_user("ana")
    stale = GenerationJob.objects.create(
        user=user, prompt="a ball", seed=1, status="running", attempts=1, worker_id="gone:1",
        heartbeat_at=timezone.now() - timedelta(minutes=5),
    )
    with start_worker(app, pool="solo", perform_ping_check=False, queues=["default"], shutdown_timeout=10):
        reap_stale_jobs.apply_async(queue="default")
        deadline = timezone.now() + timedelta(seconds=20)
        while timezone.now() < deadline:
            stale.refresh_from_db()
            if stale.status == "queued":
                break
    assert stale.status == "queued"
    assert stale.errors and "stopped responding" in stale.errors[-1]["error"]
