"""Fixtures for the safety and moderation tests: members of a given age, staff, cameos (from the cameo tests),
posts and reports."""

from __future__ import annotations

from datetime import date

import pytest

from tests.cameos.conftest import make_cameo  # noqa: F401  (the fixture, shared)
from tests.feed.conftest import make_post  # noqa: F401  (the fixture, shared)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def years_ago(years: int, days: int = 0) -> date:
    from datetime import timedelta

    today = date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - timedelta(days=days)


@pytest.fixture
def adult(make_user):
    def make(username: str | None = None, **extra):
        return make_user(username, birth_date=years_ago(30), **extra)

    return make


@pytest.fixture
def teen(make_user):
    def make(username: str | None = None, age: int = 15, **extra):
        return make_user(username, birth_date=years_ago(age, days=30), **extra)

    return make


@pytest.fixture
def staff(make_user):
    def make(username: str = "mod"):
        user = make_user(username, birth_date=years_ago(40))
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        return user

    return make
