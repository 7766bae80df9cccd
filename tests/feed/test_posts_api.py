"""Posts, likes, comments, views, reports, remixes, lineage, the profile grid and notifications over the API."""

from __future__ import annotations

import pytest

from accounts.models import Notification
from feed.models import Comment, Like, Post, Report, View
from tests.conftest import assert_signed_url

POST_KEYS = {
    "id", "author", "caption", "prompt", "video_url", "poster_url", "remix_of", "root", "like_count", "comment_count",
    "remix_count", "view_count", "liked_by_me", "created_at",
}


@pytest.fixture
def ana(make_user):
    return make_user("ana", display_name="Ana")


@pytest.fixture
def ben(make_user):
    return make_user("ben")


def test_post_representation_keeps_the_documented_keys(ana, ben, make_post, client_for):
    post = make_post(ana, "a cat on a piano", caption="Piano cat")
    hidden = make_post(ana, "a secret prompt", prompt_public=False)
    data = client_for(ben).get(f"/api/posts/{post.pk}").json()
    assert POST_KEYS <= set(data)
    assert data["author"] == {"username": "ana", "display_name": "Ana", "avatar_url": ""}
    assert data["prompt"] == "a cat on a piano" and data["caption"] == "Piano cat"
    assert_signed_url(data["video_url"])
    assert_signed_url(data["poster_url"])
    assert client_for(ben).get(f"/api/posts/{hidden.pk}").json()["prompt"] is None
    assert client_for(ana).get(f"/api/posts/{hidden.pk}").json()["prompt"] == "a secret prompt"


def test_the_written_out_representation_matches_the_declared_fields(ana, ben, make_post, publish, client_for):
    from feed.apis import FeedItemSerializer, PostOutputSerializer

    root = publish(ana, "a cat on a piano")
    remix = publish(ben, "at night", remix_of=root)
    data = client_for(ben).get(f"/api/posts/{remix.pk}").json()
    assert set(data) == set(PostOutputSerializer().fields)
    assert data["remix_of"] == root.pk and data["remix_of_author"] == "ana" and data["root"] == root.pk
    assert data["created_at"].endswith("Z")
    # Every value, not just the names: the fields that read a column give what DRF's generic field machinery gives
    # (the others are computed: the author, the signed URLs, the prompt's privacy, the parent's author, the like).
    from rest_framework import serializers

    from feed.models import Post

    computed = {"author", "prompt", "video_url", "poster_url", "remix_of_author", "liked_by_me"}
    generic = type(
        "Generic",
        (PostOutputSerializer,),
        {"to_representation": serializers.Serializer.to_representation, **{name: None for name in computed}},
    )
    for post in (Post.objects.get(pk=remix.pk), Post.objects.get(pk=root.pk)):
        written = PostOutputSerializer(post, context={"viewer": ben}).data
        declared = dict(generic(post, context={"viewer": ben}).data)
        assert set(declared) == set(written) - computed
        assert {name: written[name] for name in declared} == declared
        assert written["author"]["username"] == post.author.username
        assert written["liked_by_me"] is False
    item = client_for(ben).get("/api/feed", {"tab": "latest"}).json()["results"][0]
    assert set(item) == set(FeedItemSerializer().fields)


def test_the_author_edits_the_caption_and_deletes_the_post(ana, ben, make_post, client_for):
    post = make_post(ana)
    assert client_for(ben).patch(f"/api/posts/{post.pk}", {"caption": "mine now"}, format="json").status_code == 403
    assert client_for(ben).delete(f"/api/posts/{post.pk}").status_code == 403
    response = client_for(ana).patch(f"/api/posts/{post.pk}", {"caption": "Better caption"}, format="json")
    assert response.status_code == 200 and response.json()["caption"] == "Better caption"
    assert client_for(ana).delete(f"/api/posts/{post.pk}").status_code == 204
    post.refresh_from_db()
    assert post.state == Post.State.DELETED
    assert client_for(ben).get(f"/api/posts/{post.pk}").status_code == 404
    assert client_for(ana).delete(f"/api/posts/{post.pk}").status_code == 404


def test_liking_twice_counts_once_and_unliking_is_idempotent(ana, ben, make_post, client_for):
    post = make_post(ana)
    client = client_for(ben)
    assert client.post(f"/api/posts/{post.pk}/like").json() == {"liked": True, "like_count": 1}
    assert client.post(f"/api/posts/{post.pk}/like").json() == {"liked": True, "like_count": 1}
    assert client.get(f"/api/posts/{post.pk}").json()["liked_by_me"] is True
    assert client.delete(f"/api/posts/{post.pk}/like").json() == {"liked": False, "like_count": 0}
    assert client.delete(f"/api/posts/{post.pk}/like").json() == {"liked": False, "like_count": 0}
    client.post(f"/api/posts/{post.pk}/like")
    assert Like.objects.filter(post=post).count() == 1
    post.refresh_from_db()
    assert post.like_count == 1 and post.hot_score > 0
    # like, unlike, like again: ana was told once
    assert Notification.objects.filter(recipient=ana, kind="like").count() == 1


def test_comments_and_replies_one_level_deep(ana, ben, make_user, make_post, client_for):
    cara = make_user("cara")
    post = make_post(ana)
    top = client_for(ben).post(f"/api/posts/{post.pk}/comments", {"text": "Love it"}, format="json")
    assert top.status_code == 201
    top_id = top.json()["id"]
    assert top.json()["parent"] is None and top.json()["author"]["username"] == "ben"
    reply = client_for(cara).post(f"/api/posts/{post.pk}/comments", {"text": "Same", "parent": top_id}, format="json").json()
    assert reply["parent"] == top_id
    # A reply to a reply joins the thread of the top-level comment.
    nested = client_for(ana).post(f"/api/posts/{post.pk}/comments", {"text": "Thanks both", "parent": reply["id"]}, format="json")
    assert nested.status_code == 201 and nested.json()["parent"] == top_id

    listing = client_for(ben).get(f"/api/posts/{post.pk}/comments").json()
    assert [c["id"] for c in listing["results"]] == [top_id]
    assert listing["results"][0]["reply_count"] == 2
    assert [r["text"] for r in listing["results"][0]["replies"]] == ["Same", "Thanks both"]
    replies = client_for(ben).get(f"/api/posts/{post.pk}/comments", {"parent": top_id}).json()
    assert [r["text"] for r in replies["results"]] == ["Same", "Thanks both"] and replies["next"] is None
    post.refresh_from_db()
    assert post.comment_count == 3
    # ana heard of ben's and cara's comments (not of her own); ben of cara's reply; cara of ana's reply to her
    assert Notification.objects.filter(recipient=ana, kind="comment").count() == 2
    assert Notification.objects.filter(recipient=ben, kind="comment").count() == 1
    assert Notification.objects.filter(recipient=cara, kind="comment").count() == 1


def test_views_accumulate_watch_time_and_count_each_viewer_once(ana, ben, make_post, client_for):
    post = make_post(ana, duration_s=8)
    client = client_for(ben)
    assert client.post(f"/api/posts/{post.pk}/view", {"watch_s": 3.5}, format="json").json() == {
        "watch_s": 3.5, "completed": False, "view_count": 1,
    }
    data = client.post(f"/api/posts/{post.pk}/view", {"watch_s": 4.5, "completed": True}, format="json").json()
    assert data == {"watch_s": 8.0, "completed": True, "view_count": 1}
    view = View.objects.get(user=ben, post=post)
    first_completed = view.completed_at
    assert first_completed is not None
    client.post(f"/api/posts/{post.pk}/view", {"watch_s": 1, "completed": True}, format="json")
    view.refresh_from_db()
    assert view.completed_at == first_completed
    bad = client.post(f"/api/posts/{post.pk}/view", {"watch_s": -1}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_reports_on_posts_and_comments(ana, ben, make_post, client_for):
    post = make_post(ana)
    client = client_for(ben)
    report = client.post(f"/api/posts/{post.pk}/report", {"reason": "spam"}, format="json")
    assert report.status_code == 201 and report.json()["kind"] == "post" and report.json()["status"] == "open"
    again = client.post(f"/api/posts/{post.pk}/report", {"reason": "spam!!"}, format="json")
    assert again.json()["id"] == report.json()["id"]
    comment = Comment.objects.create(post=post, author=ana, text="buy my stuff")
    on_comment = client.post(f"/api/posts/{post.pk}/report", {"reason": "spam", "comment": comment.pk}, format="json")
    assert on_comment.status_code == 201 and on_comment.json()["kind"] == "comment" and on_comment.json()["comment"] == comment.pk
    likeness = client.post(f"/api/posts/{post.pk}/report", {"reason": "that is me", "kind": "likeness"}, format="json")
    assert likeness.json()["kind"] == "likeness"
    missing = client.post(f"/api/posts/{post.pk}/report", {"reason": "x", "kind": "comment"}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "comment_required"
    assert client.post(f"/api/posts/{post.pk}/report", {"reason": "x", "kind": "weird"}, format="json").json()["code"] == "kind_invalid"
    assert Report.objects.count() == 3


def test_remixes_and_lineage_of_a_three_level_chain(ana, ben, make_user, publish, client_for):
    cara, dan = make_user("cara"), make_user("dan")
    root = publish(ana, "a cat on a skateboard")
    child = publish(ben, "at night", remix_of=root)
    grandchild = publish(cara, "in the rain", remix_of=child)
    sibling = publish(dan, "in space", remix_of=root)
    client = client_for(dan)

    remixes = client.get(f"/api/posts/{root.pk}/remixes").json()
    assert [p["id"] for p in remixes["results"]] == [sibling.pk, child.pk]
    assert remixes["results"][1]["remix_of_author"] == "ana"

    lineage = client.get(f"/api/posts/{grandchild.pk}/lineage").json()
    assert [a["id"] for a in lineage["ancestors"]] == [root.pk, child.pk]
    assert lineage["root"] == root.pk and lineage["post"]["root"] == root.pk
    assert lineage["children"] == [] and lineage["descendant_count"] == 0

    tree = client.get(f"/api/posts/{root.pk}/lineage").json()
    assert tree["ancestors"] == [] and tree["remix_count"] == 2 and tree["descendant_count"] == 3
    by_id = {node["id"]: node for node in tree["children"]}
    assert set(by_id) == {child.pk, sibling.pk}
    assert [n["id"] for n in by_id[child.pk]["children"]] == [grandchild.pk]
    assert by_id[child.pk]["remix_count"] == 1 and by_id[child.pk]["descendant_count"] == 1
    shallow = client.get(f"/api/posts/{root.pk}/lineage", {"depth": 1}).json()
    assert all(node["children"] == [] for node in shallow["children"])

    # The middle clip is deleted: counts follow, and the chain shows it as unavailable.
    client_for(ben).delete(f"/api/posts/{child.pk}")
    lineage = client.get(f"/api/posts/{grandchild.pk}/lineage").json()
    assert lineage["ancestors"][0]["id"] == root.pk and lineage["ancestors"][1] == {"id": child.pk, "available": False, "deleted": False}
    root.refresh_from_db()
    assert root.remix_count == 1 and root.descendant_count == 2
    assert Notification.objects.filter(recipient=ana, kind="remix").count() == 2
    assert Notification.objects.filter(recipient=ben, kind="remix").count() == 1


def test_profile_grid_shows_what_the_viewer_may_see(ana, ben, make_post, client_for):
    from accounts.services import follow_create

    public = make_post(ana, visibility="public")
    followers_only = make_post(ana, visibility="followers")
    make_post(ana, visibility="private")
    make_post(ben)
    client = client_for(ben)
    assert [p["id"] for p in client.get("/api/users/ana/posts").json()["results"]] == [public.pk]
    follow_create(follower=ben, followee=ana)
    assert [p["id"] for p in client.get("/api/users/ana/posts").json()["results"]] == [followers_only.pk, public.pk]
    assert len(client_for(ana).get("/api/users/ana/posts").json()["results"]) == 3
    assert client.get("/api/users/nobody/posts").status_code == 404


def test_notifications_list_unread_count_and_mark_read(ana, ben, make_user, make_post, client_for):
    from accounts.services import follow_create

    cara = make_user("cara")
    post = make_post(ana)
    follow_create(follower=ben, followee=ana)
    client_for(ben).post(f"/api/posts/{post.pk}/like")
    client_for(cara).post(f"/api/posts/{post.pk}/comments", {"text": "nice"}, format="json")
    client = client_for(ana)
    data = client.get("/api/notifications").json()
    assert [n["kind"] for n in data["results"]] == ["comment", "like", "follow"]
    assert data["unread_count"] == 3 and data["next"] is None
    assert data["results"][1]["actor"]["username"] == "ben" and data["results"][1]["post"] == post.pk
    first = data["results"][0]["id"]
    others_id = Notification.objects.create(recipient=ben, kind="system", text="not ana's").pk
    marked = client.post("/api/notifications/read", {"ids": [first, others_id]}, format="json").json()
    assert marked == {"marked": 1, "unread_count": 2}
    assert client.post("/api/notifications/read", {}, format="json").json() == {"marked": 2, "unread_count": 0}
    assert Notification.objects.get(pk=others_id).read_at is None
    assert all(n["read"] for n in client.get("/api/notifications").json()["results"])


def test_following_and_latest_tabs(ana, ben, make_user, make_post, client_for):
    from accounts.services import follow_create

    cara = make_user("cara")
    a1, c1, a2 = make_post(ana), make_post(cara), make_post(ana)
    follow_create(follower=ben, followee=ana)
    client = client_for(ben)
    following = client.get("/api/feed", {"tab": "following"}).json()
    assert [p["id"] for p in following["results"]] == [a2.pk, a1.pk]
    assert following["results"][0]["reasons"] == ["you follow @ana"]
    latest = client.get("/api/feed", {"tab": "latest", "page_size": 2}).json()
    assert [p["id"] for p in latest["results"]] == [a2.pk, c1.pk]
    rest = client.get("/api/feed", {"tab": "latest", "page_size": 2, "cursor": latest["next"]}).json()
    assert [p["id"] for p in rest["results"]] == [a1.pk] and rest["next"] is None


def test_anonymous_readers_see_public_posts_but_cannot_act(ana, make_post, api):
    post = make_post(ana)
    assert api.get(f"/api/posts/{post.pk}").status_code == 200
    assert api.get(f"/api/posts/{post.pk}/comments").status_code == 200
    assert api.post(f"/api/posts/{post.pk}/like").status_code == 401
    assert api.get("/api/feed").status_code == 401


def test_health(api):
    assert api.get("/api/health").json() == {"ok": True}


def test_a_taken_down_remix_disappears_and_stops_counting(ana, ben, publish, client_for):
    from feed.services import post_take_down

    root = publish(ana)
    remix = publish(ben, "in space", remix_of=root)
    assert post_take_down(post=remix, reason="uses a likeness without consent") is True
    assert post_take_down(post=remix, reason="again") is False
    root.refresh_from_db()
    assert root.remix_count == 0 and root.descendant_count == 0
    assert client_for(ana).get(f"/api/posts/{remix.pk}").status_code == 404
    assert client_for(ben).get(f"/api/posts/{root.pk}/remixes").json()["results"] == []
    note = Notification.objects.get(recipient=ben, kind="moderation")
    assert "likeness without consent" in note.text
