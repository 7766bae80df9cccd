"""API error shape: {"detail": "<a sentence a person understands>", "code": "<machine code>", "errors": {...}}.

The one place where refusals become HTTP statuses: domain errors (core.errors) raised by services and views,
Django's validation, 404 and permission errors, DRF's own exceptions, and a database that went away (503).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from . import errors as domain

logger = logging.getLogger(__name__)

# Each kind of domain error and the status it answers (a subclass answers as the nearest kind it descends from).
STATUS_OF = {
    domain.Invalid: status.HTTP_400_BAD_REQUEST,
    domain.NotAuthenticated: status.HTTP_401_UNAUTHORIZED,
    domain.Forbidden: status.HTTP_403_FORBIDDEN,
    domain.NotFound: status.HTTP_404_NOT_FOUND,
    domain.Conflict: status.HTTP_409_CONFLICT,
    domain.TooLarge: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    domain.Refused: status.HTTP_422_UNPROCESSABLE_ENTITY,
    domain.LimitReached: status.HTTP_429_TOO_MANY_REQUESTS,
}


def status_of(exc: domain.DomainError) -> int:
    for kind in type(exc).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return status.HTTP_400_BAD_REQUEST


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            if message:
                return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    elif isinstance(errors, (list, tuple)):
        for value in errors:
            message = _first_message(value)
            if message:
                return message
    elif errors:
        return str(errors)
    return ""


def _codes(detail):
    if isinstance(detail, dict):
        return {k: _codes(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_codes(v) for v in detail]
    return getattr(detail, "code", "invalid")


def exception_handler(exc, context):
    if isinstance(exc, domain.DomainError):
        set_rollback()
        return Response({"detail": exc.message, "code": exc.code, **exc.extra}, status=status_of(exc))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(gettext("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or gettext("You do not have permission to do that."))
    elif isinstance(exc, (OperationalError, InterfaceError)):  # the database is away; other errors are bugs (500)
        logger.exception("database unavailable")
        return Response(
            {"detail": gettext("The service is temporarily unavailable. Please try again in a moment."), "code": "unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        message = _first_message(errors) or gettext("The request was not valid.")
        response.data = {"detail": message, "code": "invalid", "errors": errors}
    else:
        detail = exc.detail
        code = detail.code if hasattr(detail, "code") else _codes(detail)
        message = _first_message(detail) if not isinstance(detail, str) else str(detail)
        response.data = {"detail": message, "code": code if isinstance(code, str) else "error"}
    return response


class WriteRateThrottle(ScopedRateThrottle):
    """A scoped rate limit on writes only (reads of the same endpoint stay free)."""

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class IdField(serializers.IntegerField):
    """A row id in a request: a positive integer the database can hold (a larger one is a 400, not a crash)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)
