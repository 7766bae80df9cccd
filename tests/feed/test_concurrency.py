"""Counters stay consistent when many people like the same clip at the same moment (threads with their own
database connections, on a transactional test)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from feed.models import Like

pytestmark = pytest.mark.django_db(transaction=True)


def _in_threads(fn, args_list):
    barrier = threading.Barrier(len(args_list))
    errors = []

    def run(args):
        try:
            barrier.wait(timeout=10)
            fn(*args)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(args,)) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors


def test_concurrent_likes_and_unlikes_keep_the_counter_equal_to_the_rows(make_user, make_post):
    from feed.services import like_create, like_delete

    author = make_user("author")
    post = make_post(author)
    fans = [make_user(f"fan{i}") for i in range(8)]

    # Every fan likes twice at the same time: eight likes, not sixteen.
    _in_threads(lambda fan: like_create(user=fan, post=post), [(fan,) for fan in fans for _ in range(2)])
    post.refresh_from_db()
    assert Like.objects.filter(post=post).count() == 8
    assert post.like_count == 8

    # Half of them unlike twice at once, the others like again: four remain.
    calls = [(like_delete, fan) for fan in fans[:4] for _ in range(2)] + [(like_create, fan) for fan in fans[4:]]
    _in_threads(lambda fn, fan: fn(user=fan, post=post), calls)
    post.refresh_from_db()
    assert Like.objects.filter(post=post).count() == 4
    assert post.like_count == 4
    # The trending score was recomputed from the final counts by the same statements.
    from feed.for_you.formula import hot_score

    assert post.hot_score == pytest.approx(hot_score(created_at=post.created_at, like_count=4))
