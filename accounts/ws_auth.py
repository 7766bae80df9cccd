"""Websocket authentication: the session cookie (browsers) or an ``Authorization: Token <key>`` header (API clients).

A token in the query string is deliberately not accepted: URLs end up in logs and browser history.
"""

from __future__ import annotations

from channels.auth import AuthMiddleware, CookieMiddleware, SessionMiddleware
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def _user_for_token(key: str):
    """(user, the credential's name) for a token key; an anonymous user for an unknown or dead one."""
    from .authentication import user_for_token
    from .services.credentials import token_credential

    found = user_for_token(key)
    if found is None or not found[0].is_active:
        return AnonymousUser(), None
    return found[0], token_credential(found[1].pk)


class TokenHeaderAuthMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"authorization", b"").decode("latin-1")
        if raw.lower().startswith("token "):
            user, credential = await _user_for_token(raw[6:].strip())
            scope = dict(scope, user=user, auth_via_token=True, auth_credential=credential)
        return await self.inner(scope, receive, send)


class _SessionUnlessToken(AuthMiddleware):
    async def resolve_scope(self, scope):
        if scope.get("auth_via_token"):
            return
        await super().resolve_scope(scope)
        session = scope.get("session")
        if session is not None and session.session_key and scope["user"].is_authenticated:
            from .services.credentials import session_credential

            scope["auth_credential"] = session_credential(session.session_key)

    def populate_scope(self, scope):
        if "user" not in scope:
            super().populate_scope(scope)


def SessionOrTokenAuthMiddleware(inner):
    return CookieMiddleware(SessionMiddleware(TokenHeaderAuthMiddleware(_SessionUnlessToken(inner))))
