from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counts live in the shared cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_search_batches():
    """Search keeps each query's first ranked batch in the process for a few seconds (feed.search): each test starts
    with none, as its database does."""
    from feed import search

    search._FIRST_BATCHES.clear()
    yield


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: Django's LocaleMiddleware leaves the language of a request active in
    its thread afterwards, and a test's requests run in the test's own thread."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def make_user(db):
    from accounts.services import user_signup

    counter = {"n": 0}

    def make(username: str | None = None, password: str = "correct-horse-42", **extra):
        counter["n"] += 1
        return user_signup(username=username or f"user{counter['n']}", password=password, **extra)

    return make


@pytest.fixture
def api(db):
    """An API client; ``api.as_user(user)`` authenticates it with the user's token."""
    from rest_framework.test import APIClient

    from accounts.services import user_token

    client = APIClient()
    keys: dict[int, str] = {}

    def as_user(user):
        if user.pk not in keys:
            keys[user.pk] = user_token(user=user, label="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {keys[user.pk]}")
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def client_for(db):
    from rest_framework.test import APIClient

    from accounts.services import user_token

    keys: dict[int, str] = {}

    def make(user):
        client = APIClient()
        if user.pk not in keys:
            keys[user.pk] = user_token(user=user, label="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {keys[user.pk]}")
        return client

    return make


def worker_env(**extra) -> dict:
    from django.conf import settings

    env = dict(os.environ)
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = str(db["NAME"])
    elif os.environ.get("DATABASE_URL"):
        # pytest-django renamed the database to the test one; point the other processes at it.
        base, _, _ = os.environ["DATABASE_URL"].rpartition("/")
        env["DATABASE_URL"] = f"{base}/{db['NAME']}"
    env.update({k: str(v) for k, v in extra.items()})
    return env


class WorkerProcess:
    """A real Celery worker (solo pool, queues generation + default) in its own process."""

    def __init__(self, log_path: Path, *, beat: bool = True, **env):
        self.log_path = log_path
        self.beat = beat
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-c", "1", "-Q", "generation,default",
             "--without-gossip", "--without-mingle", "-l", "INFO", "-n", f"test-{time.monotonic_ns()}@%h",
             *(["-B", "-s", str(self.log_path.with_suffix(".beat"))] if self.beat else [])],
            cwd=ROOT,
            env=worker_env(**self.env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.output()}")
            if b"ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise TimeoutError(f"worker did not start:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_bytes().decode(errors="replace")[-5000:]

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        if hasattr(self, "log"):
            self.log.close()


@pytest.fixture
def start_worker(tmp_path):
    workers: list[WorkerProcess] = []

    def start(wait: bool = True, beat: bool = True, **env) -> WorkerProcess:
        worker = WorkerProcess(tmp_path / f"worker-{len(workers)}.log", beat=beat, **env).start()
        workers.append(worker)
        if wait:
            worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def purge_queues():
    """Drop wake-ups left in the broker by earlier tests (a lost wake-up loses nothing; a stale one is harmless,
    but a clean broker keeps each test's timing its own)."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in ("generation", "default", "celery"):
        client.delete(key)
    yield


@pytest.fixture
def close_thread_connections():
    """Async tests reach the database from sync_to_async threads; close those connections afterwards so the test
    database can be dropped (PostgreSQL refuses while a session is open)."""
    yield
    from asgiref.sync import async_to_sync, sync_to_async
    from django.db import connections

    async def close():
        await sync_to_async(connections.close_all)()

    async_to_sync(close)()


def assert_signed_url(url: str) -> None:
    """A private media URL carries a signature and an expiry (ours, or S3's presigned form)."""
    assert url, "no URL"
    assert ("sig=" in url and "exp=" in url) or ("X-Amz-Signature=" in url and "X-Amz-Expires=" in url), url
