"""Members under 18: the birth date at sign-up, their cameos (approved people only), the break reminder, and a
guardian who sees and lowers their limits — all through the API."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from accounts.models import Guardianship, User
from cameos.models import CameoApproval
from tests.safety.conftest import years_ago

pytestmark = pytest.mark.django_db


def _signup(**fields):
    return APIClient().post("/api/auth/signup", {"username": "newbie", "password": "a-long-secret-9", **fields}, format="json")


def test_sign_up_asks_for_the_birth_date(client_for):
    missing = _signup()
    assert missing.status_code == 400
    assert missing.json()["detail"] == "birth_date: Enter your birth date: Riff uses it to apply the protections for members under 18."
    future = _signup(birth_date=date(date.today().year + 1, 1, 1).isoformat())
    assert future.status_code == 400 and "future" in future.json()["detail"]
    child = _signup(birth_date=years_ago(10).isoformat())
    assert child.status_code == 400 and "at least 13" in child.json()["detail"]
    garbage = _signup(birth_date="last tuesday")
    assert garbage.status_code == 400 and "YYYY-MM-DD" in garbage.json()["detail"]
    assert not User.objects.exists()
    teen = _signup(birth_date=years_ago(15).isoformat())
    assert teen.status_code == 201
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Token {teen.json()['token']}")
    assert me.get("/api/me").json()["is_teen"] is True


def test_existing_accounts_without_a_birth_date_stay_valid_as_adults(make_user, client_for, purge_queues):
    old = make_user("old")  # made before the birth date was asked for
    assert old.birth_date is None
    assert client_for(old).get("/api/me").json()["is_teen"] is False
    assert client_for(old).post("/api/generations", {"prompt": "me drinking beer at a pub"}, format="json").status_code == 202


def test_a_teens_cameo_is_usable_only_by_people_they_approved(teen, adult, make_cameo, client_for, purge_queues, settings):
    settings.GENERATION_MAX_ACTIVE_PER_USER = 5
    tia, friend, stranger = teen("tia"), adult("friend"), adult("stranger")
    cameo = make_cameo(tia, name="Tia", permission="everyone")
    CameoApproval.objects.create(cameo=cameo, user=friend)
    refused = client_for(stranger).post("/api/generations", {"prompt": "me flying a kite", "cameos": [cameo.pk]}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "The cameo “Tia” belongs to a member under 18: only people @tia approved can use it."
    assert client_for(stranger).get(f"/api/cameos/{cameo.pk}").json()["can_use"] is False  # the list agrees
    allowed = client_for(friend).post("/api/generations", {"prompt": "me flying a kite", "cameos": [cameo.pk]}, format="json")
    assert allowed.status_code == 202
    assert client_for(friend).get(f"/api/cameos/{cameo.pk}").json()["can_use"] is True
    assert client_for(tia).post("/api/generations", {"prompt": "me flying a kite", "cameos": [cameo.pk]}, format="json").status_code == 202


def test_guardian_link_and_limits(teen, adult, make_cameo, client_for, purge_queues, settings):
    settings.TEEN_DAILY_WATCH_LIMIT_MIN = 60
    tia, mum, friend, nosy, other_teen = teen("tia"), adult("mum"), adult("friend"), adult("nosy"), teen("kim")
    tia_api, mum_api = client_for(tia), client_for(mum)

    assert tia_api.post("/api/me/guardian", {"username": "kim"}, format="json").json()["code"] == "guardian_not_adult"
    assert client_for(friend).post("/api/me/guardian", {"username": "mum"}, format="json").status_code == 403  # adults have no guardian
    invited = tia_api.post("/api/me/guardian", {"username": "mum"}, format="json")
    assert invited.status_code == 201 and invited.json()["state"] == "pending"
    assert tia_api.post("/api/me/guardian", {"username": "friend"}, format="json").status_code == 409
    assert mum_api.get("/api/teens/tia/limits").status_code == 404  # not accepted yet
    assert mum_api.post("/api/teens/tia/guardian").json()["state"] == "active"
    assert tia_api.get("/api/me/guardian").json()["guardian"] == "mum"

    limits = mum_api.get("/api/teens/tia/limits").json()
    assert limits == {
        "username": "tia", "is_teen": True, "daily_watch_limit_min": 60, "default_daily_watch_limit_min": 60,
        "cameo_use": "approved", "watched_today_min": 0.0, "guardian": "mum",
    }
    for who in (client_for(nosy), client_for(other_teen), tia_api):
        assert who.get("/api/teens/tia/limits").status_code == 404
        assert who.patch("/api/teens/tia/limits", {"daily_watch_limit_min": 5}, format="json").status_code == 404

    raised = mum_api.patch("/api/teens/tia/limits", {"daily_watch_limit_min": 90}, format="json")
    assert raised.status_code == 400 and "between 1 and 60" in raised.json()["detail"]
    assert mum_api.patch("/api/teens/tia/limits", {"daily_watch_limit_min": 0}, format="json").status_code == 400
    assert mum_api.patch("/api/teens/tia/limits", {"cameo_use": "everyone"}, format="json").status_code == 400
    assert User.objects.get(pk=tia.pk).teen_watch_limit_min is None  # nothing changed

    lowered = mum_api.patch("/api/teens/tia/limits", {"daily_watch_limit_min": 20}, format="json")
    assert lowered.status_code == 200 and lowered.json()["daily_watch_limit_min"] == 20

    # Cameo use switched to "only me": approved people lose it, and their pending jobs stop.
    cameo = make_cameo(tia, name="Tia", permission="approved")
    CameoApproval.objects.create(cameo=cameo, user=friend)
    job = client_for(friend).post("/api/generations", {"prompt": "me on a swing", "cameos": [cameo.pk]}, format="json").json()["id"]
    assert mum_api.patch("/api/teens/tia/limits", {"cameo_use": "only_me"}, format="json").json()["cameo_use"] == "only_me"
    from generation.models import GenerationJob

    assert GenerationJob.objects.get(pk=job).status == "cancelled"
    refused = client_for(friend).post("/api/generations", {"prompt": "me on a swing", "cameos": [cameo.pk]}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == "Only @tia can use the cameo “Tia”."
    # The guardian ends the link; lowered limits stay.
    assert mum_api.delete("/api/teens/tia/guardian").status_code == 204
    assert Guardianship.objects.get().state == "ended"
    assert mum_api.get("/api/teens/tia/limits").status_code == 404
    assert User.objects.get(pk=tia.pk).teen_watch_limit_min == 20


def test_the_feed_shows_a_break_reminder_after_the_daily_watch_time(teen, adult, make_post, client_for, settings):
    settings.TEEN_DAILY_WATCH_LIMIT_MIN = 30
    tia, ben, mum = teen("tia"), adult("ben"), adult("mum")
    post = make_post(ben)
    tia_api = client_for(tia)
    assert tia_api.get("/api/feed?tab=latest").json()["break_reminder"] == {"due": False, "watched_today_min": 0.0, "limit_min": 30}
    assert client_for(ben).get("/api/feed?tab=latest").json()["break_reminder"] is None  # adults: none
    for _ in range(3):
        assert tia_api.post(f"/api/posts/{post.pk}/view", {"watch_s": 600}, format="json").status_code == 200
    assert tia_api.get("/api/feed?tab=latest").json()["break_reminder"] == {"due": True, "watched_today_min": 30.0, "limit_min": 30}

    # A guardian's lower limit applies; watching before today does not count.
    Guardianship.objects.create(teen=tia, guardian=mum, state="active", accepted_at=date.today().isoformat() + "T00:00:00Z")
    client_for(mum).patch("/api/teens/tia/limits", {"daily_watch_limit_min": 10}, format="json")
    from accounts.models import WatchDay

    WatchDay.objects.filter(user=tia).update(day=date(2000, 1, 1))
    tia_api.post(f"/api/posts/{post.pk}/view", {"watch_s": 660}, format="json")
    reminder = tia_api.get("/api/feed?tab=for_you").json()["break_reminder"]
    assert reminder == {"due": True, "watched_today_min": 11.0, "limit_min": 10}
    assert client_for(mum).get("/api/teens/tia/limits").json()["watched_today_min"] == 11.0
