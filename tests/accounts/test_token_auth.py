"""API tokens: the user they name, nobody once the token or the account is gone."""

from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import user_token


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_names_its_user_with_every_field(make_user):
    user = make_user("ana", display_name="Ana Ö")
    user.bio = "hello"
    user.save(update_fields=["bio"])
    key = user_token(user=user)
    body = _client(key).get("/api/me").json()
    assert body["username"] == "ana" and body["display_name"] == "Ana Ö" and body["bio"] == "hello"


def test_unknown_deleted_and_inactive_are_401_json(make_user):
    user = make_user("ana")
    key = user_token(user=user)
    token = ApiToken.objects.get(user=user)
    for bad in ("0" * 40, "x", "';DROP-TABLE-authtoken_token;--"):
        r = _client(bad).get("/api/me")
        assert r.status_code == 401 and r.json()["detail"] == "Invalid token."
    user.is_active = False
    user.save(update_fields=["is_active"])
    r = _client(key).get("/api/me")
    assert r.status_code == 401 and r.json()["detail"] == "User inactive or deleted."
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert _client(key).get("/api/me").status_code == 200
    token.delete()
    assert _client(key).get("/api/me").status_code == 401
    assert ApiToken.objects.filter(user=user).count() == 0  # nothing was written by the refused requests
