"""Notifications: every app tells people things through ``notification_create`` (the row, then the live event to
the recipient's sockets after commit)."""

from __future__ import annotations

from django.utils import timezone

from core.events import send_to_user

from ..models import Notification


def notification_create(
    *, recipient, kind: str, actor=None, post=None, text: str = "", data: dict | None = None
) -> Notification | None:
    """Record a notification and push it to the recipient's sockets after commit. Nobody is notified of their own acts."""
    if actor is not None and actor.pk == recipient.pk:
        return None
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, kind=kind, post=post, text=text, data=data or {}
    )
    send_to_user(
        recipient.pk,
        {
            "type": "notification",
            "id": notification.pk,
            "kind": kind,
            "text": text,
            "actor": actor.username if actor is not None else None,
            "post": post.pk if post is not None else None,
        },
    )
    return notification


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read: these ids (others' ids are ignored), or all of them."""
    qs = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
