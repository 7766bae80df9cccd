"""The provenance check answers at once and tells the person who asked when the worker's report is ready: a
``provenance.report`` event on their socket (the report itself is read from the REST API)."""

from __future__ import annotations

import numpy as np
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from config.asgi import application
from core.video import encode_mp4
from generation.models import ProvenanceCheck
from generation.provenance_checks import provenance_check_run
from tests.support import member_with_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_thread_connections")]


@sync_to_async
def _check_waiting_for_the_worker(user, tmp_path) -> ProvenanceCheck:
    frames = (np.random.default_rng(3).random((12, 256, 256, 3)) * 255).astype(np.uint8)
    encode_mp4(frames, 24, None, 24_000, tmp_path / "clip.mp4")
    name = default_storage.save("provenance-checks/live.mp4", ContentFile((tmp_path / "clip.mp4").read_bytes()))
    return ProvenanceCheck.objects.create(requester=user, upload=name, filename="clip.mp4")


async def test_the_report_arrives_on_the_requesters_socket(tmp_path):
    user, token = await sync_to_async(member_with_token)("ana")
    other, other_token = await sync_to_async(member_with_token)("ben")
    sockets = {}
    for name, key in (("ana", token), ("ben", other_token)):
        ws = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", b"http://localhost:8000"), (b"authorization", f"Token {key}".encode())])
        connected, _ = await ws.connect(timeout=5)
        assert connected and (await ws.receive_json_from(timeout=5))["type"] == "hello"
        sockets[name] = ws
    try:
        check = await _check_waiting_for_the_worker(user, tmp_path)
        await sync_to_async(provenance_check_run)(check_id=check.pk)  # what the worker's task runs
        event = await sockets["ana"].receive_json_from(timeout=10)
        assert event == {"type": "provenance.report", "check": check.pk, "status": "done"}
        assert await sockets["ben"].receive_nothing(timeout=0.5)
        finished = await sync_to_async(ProvenanceCheck.objects.get)(pk=check.pk)
        assert finished.status == "done" and finished.report["summary"].startswith("No provenance found")
        assert finished.upload == "" and not await sync_to_async(default_storage.exists)(check.upload)
    finally:
        for ws in sockets.values():
            await ws.disconnect()
