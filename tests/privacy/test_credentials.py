"""Passwords, signed-in browsers and API tokens: a change of password signs out the other browsers and kills the
old tokens; a revoked session or token stops working at once (its websocket closes); a reset by email works
once with the link from the mail, and the answer never tells whether an address has an account."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken, MemberSession
from accounts.services import user_token
from tests.support import PASSWORD, member_with_token

ORIGIN = (b"origin", b"http://localhost:8000")
NEW_PASSWORD = "another-horse-77"


def _browser(username: str, agent: str) -> Client:
    browser = Client(HTTP_USER_AGENT=agent)
    response = browser.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return browser


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _signed_in(browser: Client) -> bool:
    return browser.get("/api/me").status_code == 200


@pytest.mark.django_db
def test_password_change_signs_out_the_other_browser_and_the_old_token():
    ana, key = member_with_token("ana", email="ana@example.org")
    laptop, phone = _browser("ana", "Laptop/1.0"), _browser("ana", "Phone/2.0")
    listed = _api(key).get("/api/me/credentials").json()
    assert sorted(s["user_agent"] for s in listed["sessions"]) == ["Laptop/1.0", "Phone/2.0"]
    assert [t["current"] for t in listed["tokens"]] == [True] and listed["tokens"][0]["prefix"] == key[:8]

    # Wrong current password, too weak a new one: 400 with a message each, nothing changes.
    wrong = laptop.post("/api/me/password", {"old_password": "nope", "new_password": NEW_PASSWORD},
                        content_type="application/json")
    assert wrong.status_code == 400 and "old_password" in wrong.json()["errors"], wrong.json()
    weak = laptop.post("/api/me/password", {"old_password": PASSWORD, "new_password": "123"},
                       content_type="application/json")
    assert weak.status_code == 400 and "new_password" in weak.json()["errors"]
    assert _signed_in(phone) and _api(key).get("/api/me").status_code == 200

    changed = laptop.post("/api/me/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
                          content_type="application/json")
    assert changed.status_code == 200, changed.json()
    assert _signed_in(laptop)  # the browser that changed it stays signed in
    assert not _signed_in(phone)  # the other one is signed out at its next request
    assert _api(key).get("/api/me").status_code == 401  # the old token is dead
    assert ApiToken.objects.filter(user=ana).count() == 0
    assert [s.user_agent for s in MemberSession.objects.filter(user=ana)] == ["Laptop/1.0"]
    assert Client().login(username="ana", password=NEW_PASSWORD)

    # A client signed in with a token gets a new one in the answer; its old one stops working.
    key2 = user_token(user=ana)
    answer = _api(key2).post("/api/me/password", {"old_password": NEW_PASSWORD, "new_password": PASSWORD}, format="json")
    assert answer.status_code == 200 and answer.json()["token"]
    assert _api(key2).get("/api/me").status_code == 401
    assert _api(answer.json()["token"]).get("/api/me").status_code == 200


@pytest.mark.django_db
def test_revoking_a_session_or_a_token_takes_effect_at_once():
    ana, key = member_with_token("ana")
    _, bob_key = member_with_token("bob")
    laptop, phone = _browser("ana", "Laptop/1.0"), _browser("ana", "Phone/2.0")
    other_key = user_token(user=ana, label="script")
    listed = laptop.get("/api/me/credentials").json()
    phone_session = next(s for s in listed["sessions"] if s["user_agent"] == "Phone/2.0")
    assert next(s for s in listed["sessions"] if s["user_agent"] == "Laptop/1.0")["current"]

    # Someone else cannot revoke them (404, nothing changes).
    assert _api(bob_key).delete(f"/api/me/sessions/{phone_session['id']}").status_code == 404
    script = next(t for t in listed["tokens"] if t["label"] == "script")
    assert _api(bob_key).delete(f"/api/me/tokens/{script['id']}").status_code == 404
    assert _signed_in(phone) and _api(other_key).get("/api/me").status_code == 200

    assert laptop.delete(f"/api/me/sessions/{phone_session['id']}").status_code == 204
    assert not _signed_in(phone) and _signed_in(laptop)
    assert laptop.delete(f"/api/me/tokens/{script['id']}").status_code == 204
    assert _api(other_key).get("/api/me").status_code == 401
    assert _api(key).get("/api/me").status_code == 200
    assert laptop.delete(f"/api/me/tokens/{script['id']}").status_code == 404  # already gone: 404 with a message


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_revoked_token_or_session_closes_its_websocket(close_thread_connections):
    from config.asgi import application

    ana, key = await sync_to_async(member_with_token)("ana")
    spare = await sync_to_async(user_token)(user=ana)
    keep = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, (b"authorization", f"Token {spare}".encode())])
    doomed = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, (b"authorization", f"Token {key}".encode())])
    for ws in (keep, doomed):
        connected, _ = await ws.connect()
        assert connected and (await ws.receive_json_from(timeout=5))["type"] == "hello"
    token_id = await sync_to_async(lambda: ApiToken.objects.get(user=ana, prefix=key[:8]).pk)()
    response = await sync_to_async(lambda: _api(spare).delete(f"/api/me/tokens/{token_id}"))()
    assert response.status_code == 204
    assert (await doomed.receive_json_from(timeout=5))["type"] == "signed_out"
    assert (await doomed.receive_output(timeout=5))["type"] == "websocket.close"
    assert await keep.receive_nothing(timeout=0.5)  # the other socket stays open

    # A browser's socket (session cookie) closes when that session is signed out from elsewhere.
    browser = await sync_to_async(_browser)("ana", "Phone/2.0")
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    phone = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, (b"cookie", cookie)])
    connected, _ = await phone.connect()
    assert connected and (await phone.receive_json_from(timeout=5))["type"] == "hello"
    session_id = await sync_to_async(lambda: MemberSession.objects.get(user=ana).pk)()
    response = await sync_to_async(lambda: _api(spare).delete(f"/api/me/sessions/{session_id}"))()
    assert response.status_code == 204
    assert (await phone.receive_json_from(timeout=5))["type"] == "signed_out"
    assert await keep.receive_nothing(timeout=0.5)
    await keep.disconnect()


@pytest.mark.django_db
def test_password_reset_by_email_works_once_and_never_tells_who_is_a_member(settings):
    member_with_token("ana", email="ana@example.org")
    phone = _browser("ana", "Phone/2.0")
    known = APIClient().post("/api/auth/password-reset", {"email": "ANA@example.org"}, format="json")
    unknown = APIClient().post("/api/auth/password-reset", {"email": "nobody@example.org"}, format="json")
    assert known.status_code == unknown.status_code == 202 and known.json() == unknown.json()
    assert APIClient().post("/api/auth/password-reset", {"email": "not an address"}, format="json").status_code == 400
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.org"]
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", mail.outbox[0].body).group(1)

    browser = Client()
    form = browser.get(link, follow=True)
    assert form.status_code == 200 and b'name="new_password1"' in form.content
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"].endswith("/password-reset/done/")
    assert Client().login(username="ana", password=NEW_PASSWORD)
    assert not _signed_in(phone)  # every session made with the old password ended

    again = Client().get(link, follow=True)  # the same link, reused
    assert b'name="new_password1"' not in again.content and b"does not work any more" in again.content
    forged = Client().get(link.rstrip("/").rsplit("/", 1)[0] + "/set-password-not-a-token/", follow=True)
    assert b'name="new_password1"' not in forged.content
