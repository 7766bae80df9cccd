"""Notifications: every app tells people things through ``notification_create`` (the row, then the live event to
the recipient's sockets after commit)."""

from __future__ import annotations

from django.utils import timezone

from core.events import send_to_user
from core.i18n import in_language_of, render

from ..models import Notification


def notification_create(
    *,
    recipient,
    kind: str,
    actor=None,
    post=None,
    text: str = "",
    message: str = "",
    params: dict | None = None,
    data: dict | None = None,
) -> Notification | None:
    """Record a notification and push it to the recipient's sockets after commit. Nobody is notified of their own
    acts. The sentence is ``message`` (an English message id, marked with ``gettext_noop``) with ``params``: kept
    as such, so it reads in each reader's language (``notification_text``); ``text`` is for a sentence that is
    not to be translated."""
    if actor is not None and actor.pk == recipient.pk:
        return None
    data = dict(data or {})
    if message:
        data.update({"message": message, "params": params or {}})
        with in_language_of(recipient):
            text = render(message, params)
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, kind=kind, post=post, text=text[:300], data=data
    )
    send_to_user(
        recipient.pk,
        {
            "type": "notification",
            "id": notification.pk,
            "kind": kind,
            "text": notification.text,
            "actor": actor.username if actor is not None else None,
            "post": post.pk if post is not None else None,
        },
    )
    return notification


def notification_text(notification: Notification) -> str:
    """The notification's sentence in the active language (the one it was written in when it has no message id)."""
    data = notification.data or {}
    if data.get("message"):
        return render(data["message"], data.get("params"))[:300]
    return notification.text


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read: these ids (others' ids are ignored), or all of them."""
    qs = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
