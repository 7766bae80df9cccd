"""The web's ASGI handler (config/asgi.py): requests run on reused threads that keep their database connection,
at most HTTP_THREADS at once per process, and what Django's handler answers (JSON, errors, streamed files with
ranges) comes out the same."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from django.core import signals
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from core import media

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app():
    from config.asgi import django_asgi_app

    yield django_asgi_app
    django_asgi_app.retire_idle_threads()


async def _call(app, path: str, headers: list | None = None) -> tuple[int, dict, bytes]:
    route, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": route, "raw_path": route.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"testserver"), *(headers or [])], "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }  # fmt: skip
    sent: list[dict] = []
    done = asyncio.Event()
    delivered = False

    async def receive():
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope, receive, send)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body


def test_requests_reuse_threads_and_connections_and_never_run_more_than_http_threads(app, settings):
    settings.HTTP_THREADS = 2
    app._running = (None, None)  # read HTTP_THREADS again
    lock = threading.Lock()
    running, most, threads, connections_seen = 0, 0, set(), set()

    def started(**kwargs):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            threads.add(threading.get_ident())
        time.sleep(0.02)  # each request takes a while, so that twelve at once overlap

    def finished(**kwargs):
        nonlocal running
        with lock:
            running -= 1
        connection.ensure_connection()
        connections_seen.add(id(connection.connection))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:

        async def burst():
            return await asyncio.gather(*[_call(app, "/api/health") for _ in range(12)])

        for _ in range(5):
            answers = asyncio.run(burst())
            assert all(status == 200 and body == b'{"ok":true}' for status, _, body in answers)
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert most == 2  # twelve at once, two running, the rest waiting their turn
    assert len(threads) <= 2 and len(connections_seen) == len(threads)  # two threads, each keeping its connection
    assert running == 0


def test_errors_json_and_streamed_files_with_ranges(app, make_user):
    status, headers, body = asyncio.run(_call(app, "/api/no-such-thing"))
    assert status == 404 and headers["content-type"] == "application/json" and b"not_found" in body
    status, _, body = asyncio.run(_call(app, "/api/me"))
    assert status in (401, 403) and b"detail" in body
    user = make_user("ana")
    from accounts.services import user_token

    key = user_token(user=user)
    status, _, body = asyncio.run(_call(app, "/api/me", [(b"authorization", f"Token {key}".encode())]))
    assert status == 200 and b'"username":"ana"' in body

    payload = bytes(range(256)) * 400
    name = default_storage.save("tests/asgi-range.bin", ContentFile(payload))
    try:
        url = media.signed_url(name)
        if not url.startswith("/"):
            pytest.skip("S3 serves its own files")
        status, headers, body = asyncio.run(_call(app, url))
        assert status == 200 and body == payload
        status, headers, body = asyncio.run(_call(app, url, [(b"range", b"bytes=1000-1999")]))
        assert status == 206 and body == payload[1000:2000] and headers["content-range"] == f"bytes 1000-1999/{len(payload)}"
    finally:
        default_storage.delete(name)
