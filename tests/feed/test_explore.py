"""Explore on a seeded graph: trending tags by decayed velocity, the most remixed chains this week, new creators
worth following with a reason (never a teen to an adult), pinned challenges, and the teen break reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import follow_create
from feed.models import Challenge, Post, PostTag, Tag
from feed.services import like_create, post_create

pytestmark = pytest.mark.django_db


def _post(author, caption, *, remix_of=None, days_ago: float = 0, visibility="public"):
    video = default_storage.save(f"drafts/{author.pk}/e/clip.mp4", ContentFile(b"mp4"))
    post = post_create(author=author, video=video, caption=caption, remix_of=remix_of, visibility=visibility, duration_s=2)
    if days_ago:
        when = timezone.now() - timedelta(days=days_ago)
        Post.objects.filter(pk=post.pk).update(created_at=when)
        PostTag.objects.filter(post=post).update(created_at=when)
        post.created_at = when
    return post


def _years_ago(n: int):
    today = timezone.localdate()
    return today.replace(year=today.year - n)


def test_explore_on_a_seeded_graph(make_user, client_for):
    viewer = make_user("viewer", birth_date=_years_ago(30))
    ana = make_user("ana", birth_date=_years_ago(30))
    bob = make_user("bob", birth_date=_years_ago(25))
    kid = make_user("kid", birth_date=_years_ago(15))
    old = make_user("veteran", birth_date=_years_ago(40))
    _post(old, "from long ago #retro", days_ago=60)  # a creator who is not new
    _post(old, "still here #retro")

    hot = _post(ana, "a cat on a skateboard #cats")
    for n in range(4):  # #cats: one post with engagement now
        like_create(user=make_user(f"fan{n}"), post=hot)
    _post(bob, "a quiet #sunset", days_ago=5)  # older and unliked: decays
    _post(bob, "another #sunset", days_ago=6)
    _post(bob, "#ancient", days_ago=9)  # outside the week
    _post(ana, "#secret mine", visibility="private")  # private posts count for nothing
    root = _post(bob, "the original dance")
    for n in range(3):
        _post(make_user(f"remixer{n}"), "my take", remix_of=root)
    lone = _post(ana, "a lonely original")
    _post(bob, "one remix", remix_of=lone)
    _post(kid, "teen clip #cats")
    follow_create(follower=viewer, followee=old)
    follow_create(follower=old, followee=bob)
    Challenge.objects.create(tag=Tag.objects.get(name="cats"), prompt="Your cat doing a trick", post=hot)
    Challenge.objects.create(tag=Tag.objects.get(name="sunset"), prompt="over", active=False)

    data = client_for(viewer).get("/api/explore").json()
    tags = [t["name"] for t in data["tags"]]
    assert tags[:2] == ["cats", "sunset"] and "ancient" not in tags and "secret" not in tags
    assert [(c["root"]["id"], c["remixes_this_week"]) for c in data["chains"]] == [(root.pk, 3), (lone.pk, 1)]
    creators = {c["username"]: c["reason"] for c in data["creators"]}
    assert "veteran" not in creators and "viewer" not in creators and "kid" not in creators  # not new; self; a teen
    assert creators["bob"] == "Followed by 1 person you follow"
    assert creators["ana"] == "New on Riff: 4 likes this week"
    assert [c["tag"] for c in data["challenges"]] == ["cats"] and data["break_reminder"] is None

    teen = client_for(kid).get("/api/explore").json()
    assert [c["username"] for c in teen["creators"]] == [] and teen["break_reminder"]["due"] is False
    anonymous = APIClient().get("/api/explore").json()
    assert "kid" not in [c["username"] for c in anonymous["creators"]]

    page = Client().get("/explore/")
    assert page.status_code == 200 and b"#cats" in page.content and b"Your cat doing a trick" in page.content
