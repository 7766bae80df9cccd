"""Live events reach the right sockets only: post.counts to subscribers of the post, notifications to the
recipient, feed.new_posts to followers (real channels_redis layer on a real Valkey)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from config.asgi import application
from tests.support import member_with_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://localhost:8000")


_member = sync_to_async(member_with_token)


@sync_to_async
def _post(author, **fields):
    from feed.services import post_create

    return post_create(author=author, video="clips/live.mp4", prompt="a cat on a skateboard", **fields)


@sync_to_async
def _api(token, method, url, data=None):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = getattr(client, method)(url, data, format="json")
    return response.status_code, response.json() if response.content else None


@sync_to_async
def _follow(follower, followee):
    from accounts.services import follow_create

    follow_create(follower=follower, followee=followee)


async def _socket(user, token):
    ws = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, (b"authorization", f"Token {token}".encode())])
    connected, _ = await ws.connect(timeout=5)
    assert connected
    assert await ws.receive_json_from(timeout=5) == {"type": "hello", "user": user.pk}
    return ws


async def _subscribe(ws, post_id):
    await ws.send_json_to({"type": "subscribe", "post": post_id})
    return await ws.receive_json_from(timeout=5)


async def test_counts_go_to_subscribers_and_notifications_to_the_author_only():
    (ana, ana_token), (ben, ben_token), (cara, cara_token) = [await _member(n) for n in ("ana", "ben", "cara")]
    post = await _post(ana)
    ana_ws, ben_ws, cara_ws = await _socket(ana, ana_token), await _socket(ben, ben_token), await _socket(cara, cara_token)
    try:
        assert await _subscribe(ben_ws, post.pk) == {"type": "subscribed", "post": post.pk}

        assert (await _api(ben_token, "post", f"/api/posts/{post.pk}/like"))[0] == 200
        counts = await ben_ws.receive_json_from(timeout=5)
        assert counts == {"type": "post.counts", "post": post.pk, "like_count": 1, "comment_count": 0, "remix_count": 0, "view_count": 0}
        note = await ana_ws.receive_json_from(timeout=5)
        assert note["type"] == "notification" and note["kind"] == "like" and note["actor"] == "ben" and note["post"] == post.pk

        assert (await _api(cara_token, "post", f"/api/posts/{post.pk}/comments", {"text": "so good"}))[0] == 201
        assert (await ben_ws.receive_json_from(timeout=5))["comment_count"] == 1
        assert (await ana_ws.receive_json_from(timeout=5))["kind"] == "comment"

        await _api(ben_token, "delete", f"/api/posts/{post.pk}/like")
        assert (await ben_ws.receive_json_from(timeout=5))["like_count"] == 0
        # Liking twice sends nothing new the second time.
        await _api(cara_token, "post", f"/api/posts/{post.pk}/like")
        await _api(cara_token, "post", f"/api/posts/{post.pk}/like")
        assert (await ben_ws.receive_json_from(timeout=5))["like_count"] == 1
        assert (await ana_ws.receive_json_from(timeout=5))["actor"] == "cara"

        assert await ben_ws.receive_nothing(timeout=0.5)
        assert await cara_ws.receive_nothing(timeout=0.3)  # not subscribed: no counts; not the author: no notification
        assert await ana_ws.receive_nothing(timeout=0.3)  # not subscribed to her own post's counts
    finally:
        for ws in (ana_ws, ben_ws, cara_ws):
            await ws.disconnect()
        await sync_to_async(connections.close_all)()


async def test_new_posts_reach_followers_and_hidden_posts_cannot_be_subscribed():
    (ana, ana_token), (ben, ben_token), (cara, cara_token) = [await _member(n) for n in ("ana", "ben", "cara")]
    await _follow(ben, ana)
    ben_ws, cara_ws = await _socket(ben, ben_token), await _socket(cara, cara_token)
    try:
        post = await _post(ana)
        assert await ben_ws.receive_json_from(timeout=5) == {"type": "feed.new_posts", "post": post.pk, "author": "ana"}
        private = await _post(ana, visibility="private")
        assert await ben_ws.receive_nothing(timeout=0.5)  # a private clip is announced to nobody
        assert await cara_ws.receive_nothing(timeout=0.3)  # not a follower

        refused = await _subscribe(cara_ws, private.pk)
        assert refused["type"] == "error" and refused["code"] == "not_found"
        # A remix: the parent's author hears of it, the parent's subscribers get its new remix count.
        assert (await _subscribe(cara_ws, post.pk))["type"] == "subscribed"
        remix = await _post(cara, remix_of=post)
        counts = await cara_ws.receive_json_from(timeout=5)
        assert counts["type"] == "post.counts" and counts["post"] == post.pk and counts["remix_count"] == 1
        assert await ben_ws.receive_nothing(timeout=0.5)  # ben follows ana, not cara
        assert remix.remix_of_id == post.pk
    finally:
        for ws in (ben_ws, cara_ws):
            await ws.disconnect()
        await sync_to_async(connections.close_all)()
