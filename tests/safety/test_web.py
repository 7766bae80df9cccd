"""The web pages: the moderation queue for staff, a member's decisions and appeals, the sign-up form's birth date,
the feed's break reminder and the report form on a clip's page."""

from __future__ import annotations

import pytest
from django.test import Client

from feed.models import Report
from feed.services import report_create

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_moderation_page_is_for_staff(make_user, make_post, staff):
    author, rita = make_user("author"), make_user("rita")
    post = make_post(author, prompt="a private prompt", prompt_public=False)
    report_create(user=rita, post=post, reason="Uses my likeness.", kind=Report.Kind.LIKENESS)
    assert Client().get("/moderation/").status_code == 302  # to the log-in page
    refused = _login(rita).get("/moderation/")
    assert refused.status_code == 403 and "Moderators only" in refused.content.decode()
    page = _login(staff()).get("/moderation/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Clip %d by" % post.pk, "a private prompt", "Uses my likeness.", "likeness", 'data-act="take_down"',
                 'data-act="suspend"', "js/moderation.js", "No appeals waiting."):
        assert text in html, text
    assert "Moderation</a>" in html  # the staff link in the top bar
    assert "Moderation</a>" not in _login(rita).get("/notifications/").content.decode()


def test_my_decisions_page_offers_an_appeal(make_user, make_post, staff):
    from moderation.services import moderation_act

    author = make_user("author")
    post = make_post(author)
    moderation_act(moderator=staff(), action="take_down", post_id=post.pk, reason="Graphic violence.")
    html = _login(author).get("/moderation/mine/").content.decode()
    assert "Clip taken down" in html and "Graphic violence." in html and 'class="appeal-form"' in html
    assert "js/appeals.js" in html


def test_sign_up_form_requires_the_birth_date():
    client = Client()
    page = client.get("/signup/").content.decode()
    assert 'type="date"' in page and "Birth date" in page
    missing = client.post("/signup/", {"username": "ana", "password": "a-long-secret-9"})
    assert missing.status_code == 400 and "Enter your birth date" in missing.content.decode()
    ok = client.post("/signup/", {"username": "ana", "password": "a-long-secret-9", "birth_date": "1990-05-01"})
    assert ok.status_code == 302


def test_the_feed_page_shows_the_break_reminder_to_a_teen_over_the_limit(teen, make_post, make_user, settings):
    from accounts.models import WatchDay
    from accounts.selectors import today_utc

    settings.TEEN_DAILY_WATCH_LIMIT_MIN = 1
    tia = teen("tia")
    make_post(make_user("ben"))
    html = _login(tia).get("/").content.decode()
    assert 'id="break-reminder" role="status" hidden' in html
    WatchDay.objects.create(user=tia, day=today_utc(), watch_s=120)
    html = _login(tia).get("/").content.decode()
    assert 'id="break-reminder" role="status">' in html and "You have watched <span data-slot=\"watched\">2</span> minutes" in html


def test_the_clip_page_has_a_report_form_for_others(make_user, make_post):
    author, rita = make_user("author"), make_user("rita")
    post = make_post(author)
    assert 'id="report-form"' in _login(rita).get(f"/posts/{post.pk}/").content.decode()
    assert 'id="report-form"' not in _login(author).get(f"/posts/{post.pk}/").content.decode()
