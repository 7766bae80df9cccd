"""For you serves a first page from the ranking the last one cached while it is fresh, recomputes it when the
member's own signals change, and never lets a block wait for either (feed.for_you.stored, "Serving")."""

from __future__ import annotations

import pytest

from accounts.models import Block
from feed import selectors
from feed.for_you import page as for_you_page
from feed.for_you import stored as ranking
from feed.models import Post

PAGE = 10


@pytest.fixture
def world(make_user, make_post):
    viewer = make_user("viewer")
    authors = [make_user(f"author{i}") for i in range(5)]
    posts = {author.username: [make_post(author, f"clip {j} by {author.username}") for j in range(4)] for author in authors}
    return {"viewer": viewer, "authors": authors, "posts": posts}


def _first_page(client, size=PAGE):
    response = client.get("/api/feed", {"tab": "for_you", "page_size": size})
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _ids(page) -> list[int]:
    return [item["id"] for item in page["results"]]


def _authors(page) -> set[str]:
    return {item["author"]["username"] for item in page["results"]}


def _late_post(make_post, author) -> Post:
    """A post made after the ranking was cached, written straight to the table: nothing tells the viewer's ranking
    about it, so it shows only on a first page that ranks again."""
    return make_post(author, "a fresher clip than everything else")


def test_a_first_page_reuses_the_cached_ranking_while_it_is_fresh(world, make_post, client_for, count_queries, monkeypatch):
    client = client_for(world["viewer"])
    first, computed = count_queries(lambda: _first_page(client))
    late = _late_post(make_post, world["authors"][0])
    again, cached = count_queries(lambda: _first_page(client))
    assert late.pk not in _ids(again) and _ids(again) == _ids(first)
    assert again["next"] == first["next"]  # the same snapshot: the next pages are the same slices
    assert cached < computed
    monkeypatch.setattr(for_you_page, "RANKING_FRESH_S", -1)  # every cached ranking is now too old
    assert late.pk in _ids(_first_page(client))


def test_the_web_process_keeps_the_rankings_it_served_and_still_checks_their_version(world, make_post, client_for, count_queries):
    viewer = world["viewer"]
    client = client_for(viewer)
    first = _first_page(client)
    late = _late_post(make_post, world["authors"][0])
    # The shared copy is gone (evicted, or Redis restarted): the process still has the ranking it computed.
    ranking.ranking_cache().delete(ranking.cache_key(viewer.pk))
    again, queries = count_queries(lambda: _first_page(client))
    assert _ids(again) == _ids(first) and again["next"] == first["next"]
    assert queries == 2  # the token and the page: no ranking computed, no block set read
    more = client.get("/api/feed", {"tab": "for_you", "page_size": PAGE, "cursor": again["next"]}).json()
    assert more["results"] and not set(_ids(more)) & set(_ids(again))  # the next page is cut from the same one
    # A change to the member's signals made in another process (here, a row written straight to the table, then
    # the version the service would write): the next first page ranks again, whatever this process kept.
    from feed.models import Like
    from feed.services import feed_signals_changed

    Like.objects.create(user=viewer, post=world["posts"]["author3"][0])
    feed_signals_changed(user_ids=[viewer.pk])
    assert late.pk in _ids(_first_page(client))


def test_a_like_made_while_redis_was_unreachable_shows_on_the_next_first_page(world, make_post, client_for, monkeypatch):
    viewer = world["viewer"]
    client = client_for(viewer)
    _first_page(client)
    late = _late_post(make_post, world["authors"][2])
    assert late.pk not in _ids(_first_page(client))  # kept

    class Unreachable:
        def __getattr__(self, name):
            raise ConnectionError("Redis is down")

    with monkeypatch.context() as patched:
        patched.setattr(for_you_page, "ranking_cache", lambda: Unreachable())
        liked = world["posts"]["author1"][0]
        assert client.post(f"/api/posts/{liked.pk}/like").status_code == 200
    # Redis is back, with the ranking kept before the like; the version is in the database, so neither that one
    # nor the process's copy is reused.
    assert late.pk in _ids(_first_page(client, size=50))


def test_the_process_keeps_at_most_the_configured_number_of_rankings(world, client_for, count_queries, settings):
    settings.FEED_RANKINGS_IN_PROCESS = 2
    clients = {user.username: client_for(user) for user in world["authors"][:3]}
    for client in clients.values():
        _first_page(client)
    kept = ranking.local_rankings()
    assert len(kept) == 2
    assert kept.get(world["authors"][0].pk) is None  # the least recently served went first
    assert kept.get(world["authors"][2].pk) is not None
    # Without the process's copy the shared one serves, the same way.
    settings.FEED_RANKINGS_IN_PROCESS = 0
    viewer = client_for(world["viewer"])
    first, computed = count_queries(lambda: _first_page(viewer))
    again, shared = count_queries(lambda: _first_page(viewer))
    assert _ids(again) == _ids(first) and shared < computed
    assert len(ranking.local_rankings()) == 0


def test_a_cached_first_page_drops_authors_blocked_since_and_stays_full(world, make_post, client_for):
    from accounts.services import block_create

    viewer = world["viewer"]
    client = client_for(viewer)
    cached = _first_page(client)
    late = _late_post(make_post, world["authors"][0])
    shown = sorted(_authors(cached))
    blocked_by_me, blocking_me = (next(a for a in world["authors"] if a.username == name) for name in shown[:2])
    # Rows written straight to the table, as the admin would: the version does not change; the page read checks
    # blocks all the same.
    Block.objects.create(blocker=viewer, blocked=blocked_by_me)
    Block.objects.create(blocker=blocking_me, blocked=viewer)
    page = _first_page(client)
    assert late.pk not in _ids(page)  # still the cached ranking...
    assert not {blocked_by_me.username, blocking_me.username} & _authors(page)  # ...without them
    assert len(page["results"]) == PAGE  # the page is filled from further down the ranking
    seen, cursor = _ids(page), page["next"]
    while cursor:
        more = client.get("/api/feed", {"tab": "for_you", "page_size": PAGE, "cursor": cursor}).json()
        assert not {blocked_by_me.username, blocking_me.username} & _authors(more)
        seen += _ids(more)
        cursor = more["next"]
    assert len(seen) == len(set(seen))
    hidden = {p.pk for name in (blocked_by_me.username, blocking_me.username) for p in world["posts"][name]}
    others = {p.pk for posts in world["posts"].values() for p in posts} - hidden
    assert set(seen) <= others and len(others - set(seen)) <= 2  # at most a tail the variety rule left out
    # Through the service the version changes as well: the next first page ranks again, still without them.
    Block.objects.all().delete()
    block_create(blocker=viewer, blocked=world["authors"][4])
    page = _first_page(client)
    assert late.pk in _ids(page) and world["authors"][4].username not in _authors(page)


@pytest.mark.parametrize("change", ["like", "unlike", "view", "steering", "follow", "unblock"])
def test_the_members_own_signals_make_the_next_first_page_rank_again(world, make_post, client_for, change):
    from accounts.services import block_create, block_delete, follow_create
    from feed.services import like_create

    viewer = world["viewer"]
    client = client_for(viewer)
    liked = world["posts"]["author1"][0]
    if change == "unlike":
        like_create(user=viewer, post=liked)
    if change == "unblock":
        block_create(blocker=viewer, blocked=world["authors"][3])
    first = _first_page(client)
    late = _late_post(make_post, world["authors"][2])
    assert late.pk not in _ids(_first_page(client))  # cached
    if change == "like":
        assert client.post(f"/api/posts/{liked.pk}/like").status_code == 200
    elif change == "unlike":
        assert client.delete(f"/api/posts/{liked.pk}/like").status_code == 200
    elif change == "view":
        watched = _ids(first)[0]
        response = client.post(f"/api/posts/{watched}/view", {"watch_s": 3.0, "completed": True}, format="json")
        assert response.status_code == 200
    elif change == "steering":
        assert client.put("/api/feed/preferences", {"text": "more fresher"}, format="json").status_code == 200
    elif change == "follow":
        follow_create(follower=viewer, followee=world["authors"][2])
    else:
        block_delete(blocker=viewer, blocked=world["authors"][3])
    page = _first_page(client, size=50)
    assert late.pk in _ids(page)
    if change == "view":
        assert _ids(page).index(watched) > 5  # what was watched went down at once
    if change == "steering":
        assert "matches: fresher" in page["results"][0]["reasons"]
    if change == "follow":
        assert "you follow @author2" in next(item for item in page["results"] if item["id"] == late.pk)["reasons"]
    if change == "unblock":
        assert "author3" in _authors(page)


def test_the_page_read_keeps_the_visibility_rule_of_every_list(make_user, make_post, client_for):
    """for_you_page_posts writes posts_visible_to's rule out in SQL: the two must agree, and the posts it builds
    must serialize exactly like the ones posts_for_display reads."""
    from accounts.services import follow_create
    from feed.apis import FeedItemSerializer
    from feed.services import like_create

    viewer, followed, stranger, blocker, blocked = (make_user(n) for n in ("viewer", "followed", "stranger", "blocker", "blocked"))
    follow_create(follower=viewer, followee=followed)
    followed.avatar = "avatars/followed.png"
    followed.save(update_fields=["avatar"])
    Block.objects.create(blocker=blocker, blocked=viewer)
    Block.objects.create(blocker=viewer, blocked=blocked)
    posts = []
    for author in (viewer, followed, stranger, blocker, blocked):
        for visibility in Post.Visibility.values:
            for state in Post.State.values:
                posts.append(make_post(author, f"{author.username} {visibility} {state}", visibility=visibility, state=state))
    parent = make_post(stranger, "the original")
    posts.append(make_post(followed, "a remix of it", remix_of=parent, root=parent, prompt_public=False))
    hidden_parent = make_post(stranger, "a removed original", state=Post.State.DELETED)
    posts.append(make_post(stranger, "a remix of a removed clip", remix_of=hidden_parent, root=hidden_parent))
    like_create(user=viewer, post=posts[-1])
    ids = [p.pk for p in posts]

    fast = for_you_page.for_you_page_posts(viewer=viewer, post_ids=ids)
    generic = {p.pk: p for p in selectors.posts_for_display(viewer=viewer).filter(pk__in=ids)}
    assert set(fast) == set(generic) == set(selectors.posts_visible_to(user=viewer).filter(pk__in=ids).values_list("id", flat=True))
    assert len(fast) >= 8  # public ones, the followed person's followers-only ones, the viewer's own
    context = {"viewer": viewer, "reasons": {}}
    for post_id, post in fast.items():
        assert FeedItemSerializer(post, context=context).data == FeedItemSerializer(generic[post_id], context=context).data
    assert any(FeedItemSerializer(post, context=context).data["author"]["avatar_url"] for post in fast.values())
    remix = fast[posts[-2].pk]
    assert remix.remix_of_author == "stranger" and FeedItemSerializer(remix, context=context).data["prompt"] is None
    assert fast[posts[-1].pk].remix_of_author is None and fast[posts[-1].pk].liked_by_me is True
