"""Cross-cutting HTTP behaviour: security headers (CSP and friends) and a clean 503 while the database is away."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils import translation

from accounts.services import session_touch
from accounts.services.credentials import SEEN_RESOLUTION

SEEN_KEY = "_riff_seen"

logger = logging.getLogger(__name__)


def _media_origins() -> str:
    endpoint = getattr(settings, "AWS_S3_ENDPOINT_URL_PUBLIC", "") or settings.STORAGES["default"].get("OPTIONS", {}).get("endpoint_url") or ""
    if settings.AWS_STORAGE_BUCKET_NAME and not endpoint:
        return " https://*.amazonaws.com"
    return f" {endpoint}" if endpoint else ""


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline script, no framing), Permissions-Policy, and the rest on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        media = _media_origins()
        self.csp = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self' 'unsafe-inline'",
                f"img-src 'self' data: blob:{media}",
                f"media-src 'self' blob:{media}",
                "connect-src 'self' ws: wss:",
                "font-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", "camera=(self), microphone=(self), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached, answer 503 (JSON for the API, a short page otherwise) instead of a
    500; Django opens a fresh connection on the next request, so service resumes without a restart."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("database unavailable: %s", exception)
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse(
                {
                    "detail": translation.gettext("The service is temporarily unavailable. Please try again in a moment."),
                    "code": "unavailable",
                },
                status=503,
            )
        else:
            response = HttpResponse(
                "<!doctype html><title>{}</title><h1>{}</h1><p>{}</p>".format(
                    translation.gettext("Riff is unavailable"),
                    translation.gettext("Riff is briefly unavailable"),
                    translation.gettext("Please try again in a moment."),
                ),
                status=503,
            )
        response["Retry-After"] = "5"
        return response


class MemberLanguageMiddleware:
    """A signed-in member's own interface language (their profile's choice) over the browser's: runs after the
    authentication middleware; ``LocaleMiddleware`` has already chosen from the cookie or Accept-Language. API
    requests signed with a token get the same from their authentication (accounts.authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if not language or not translation.check_for_language(language):
            return self.get_response(request)
        with translation.override(language):  # not left active in the thread after the response
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class SessionSeenMiddleware:
    """Keeps the member's list of signed-in browsers current: when a browser was last seen (written at most once
    a minute, the time kept in the session itself so most requests write nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None and session.session_key:
            now = time.time()
            seen = session.get(SEEN_KEY)
            if not isinstance(seen, (int, float)) or now - seen >= SEEN_RESOLUTION.total_seconds():
                session_touch(user=user, session_key=session.session_key,
                              user_agent=request.META.get("HTTP_USER_AGENT", ""))
                session[SEEN_KEY] = now
        return self.get_response(request)
