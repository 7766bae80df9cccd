"""The API's JSON renderer writes what DRF's would, for every kind of value the API returns."""

import datetime
import decimal
import uuid

import numpy as np
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from config.renderers import JSONRenderer

SAMPLE = {
    "id": 7,
    "caption": "café ☕ — line\u2028break\u2029para \"quoted\" </script>",
    "created_at": datetime.datetime(2026, 11, 22, 3, 4, 5, 678901, tzinfo=datetime.timezone.utc),
    "day": datetime.date(2026, 11, 22),
    "duration": datetime.timedelta(seconds=90),
    "price": decimal.Decimal("1.50"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Invalid token."),
    "error": ErrorDetail("This field is required.", code="required"),
    "counts": {1: 2, 3: 4},
    "nested": [{"a": None, "b": True, "c": 1.25, "d": [1, 2, 3]}],
    "numpy_float": np.float64(0.5),
    "numpy_int": np.int64(3),
    "numpy_array": np.arange(3),
    "big": 2**70,
}


def test_same_json_as_drf():
    for value in (SAMPLE, {k: v for k, v in SAMPLE.items() if k != "big"}, [], {}, "text", 3):
        assert JSONRenderer().render(value) == DRFJSONRenderer().render(value)


def test_indent_and_empty_body_as_drf():
    assert JSONRenderer().render(None) == b""
    indented = JSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert indented == DRFJSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert b"\n  " in indented


def test_api_answers_with_it(client_for, make_user):
    client = client_for(make_user())
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["username"]
