"""Credentials: API tokens, signed-in browsers (sessions) and passwords.

A member may hold several API tokens (one per device or program) and be signed in on several browsers. They see
both lists with the device and when each was last used, and revoke any entry: a revoked token is refused at its
next request, a revoked session's next request is signed out, and their websockets close at once (a
``riff.revoke`` event on the member's group: each socket knows the credential it was opened with).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.errors import NotFound
from core.events import send_on_commit, user_group

from ..models import ApiToken, MemberSession, User

SEEN_RESOLUTION = timedelta(minutes=1)  # "last used" is written at most this often per token or session
MAX_TOKENS = 50  # per member; making one more drops the one least recently used


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def session_credential(session_key: str) -> str:
    """The name a socket opened with this session carries (never the key itself: events go through the broker)."""
    return "session:" + hashlib.sha256(session_key.encode()).hexdigest()[:24]


def token_credential(token_id: int) -> str:
    return f"token:{token_id}"


def user_token(*, user: User, label: str = "") -> str:
    """Make a new API token for this member and return its key (shown once: only its digest is kept)."""
    key = secrets.token_hex(20)
    # Handed to a client now: that counts as its first use (and its first request then writes nothing).
    ApiToken.objects.create(user=user, digest=token_digest(key), prefix=key[:8], label=label[:200],
                            last_used_at=timezone.now())
    stale = ApiToken.objects.filter(user=user).order_by("-last_used_at", "-created_at", "-id").values_list("pk", flat=True)
    extra = list(stale[MAX_TOKENS:])
    if extra:
        token_revoke_ids(user=user, ids=extra)
    return key


def token_touch(token: ApiToken, now=None) -> None:
    """Record a use, at most once per SEEN_RESOLUTION (one small write a minute for a busy client)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= SEEN_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _close_sockets(user_id: int, credentials: list[str] | None, keep: str | None = None) -> None:
    """Close the member's websockets opened with these credentials (None: all of them but ``keep``)."""
    send_on_commit(user_group(user_id), {"credentials": credentials, "keep": keep}, handler="riff.revoke")


def token_revoke_ids(*, user: User, ids: list[int]) -> int:
    with transaction.atomic():
        deleted, _ = ApiToken.objects.filter(user=user, pk__in=ids).delete()
        if deleted:
            _close_sockets(user.pk, [token_credential(i) for i in ids])
    return deleted


def token_revoke(*, user: User, token_id: int) -> None:
    if not token_revoke_ids(user=user, ids=[token_id]):
        raise NotFound(gettext("You have no such API token."), code="not_found")


# --- browsers ---------------------------------------------------------------------------------------------------


def session_started(*, user: User, session_key: str, user_agent: str) -> None:
    """A browser signed in (django's ``user_logged_in``)."""
    if not session_key:
        return
    MemberSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "user_agent": (user_agent or "")[:300], "last_seen_at": timezone.now()},
    )


def on_logged_in(sender, request, user, **kwargs) -> None:
    """django's ``user_logged_in`` receiver (connected in AccountsConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        session_started(user=user, session_key=request.session.session_key or "",
                        user_agent=request.META.get("HTTP_USER_AGENT", ""))


def on_logged_out(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_ended(session_key=request.session.session_key or "")


def session_ended(*, session_key: str) -> None:
    """A browser signed out."""
    if session_key:
        MemberSession.objects.filter(session_key=session_key).delete()


def session_touch(*, user: User, session_key: str, user_agent: str = "") -> None:
    """The browser was seen (config.middleware, at most once per SEEN_RESOLUTION); a session signed in before
    sessions were listed gets its entry now."""
    now = timezone.now()
    if not MemberSession.objects.filter(user=user, session_key=session_key).update(last_seen_at=now):
        session_started(user=user, session_key=session_key, user_agent=user_agent)


def session_rekeyed(*, old_key: str, new_key: str) -> None:
    """Django gave the browser a new session key (after a password change it keeps this browser signed in)."""
    if old_key and new_key and old_key != new_key:
        MemberSession.objects.filter(session_key=old_key).update(session_key=new_key)


def session_revoke(*, user: User, session_id: int) -> None:
    found = MemberSession.objects.filter(user=user, pk=session_id).first()
    if found is None:
        raise NotFound(gettext("You have no such session."), code="not_found")
    _end_sessions(user, [found])


def _end_sessions(user: User, sessions: list[MemberSession]) -> None:
    keys = [s.session_key for s in sessions]
    with transaction.atomic():
        Session.objects.filter(session_key__in=keys).delete()
        MemberSession.objects.filter(pk__in=[s.pk for s in sessions]).delete()
        if keys:
            _close_sockets(user.pk, [session_credential(k) for k in keys])


def sign_out_everywhere(*, user: User, keep_session_key: str | None = None) -> None:
    """End every session of the member but ``keep_session_key`` (the browser asking), revoke every API token and
    close every socket but that browser's. Django also refuses a session whose password hash no longer matches;
    this makes it immediate and visible in the lists."""
    with transaction.atomic():
        others = list(MemberSession.objects.filter(user=user).exclude(session_key=keep_session_key or ""))
        _end_sessions(user, others)
        ApiToken.objects.filter(user=user).delete()
        keep = session_credential(keep_session_key) if keep_session_key else None
        _close_sockets(user.pk, None, keep=keep)


def password_change(*, user: User, old_password: str, new_password: str, keep_session_key: str | None = None) -> None:
    """Change the password (the old one must be right; the new one passes the site's validators), sign out every
    other browser and revoke every API token. Raises ValidationError per field; changes nothing then."""
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": [gettext("Your current password is not right.")]})
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)})
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        sign_out_everywhere(user=user, keep_session_key=keep_session_key)


def password_was_reset(*, user: User) -> None:
    """A password was set from an emailed reset link: nobody keeps a way in made with the old one."""
    sign_out_everywhere(user=user)


class MemberPasswordResetForm(PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        """The mail in the member's own language (their profile's choice), else the site's current one."""
        language = getattr(context.get("user"), "language", "") or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)


def password_reset_send(*, email: str, request) -> None:
    """Mail a one-time link to choose a new password to the active member with this address, if there is one
    (the caller's answer never says which). The link is Django's token: it stops working once the password
    changes (so it works once) and after PASSWORD_RESET_TIMEOUT."""
    form = MemberPasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=request.is_secure(),
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        )
