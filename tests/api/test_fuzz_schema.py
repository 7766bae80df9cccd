"""Property-based API fuzzing with schemathesis against our own OpenAPI schema (/api/schema/), as an
authenticated user, with a fixed seed: no 5xx, and every documented response matches its schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from config.asgi import application

schema = schemathesis.openapi.from_asgi("/api/schema/", application)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def auth_headers(make_user):
    from accounts.services import user_token

    user = make_user("fuzzer")
    other = make_user("someone")
    from accounts.services import follow_create

    follow_create(follower=user, followee=other)
    return {"Authorization": f"Token {user_token(user=user)}", "Origin": "http://localhost:8000"}


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_matches_its_schema(case, auth_headers):
    case.headers = {**(case.headers or {}), **auth_headers}
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
