"""Bad input gets a 4xx with a message a person understands (or is a harmless no-op), and writes nothing."""

from __future__ import annotations

import pytest

from feed.models import Comment, FeedPreference, Like, Post, Report


@pytest.fixture
def setup(make_user, make_post, client_for):
    ana, ben = make_user("ana"), make_user("ben")
    post = make_post(ana)
    return {"ana": ana, "ben": ben, "post": post, "client": client_for(ben), "client_for": client_for, "make_post": make_post}


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize(
    "url",
    ["/api/feed?tab=for_you", "/api/feed?tab=latest", "/api/feed?tab=following", "/api/notifications", "/api/users/ana/posts"],
)
def test_a_malformed_cursor_is_a_400(setup, url):
    body = _error(setup["client"].get(url, {"cursor": "not-a-cursor"}), 400, "bad_cursor")
    assert "Start again" in body["detail"]


def test_a_cursor_from_another_list_is_refused(setup):
    client = setup["client"]
    for _ in range(3):
        setup["make_post"](setup["ana"])
    latest_cursor = client.get("/api/feed", {"tab": "latest", "page_size": 1}).json()["next"]
    for_you_cursor = client.get("/api/feed", {"tab": "for_you", "page_size": 1}).json()["next"]
    assert latest_cursor and for_you_cursor
    _error(client.get("/api/feed", {"tab": "for_you", "cursor": latest_cursor}), 400, "bad_cursor")
    _error(client.get("/api/feed", {"tab": "latest", "cursor": for_you_cursor}), 400, "bad_cursor")


def test_unknown_tab_and_bad_page_size(setup):
    body = _error(setup["client"].get("/api/feed", {"tab": "trending"}), 400, "bad_tab")
    assert "for_you" in body["detail"]
    _error(setup["client"].get("/api/feed", {"page_size": "0"}), 400, "bad_page_size")
    _error(setup["client"].get("/api/feed", {"page_size": "lots"}), 400, "bad_page_size")


def test_an_overlong_or_empty_comment_is_refused_and_nothing_is_written(setup):
    post, client = setup["post"], setup["client"]
    body = _error(client.post(f"/api/posts/{post.pk}/comments", {"text": "x" * 1001}, format="json"), 400, "comment_too_long")
    assert "1000" in body["detail"]
    _error(client.post(f"/api/posts/{post.pk}/comments", {"text": "   "}, format="json"), 400, "comment_empty")
    assert client.post(f"/api/posts/{post.pk}/comments", {"text": "x" * 1000}, format="json").status_code == 201
    post.refresh_from_db()
    assert Comment.objects.count() == 1 and post.comment_count == 1


def test_commenting_or_liking_a_post_you_cannot_see_is_a_404(setup, make_user):
    from accounts.services import block_create

    ana, client = setup["ana"], setup["client"]
    private = setup["make_post"](ana, visibility="private")
    followers_only = setup["make_post"](ana, visibility="followers")
    deleted = setup["make_post"](ana, state=Post.State.DELETED)
    blocked_post = setup["make_post"](make_user("cara"))
    block_create(blocker=blocked_post.author, blocked=setup["ben"])
    for post_id in (private.pk, followers_only.pk, deleted.pk, blocked_post.pk, 999999):
        _error(client.post(f"/api/posts/{post_id}/comments", {"text": "hi"}, format="json"), 404, "not_found")
        _error(client.post(f"/api/posts/{post_id}/like"), 404, "not_found")
        _error(client.post(f"/api/posts/{post_id}/view", {"watch_s": 1}, format="json"), 404, "not_found")
        _error(client.post(f"/api/posts/{post_id}/report", {"reason": "x"}, format="json"), 404, "not_found")
        _error(client.get(f"/api/posts/{post_id}/comments"), 404, "not_found")
    assert Comment.objects.count() == 0 and Like.objects.count() == 0 and Report.objects.count() == 0


def test_replying_to_a_comment_of_another_post_is_refused(setup):
    other = setup["make_post"](setup["ana"])
    foreign = Comment.objects.create(post=other, author=setup["ana"], text="elsewhere")
    post = setup["post"]
    _error(
        setup["client"].post(f"/api/posts/{post.pk}/comments", {"text": "hi", "parent": foreign.pk}, format="json"),
        404,
        "parent_not_found",
    )
    post.refresh_from_db()
    assert post.comment_count == 0 and Comment.objects.count() == 1


def test_overlong_steering_text_is_refused_and_the_old_one_kept(setup):
    client = setup["client"]
    client.put("/api/feed/preferences", {"text": "more cats"}, format="json")
    body = _error(client.put("/api/feed/preferences", {"text": "more dogs " * 60}, format="json"), 400, "text_too_long")
    assert "500" in body["detail"]
    assert FeedPreference.objects.get(user=setup["ben"]).more_terms == ["cats"]
    _error(client.put("/api/feed/preferences", {}, format="json"), 400, "invalid")


def test_other_bad_values(setup):
    post, client = setup["post"], setup["client"]
    _error(client.post(f"/api/posts/{post.pk}/view", {"watch_s": "long"}, format="json"), 400, "invalid")
    _error(client.post(f"/api/posts/{post.pk}/view", {"watch_s": 99999}, format="json"), 400, "watch_s_invalid")
    _error(client.get(f"/api/posts/{post.pk}/lineage", {"depth": "deep"}), 400, "bad_depth")
    _error(client.get(f"/api/posts/{post.pk}/comments", {"parent": "first"}), 400, "bad_parent")
    _error(client.post("/api/notifications/read", {"ids": "all"}, format="json"), 400, "invalid")
    _error(client.post(f"/api/posts/{post.pk}/report", {"reason": "r" * 1001}, format="json"), 400, "reason_too_long")
    _error(client.post(f"/api/posts/{post.pk}/report", {"reason": " "}, format="json"), 400, "reason_empty")
    author = setup["client_for"](setup["ana"])
    _error(author.patch(f"/api/posts/{post.pk}", {"caption": "c" * 501}, format="json"), 400, "caption_too_long")
    post.refresh_from_db()
    assert post.caption == "" and post.view_count == 0 and Report.objects.count() == 0
