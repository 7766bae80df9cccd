import pytest
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_signup_page_creates_account_and_logs_in():
    c = Client()
    r = c.post("/signup/", {"username": "ana", "password": "a-long-secret-9", "display_name": "Ana", "birth_date": "1990-05-01"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert c.get("/").status_code == 200
    assert User.objects.get(username="ana").display_name == "Ana"


def test_signup_page_shows_readable_errors_and_creates_nothing():
    c = Client()
    r = c.post("/signup/", {"username": "a b", "password": "123"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "letters, digits" in html.lower()
    assert "too short" in html
    assert not User.objects.exists()


def test_feed_needs_login_and_logout_is_a_post(make_user):
    c = Client()
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    make_user("ana")
    assert c.post("/login/", {"username": "ana", "password": "correct-horse-42"}).status_code == 302
    assert c.get("/").status_code == 200
    assert c.post("/logout/").status_code == 302
    assert c.get("/").status_code == 302
