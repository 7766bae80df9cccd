"""Nothing assumes one process: two web processes and two generation workers share the load, and an event a
worker sends reaches a socket connected to either web process."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from websockets.sync.client import connect

from generation.models import GenerationJob
from tests.browser.conftest import Server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _socket(stack, server, token):
    ws = stack.enter_context(connect(
        server.url.replace("http://", "ws://") + "/ws/",
        additional_headers={"Authorization": f"Token {token}", "Origin": server.url},
        open_timeout=20,
    ))
    assert json.loads(ws.recv(timeout=20))["type"] == "hello"
    return ws


def test_two_web_processes_and_two_workers_share_the_work(start_worker, purge_queues, make_user, tmp_path):
    from django.test import override_settings
    from rest_framework.test import APIClient

    from accounts.services import user_token

    webs = [Server(tmp_path / "web-a.log"), Server(tmp_path / "web-b.log")]
    stack = contextlib.ExitStack()
    try:
        start_worker()
        start_worker(beat=False)
        users = [make_user(f"user{i}") for i in range(4)]
        tokens = [user_token(user=u) for u in users]
        sockets = [_socket(stack, webs[i % 2], tokens[i]) for i in range(4)]
        ids = []
        with override_settings(GENERATION_MAX_ACTIVE_PER_USER=5):
            for i in range(8):
                client = APIClient()
                client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[i % 4]}")
                r = client.post("/api/generations", {"prompt": f"{i % 3 + 1} balls bouncing in space", "duration_s": 4, "seed": i}, format="json")
                assert r.status_code == 202
                ids.append(r.json()["id"])
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and GenerationJob.objects.filter(pk__in=ids, status="succeeded").count() < len(ids):
            time.sleep(0.3)
        jobs = list(GenerationJob.objects.filter(pk__in=ids))
        assert all(j.status == "succeeded" for j in jobs), [(j.pk, j.status, j.errors) for j in jobs]
        workers = {j.worker_id for j in jobs}
        assert len(workers) == 2, workers  # both workers took jobs

        for index, ws in enumerate(sockets):
            own = {j.pk for j in jobs if j.user_id == users[index].pk}
            seen = set()
            deadline = time.monotonic() + 20
            while seen != own and time.monotonic() < deadline:
                event = json.loads(ws.recv(timeout=20))
                if event.get("type") == "job.status" and event.get("status") == "succeeded":
                    seen.add(event["job"])
                assert event.get("job") in own | {None}, "an event reached someone else's socket"
            assert seen == own
    finally:
        stack.close()
        for web in webs:
            web.stop()
