"""Follows and blocks. What they change above this layer (the feed's rankings, consent to use cameos) travels
as the signals in accounts.signals, sent inside the transaction that makes the change."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from core.errors import Forbidden, Invalid

from .. import signals
from ..models import Block, Follow, Notification, User
from ..selectors import is_blocked_between
from .notifications import notification_create


def follow_create(*, follower: User, followee: User) -> bool:
    """Follow someone. Returns True if a new follow was made (following twice is a no-op)."""
    if follower.pk == followee.pk:
        raise Invalid(gettext("You cannot follow yourself."), code="follow_self")
    if is_blocked_between(follower.pk, followee.pk):
        raise Forbidden(gettext("You cannot follow this account."), code="blocked")
    with transaction.atomic():
        _, created = Follow.objects.get_or_create(follower=follower, followee=followee)
        if created:
            signals.relationship_changed.send(sender=Follow, user_ids=(follower.pk, followee.pk))
            notification_create(
                recipient=followee,
                actor=follower,
                kind=Notification.Kind.FOLLOW,
                message=gettext_noop("@{actor} started following you."),
                params={"actor": follower.username},
            )
    return created


def follow_delete(*, follower: User, followee: User) -> bool:
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
        if deleted:
            _relationship_ended(follower, followee)
    return bool(deleted)


def _relationship_ended(a: User, b: User) -> None:
    """An unfollow or a block: what the feed ranks for both changed, and consent to use each other's cameos (the
    mutuals level, blocks) may have ended, so the higher layers act on it in this transaction."""
    signals.relationship_changed.send(sender=User, user_ids=(a.pk, b.pk))
    signals.relationship_ended.send(sender=User, user_a_id=a.pk, user_b_id=b.pk)


def block_create(*, blocker: User, blocked: User) -> bool:
    """Block someone: removes follows both ways and prevents new ones."""
    if blocker.pk == blocked.pk:
        raise Invalid(gettext("You cannot block yourself."), code="block_self")
    with transaction.atomic():
        Follow.objects.filter(follower=blocker, followee=blocked).delete()
        Follow.objects.filter(follower=blocked, followee=blocker).delete()
        _, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        _relationship_ended(blocker, blocked)
    return created


def block_delete(*, blocker: User, blocked: User) -> bool:
    with transaction.atomic():
        deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
        if deleted:
            signals.relationship_changed.send(sender=Block, user_ids=(blocker.pk, blocked.pk))
    return bool(deleted)
