"""Every list endpoint runs the same number of SQL queries for 5 items as for 40."""

from __future__ import annotations

import pytest

from accounts.models import Notification
from feed.models import Comment, Like


@pytest.fixture
def world(make_user, make_post, publish):
    from accounts.services import follow_create

    viewer, ana = make_user("viewer"), make_user("ana")
    follow_create(follower=viewer, followee=ana)
    root = make_post(ana, "a cat on a skateboard")
    others = [make_user(f"fan{i}") for i in range(3)]
    for i in range(45):
        post = publish(others[i % 3], f"remix number {i}", remix_of=root)
        Like.objects.create(user=viewer, post=post)
        make_post(ana, f"clip {i}")
    top = [Comment.objects.create(post=root, author=others[i % 3], text=f"comment {i}") for i in range(45)]
    for i in range(45):
        Comment.objects.create(post=root, author=others[i % 3], text=f"reply {i}", parent=top[i % 5])
    for i in range(45):
        Notification.objects.create(recipient=viewer, actor=others[i % 3], kind="like", post=root, text="liked")
    return {"viewer": viewer, "root": root, "top": top}


def _lists(world):
    root = world["root"]
    return [
        ("/api/feed", {"tab": "latest"}),
        ("/api/feed", {"tab": "following"}),
        ("/api/feed", {"tab": "for_you"}),
        (f"/api/posts/{root.pk}/remixes", {}),
        (f"/api/posts/{root.pk}/comments", {}),
        (f"/api/posts/{root.pk}/comments", {"parent": world["top"][0].pk}),
        ("/api/users/ana/posts", {}),
        ("/api/notifications", {}),
    ]


def test_list_endpoints_query_counts_do_not_grow_with_the_page(world, client_for, count_queries, django_assert_max_num_queries):
    client = client_for(world["viewer"])
    for url, params in _lists(world):
        # For you's first request computes the ranking and caches it; both pages below are served from it
        # (tests/feed/test_ranking.py compares pages that compute it).
        client.get(url, params)
        small, n_small = count_queries(lambda: client.get(url, {**params, "page_size": 5}))
        large, n_large = count_queries(lambda: client.get(url, {**params, "page_size": 40}))
        assert small.status_code == large.status_code == 200, (url, params)
        assert len(small.json()["results"]) == 5, (url, params)
        assert len(large.json()["results"]) >= 9, (url, params)
        assert n_small == n_large, (url, params, n_small, n_large)
        with django_assert_max_num_queries(8):
            client.get(url, {**params, "page_size": 40})


def test_lineage_query_count_does_not_grow_with_the_family(world, client_for, count_queries):
    client = client_for(world["viewer"])
    _, big_family = count_queries(lambda: client.get(f"/api/posts/{world['root'].pk}/lineage"))
    leaf = world["root"].remixes.first()
    _, leaf_only = count_queries(lambda: client.get(f"/api/posts/{leaf.pk}/lineage"))
    assert big_family <= 9 and leaf_only <= big_family
