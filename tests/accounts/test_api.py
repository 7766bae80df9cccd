import pytest

from accounts.models import Block, Follow, User

pytestmark = pytest.mark.django_db


def test_signup_returns_token_that_authenticates(api):
    r = api.post(
        "/api/auth/signup",
        {"username": "ana", "password": "a-long-secret-9", "email": "ana@example.com", "birth_date": "1990-05-01"},
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["username"] == "ana" and body["token"] and body["id"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = api.get("/api/me")
    assert me.status_code == 200
    assert me.json()["username"] == "ana"
    assert me.json()["follower_count"] == 0


@pytest.mark.parametrize(
    "payload, field, fragment",
    [
        ({"username": "taken", "password": "a-long-secret-9"}, "username", "already taken"),
        ({"username": "TAKEN", "password": "a-long-secret-9"}, "username", "already taken"),
        ({"username": "newbie", "password": "123"}, "password", "too short"),
        ({"username": "newbie", "password": "password"}, "password", "too common"),
        ({"username": "x" * 31, "password": "a-long-secret-9"}, "username", "no more than 30"),
        ({"username": "bad name!", "password": "a-long-secret-9"}, "username", "letters, digits"),
        ({"username": "newbie", "password": "a-long-secret-9", "email": "not-an-email"}, "email", "valid email"),
        ({"username": "newbie", "password": "a-long-secret-9", "display_name": "d" * 51}, "display_name", "no more than 50"),
        ({"password": "a-long-secret-9"}, "username", "required"),
    ],
)
def test_signup_errors_are_json_with_a_message_and_create_nothing(api, make_user, payload, field, fragment):
    make_user("taken")
    before = User.objects.count()
    r = api.post("/api/auth/signup", {"birth_date": "1990-05-01", **payload}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert fragment in body["detail"].lower()
    assert field in body["errors"]
    assert body["code"] == "invalid"
    assert User.objects.count() == before


def test_token_with_wrong_password_is_401_json(api, make_user):
    make_user("ana")
    r = api.post("/api/auth/token", {"username": "ana", "password": "wrong-password"}, format="json")
    assert r.status_code == 401
    assert r.json() == {"detail": "Wrong handle or password.", "code": "bad_credentials"}
    ok = api.post("/api/auth/token", {"username": "ana", "password": "correct-horse-42"}, format="json")
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40


def test_me_requires_authentication(api):
    r = api.get("/api/me")
    assert r.status_code == 401
    assert "credentials" in r.json()["detail"].lower()


def test_follow_unfollow_and_counts(make_user, client_for):
    ana, ben = make_user("ana"), make_user("ben")
    c = client_for(ben)
    r = c.post("/api/users/ana/follow")
    assert r.status_code == 200 and r.json() == {"following": True, "follower_count": 1}
    assert c.post("/api/users/ana/follow").json()["follower_count"] == 1  # idempotent
    profile = c.get("/api/users/ana").json()
    assert profile["follower_count"] == 1 and profile["following_count"] == 0 and profile["followed_by_me"] is True
    assert client_for(ana).get("/api/users/ben").json()["following_count"] == 1
    r = c.delete("/api/users/ana/follow")
    assert r.json() == {"following": False, "follower_count": 0}


def test_follow_errors(make_user, client_for):
    ana = make_user("ana")
    c = client_for(ana)
    r = c.post("/api/users/ana/follow")
    assert r.status_code == 400 and "yourself" in r.json()["detail"]
    r = c.post("/api/users/nobody/follow")
    assert r.status_code == 404 and r.json()["detail"]
    assert Follow.objects.count() == 0


def test_block_removes_follows_both_ways_and_prevents_new_ones(make_user, client_for):
    ana, ben = make_user("ana"), make_user("ben")
    client_for(ana).post("/api/users/ben/follow")
    client_for(ben).post("/api/users/ana/follow")
    assert Follow.objects.count() == 2
    r = client_for(ana).post("/api/users/ben/block")
    assert r.status_code == 200 and r.json() == {"blocked": True}
    assert Follow.objects.count() == 0
    r = client_for(ben).post("/api/users/ana/follow")
    assert r.status_code == 403
    assert r.json()["detail"] == "You cannot follow this account."
    r = client_for(ana).post("/api/users/ben/follow")
    assert r.status_code == 403
    assert Follow.objects.count() == 0
    client_for(ana).delete("/api/users/ben/block")
    assert not Block.objects.exists()
    assert client_for(ben).post("/api/users/ana/follow").status_code == 200


def test_profile_of_unknown_user_is_404_json(api):
    r = api.get("/api/users/ghost")
    assert r.status_code == 404
    assert r.json()["detail"] == "No account with that handle."


def test_malformed_json_is_400_json(api):
    r = api.post("/api/auth/signup", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert "json" in r.json()["detail"].lower()


def test_schema_and_docs_are_served(api, make_user):
    r = api.get("/api/schema/")
    assert r.status_code in (200, 401)
    api.as_user(make_user())
    r = api.get("/api/schema/")
    assert r.status_code == 200
    assert b"/api/generations" in r.content
    assert api.get("/api/docs/").status_code == 200


def test_avatar_upload_is_reencoded_square_and_shown_on_the_profile(make_user, client_for):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    user = make_user("ana")
    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), (200, 40, 40)).save(buffer, "PNG")
    c = client_for(user)
    r = c.put("/api/me/avatar", {"avatar": SimpleUploadedFile("me.png", buffer.getvalue(), "image/png")}, format="multipart")
    assert r.status_code == 200, r.content
    assert r.json()["avatar_url"]
    user.refresh_from_db()
    with user.avatar.open("rb") as handle:
        stored = Image.open(handle)
        assert stored.format == "JPEG" and stored.size == (256, 256)
    assert c.get("/api/users/ana").json()["avatar_url"]
    r = c.put("/api/me/avatar", {"avatar": SimpleUploadedFile("me.png", b"not an image", "image/png")}, format="multipart")
    assert r.status_code == 400 and "not an image" in r.json()["detail"]
