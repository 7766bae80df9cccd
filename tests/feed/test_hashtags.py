"""Hashtags: #words in captions and public prompts tag posts, link to the tag's page, and the tag lists the posts
each viewer may see, latest or top."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from rest_framework.test import APIClient

from accounts.services import block_create
from feed.models import Post, PostTag
from feed.services import like_create, post_create, post_take_down, post_update
from feed.tags import hashtags

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text, tags", [
    ("a ball #Beach at #sunset", ["beach", "sunset"]),
    ("#été à la #plage, #Plage encore", ["été", "plage"]),
    ("no#tag here &#123; and # alone", []),
    ("#2024 #🔥 #___ #a_1", ["a_1"]),
    ("(#wow!) #x" + "y" * 60, ["wow"]),
])
def test_what_is_a_hashtag(text, tags):
    assert hashtags(text) == tags


def _post(author, caption, *, prompt="", prompt_public=True, visibility="public"):
    video = default_storage.save(f"drafts/{author.pk}/t/clip.mp4", ContentFile(b"mp4"))
    return post_create(author=author, video=video, caption=caption, prompt=prompt, prompt_public=prompt_public,
                       visibility=visibility, duration_s=2)


def test_a_tag_lists_what_each_viewer_may_see_latest_and_top(make_user, client_for):
    ana, bob, eve = make_user("ana"), make_user("bob"), make_user("eve")
    first = _post(ana, "sand #Beach")
    second = _post(bob, "waves", prompt="a wave at the #beach")  # from a public prompt
    hidden_prompt = _post(bob, "quiet", prompt="#beach secret", prompt_public=False)
    private = _post(ana, "mine #beach", visibility="private")
    blocked = _post(eve, "#beach from eve")
    taken = _post(bob, "#beach gone")
    post_take_down(post=taken, reason="rules")
    like_create(user=bob, post=first)
    like_create(user=eve, post=first)
    block_create(blocker=ana, blocked=eve)
    assert not PostTag.objects.filter(post=hidden_prompt).exists()

    latest = client_for(ana).get("/api/tags/BEACH").json()
    assert latest["tag"] == "beach" and [p["id"] for p in latest["results"]] == [private.pk, second.pk, first.pk]
    assert latest["post_count"] == 3
    top = client_for(ana).get("/api/tags/beach", {"sort": "top"}).json()
    assert top["results"][0]["id"] == first.pk  # the most liked first
    anonymous = [p["id"] for p in APIClient().get("/api/tags/beach").json()["results"]]
    assert anonymous == [blocked.pk, second.pk, first.pk]  # public only, nothing taken down

    post_update(user=ana, post=first, caption="sand only")  # an edit drops the tag
    assert first.pk not in [p["id"] for p in client_for(ana).get("/api/tags/beach").json()["results"]]


def test_pages_link_tags_and_page_through_a_tag(make_user, client_for):
    ana = make_user("ana")
    posts = [_post(ana, f"clip {i} #Sunset <b>bold</b>") for i in range(3)]
    page = Client().get(f"/posts/{posts[0].pk}/")
    assert b'<a class="tag" href="/tags/sunset/">#Sunset</a>' in page.content and b"<b>bold</b>" not in page.content
    client = client_for(ana)
    one = client.get("/api/tags/sunset", {"page_size": 2}).json()
    two = client.get("/api/tags/sunset", {"page_size": 2, "cursor": one["next"]}).json()
    assert [p["id"] for p in one["results"] + two["results"]] == [p.pk for p in reversed(posts)] and two["next"] is None
    top = client.get("/api/tags/sunset", {"page_size": 2, "sort": "top"}).json()
    rest = client.get("/api/tags/sunset", {"page_size": 2, "sort": "top", "cursor": top["next"]}).json()
    assert sorted(p["id"] for p in top["results"] + rest["results"]) == sorted(p.pk for p in posts)
    html = Client().get("/tags/sunset/")
    assert html.status_code == 200 and b"#sunset" in html.content and html.content.count(b'class="tile"') == 3
    assert Client().get("/tags/nothing_here/").status_code == 404


def test_bad_tags_and_cursors_are_4xx_with_a_message(make_user):
    _post(make_user("ana"), "#ok")
    for path, query in (("/api/tags/%F0%9F%94%A5", {}), ("/api/tags/1234", {}), ("/api/tags/ok", {"sort": "best"}),
                        ("/api/tags/ok", {"cursor": "not-a-cursor"}), ("/api/tags/" + "a" * 80, {}),
                        ("/api/tags/none_yet", {})):
        response = APIClient().get(path, query)
        assert 400 <= response.status_code < 500 and response.json()["detail"], (path, query, response.status_code)
    assert Post.objects.count() == 1
