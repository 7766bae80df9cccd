"""API error shape: {"detail": "<a sentence a person understands>", "code": "<machine code>", "errors": {...}}."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """A service-level refusal with a status, a message and a machine code."""

    def __init__(self, detail: str, *, code: str = "invalid", status_code: int = status.HTTP_400_BAD_REQUEST, extra=None):
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.extra = extra or {}


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
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You do not have permission to do that.")
    elif isinstance(exc, (OperationalError, InterfaceError)):  # the database is away; other errors are bugs (500)
        logger.exception("database unavailable")
        return Response(
            {"detail": "The service is temporarily unavailable. Please try again in a moment.", "code": "unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        message = _first_message(errors) or "The request was not valid."
        response.data = {"detail": message, "code": "invalid", "errors": errors}
    else:
        detail = exc.detail
        code = detail.code if hasattr(detail, "code") else _codes(detail)
        message = _first_message(detail) if not isinstance(detail, str) else str(detail)
        response.data = {"detail": message, "code": code if isinstance(code, str) else "error"}
        if isinstance(exc, ApiError) and exc.extra:
            response.data.update(exc.extra)
    return response


class WriteRateThrottle(ScopedRateThrottle):
    """A scoped rate limit on writes only (reads of the same endpoint stay free)."""

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
