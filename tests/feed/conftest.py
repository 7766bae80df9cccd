from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

_counter = itertools.count(1)


@pytest.fixture
def make_post(db):
    """A published post created directly (no generation job). Keyword arguments go to Post.objects.create."""
    from feed.models import Post

    def make(author, prompt: str = "a red ball bouncing in a park", caption: str = "", **fields):
        n = next(_counter)
        return Post.objects.create(author=author, video=f"clips/{n}.mp4", poster=f"clips/{n}.jpg", prompt=prompt, caption=caption, **fields)

    return make


@pytest.fixture
def publish(db):
    """A post published through the service (remix chain, counters, notifications, events)."""
    from feed.services import post_create

    def make(author, prompt: str = "a red ball bouncing in a park", **fields):
        n = next(_counter)
        return post_create(author=author, video=f"clips/p{n}.mp4", poster=f"clips/p{n}.jpg", prompt=prompt, **fields)

    return make


@pytest.fixture
def count_queries():
    """Run a callable and return (its result, the number of SQL queries it ran)."""

    def run(fn):
        with CaptureQueriesContext(connection) as captured:
            result = fn()
        return result, len(captured)

    return run


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The feed tests create many members; the production hasher's cost buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
