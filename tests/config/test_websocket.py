"""The /ws/ endpoint over the real channels_redis layer on a real Valkey."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from config.asgi import application
from core.events import send_to_user
from tests.support import member_with_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("close_thread_connections")]

ORIGIN = (b"origin", b"http://localhost:8000")


_user_and_token = sync_to_async(member_with_token)


@sync_to_async
def _session_cookie(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@sync_to_async
def _send_after_commit(user_id, event, commit=True):
    try:
        with transaction.atomic():
            send_to_user(user_id, event)
            if not commit:
                raise RuntimeError("rolled back")
    except RuntimeError:
        pass


async def _connect(headers):
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def test_token_socket_receives_events_sent_to_its_user_after_commit():
    user, token = await _user_and_token("ana")
    other, _ = await _user_and_token("ben")
    ws, connected, _ = await _connect([ORIGIN, (b"authorization", f"Token {token}".encode())])
    assert connected
    assert await ws.receive_json_from(timeout=5) == {"type": "hello", "user": user.pk}
    await _send_after_commit(user.pk, {"type": "notification", "text": "rolled back"}, commit=False)
    await _send_after_commit(other.pk, {"type": "notification", "text": "not for ana"})
    await _send_after_commit(user.pk, {"type": "notification", "text": "hi ana"})
    assert await ws.receive_json_from(timeout=5) == {"type": "notification", "text": "hi ana"}
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


async def test_session_cookie_socket_is_authenticated():
    user, _ = await _user_and_token("ana")
    cookie = await _session_cookie(user)
    ws, connected, _ = await _connect([ORIGIN, (b"cookie", cookie)])
    assert connected
    assert (await ws.receive_json_from(timeout=5))["user"] == user.pk
    await _send_after_commit(user.pk, {"type": "job.status", "job": 1, "status": "succeeded"})
    assert (await ws.receive_json_from(timeout=5))["status"] == "succeeded"
    await ws.disconnect()


async def test_anonymous_socket_is_closed_with_4401():
    ws, connected, _ = await _connect([ORIGIN])
    assert connected  # accepted only to say why, then closed
    message = await ws.receive_json_from(timeout=5)
    assert message["code"] == "unauthenticated"
    closed = await ws.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4401}
    await ws.disconnect()


async def test_bad_token_is_refused_and_token_in_query_string_is_ignored():
    _, token = await _user_and_token("ana")
    ws, _, _ = await _connect([ORIGIN, (b"authorization", b"Token not-a-real-token")])
    assert (await ws.receive_json_from(timeout=5))["code"] == "unauthenticated"
    await ws.disconnect()
    communicator = WebsocketCommunicator(application, f"/ws/?token={token}", headers=[ORIGIN])
    await communicator.connect(timeout=5)
    assert (await communicator.receive_json_from(timeout=5))["code"] == "unauthenticated"
    await communicator.disconnect()


async def test_foreign_origin_is_refused():
    _, token = await _user_and_token("ana")
    ws, connected, code = await _connect([(b"origin", b"https://evil.example"), (b"authorization", f"Token {token}".encode())])
    assert not connected
    await ws.disconnect()


async def test_a_burst_of_sockets_all_connect_and_all_receive():
    """Three hundred clients connecting at once (as after a restart): none is refused for want of a Redis
    connection, and an event reaches every one of them."""
    user, token = await _user_and_token("crowd")
    headers = [ORIGIN, (b"authorization", f"Token {token}".encode())]
    results = await asyncio.gather(*[_connect(headers) for _ in range(300)])
    sockets = [ws for ws, connected, _ in results if connected]
    try:
        assert len(sockets) == 300
        hellos = await asyncio.gather(*[ws.receive_json_from(timeout=20) for ws in sockets])
        assert all(hello == {"type": "hello", "user": user.pk} for hello in hellos)
        await _send_after_commit(user.pk, {"type": "notification", "text": "to everyone"})
        events = await asyncio.gather(*[ws.receive_json_from(timeout=20) for ws in sockets])
        assert all(event["text"] == "to everyone" for event in events)
    finally:
        await asyncio.gather(*[ws.disconnect() for ws in sockets])
