"""Parts fail, Riff keeps working: killed workers, a Redis restart, a database that goes away for a while."""

from __future__ import annotations

import random
import time

import pytest
from django.core.files.storage import default_storage
from django.db import connections

from generation.models import GenerationJob

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LEASE = 3


def _finished(ids):
    return GenerationJob.objects.filter(pk__in=ids, status__in=GenerationJob.FINISHED).count()


def test_sigkill_workers_repeatedly_every_job_completes_exactly_once(topology, start_worker, purge_queues, make_user, client_for):
    """Two workers serve ten jobs while one of them is SIGKILLed mid-job again and again."""
    from django.test import override_settings

    users = [make_user(f"u{i}") for i in range(5)]
    env = {"GENERATION_LEASE_S": LEASE, "GENERATION_HEARTBEAT_S": 0.5, "GENERATION_REAP_INTERVAL_S": 1}
    # Each worker runs the periodic reaper too (it is idempotent), so killing one never pauses reaping.
    workers = [start_worker(**env), start_worker(**env)]
    ids = []
    with override_settings(GENERATION_MAX_ACTIVE_PER_USER=10):
        for i in range(10):
            r = client_for(users[i % 5]).post("/api/generations", {"prompt": f"rain and {i % 3 + 1} balls bouncing in a city", "duration_s": 8, "seed": i}, format="json")
            assert r.status_code == 202, r.content
            ids.append(r.json()["id"])
    rng = random.Random(3)
    kills = 0
    worst = 0.0
    deadline = time.monotonic() + 420
    while _finished(ids) < len(ids) and time.monotonic() < deadline:
        running = list(GenerationJob.objects.filter(pk__in=ids, status="running", progress__gt=0.05).values_list("worker_id", flat=True))
        if running and kills < 10:
            victim_pid = int(rng.choice(running).rsplit(":", 1)[1])
            for index, worker in enumerate(workers):
                if worker.proc.pid == victim_pid and worker.proc.poll() is None:
                    worker.kill()
                    kills += 1
                    workers[index] = start_worker(**env)
                    break
        # No job may stay running on a dead worker for longer than the lease (plus one reaper tick).
        stale = GenerationJob.objects.filter(pk__in=ids, status="running").values_list("heartbeat_at", flat=True)
        from django.utils import timezone

        for heartbeat in stale:
            age = (timezone.now() - heartbeat).total_seconds()
            worst = max(worst, age)
            # lease + a reaper tick + a worker restart's scheduling slack on a busy 2-core machine
            assert age < LEASE + 5, f"a job stayed running {age:.1f} s after its last heartbeat"
        time.sleep(0.2)
    assert kills >= 10, f"only {kills} kills happened"
    print(f"\n{kills} workers killed; the oldest heartbeat of a running job was {worst:.1f} s (lease {LEASE} s)")
    jobs = list(GenerationJob.objects.filter(pk__in=ids))
    assert all(j.status == "succeeded" for j in jobs), [(j.pk, j.status, j.errors) for j in jobs]
    for job in jobs:
        root = f"drafts/{job.user_id}/{job.pk}"
        dirs, _ = default_storage.listdir(root)
        with_files = [d for d in dirs if default_storage.listdir(f"{root}/{d}")[1]]
        assert with_files == [f"a{job.attempts}"], (job.pk, with_files)  # exactly one draft
    assert sum(j.attempts - 1 for j in jobs) >= 1


def test_redis_restart_mid_job_the_job_completes(topology, start_worker, purge_queues, make_user, client_for):
    client = client_for(make_user("ana"))
    start_worker()
    job_id = client.post("/api/generations", {"prompt": "snow in a forest, two balls", "duration_s": 16}, format="json").json()["id"]
    deadline = time.monotonic() + 60
    while GenerationJob.objects.get(pk=job_id).status != "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    topology.stop_redis()
    time.sleep(2)
    topology.start_redis()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        job = GenerationJob.objects.get(pk=job_id)
        if job.is_finished:
            break
        time.sleep(0.3)
    assert job.status == "succeeded", (job.status, job.errors)
    # After the restart the API is the source of truth: a client that reconnects re-reads the state.
    assert client.get(f"/api/generations/{job_id}").json()["status"] == "succeeded"
    assert client.post("/api/generations", {"prompt": "after the restart", "duration_s": 1}, format="json").status_code == 202


def test_postgres_down_briefly_api_answers_503_json_then_recovers(topology, make_user, client_for, tmp_path):
    import json
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    from tests.browser.conftest import Server

    user = make_user("ana")
    client_for(user)
    from accounts.services import user_token

    token = user_token(user=user)
    server = Server(tmp_path / "web.log")

    def get(path):
        request = Request(server.url + path, headers={"Authorization": f"Token {token}"})
        try:
            with urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read())
        except HTTPError as exc:
            return exc.code, json.loads(exc.read())

    try:
        assert get("/api/me")[0] == 200
        connections.close_all()
        topology.pg_ctl("stop", "-m", "fast", "-w")
        status, body = get("/api/me")
        assert status == 503 and body["code"] == "unavailable" and "try again" in body["detail"]
        topology.pg_start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status, body = get("/api/me")
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200 and body["username"] == "ana"
    finally:
        server.stop()
        connections.close_all()
