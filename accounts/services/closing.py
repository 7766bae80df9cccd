"""Closing a member's account and erasing what accounts holds about them (privacy runs these; the other apps
have their own parts).

A closed account cannot sign in (``is_active`` off), its tokens and sessions are gone and its sockets closed;
its profile is no longer shown (profiles read active members only). Erasure deletes the member's relationships,
notifications, credentials and avatar, and turns the user row into a tombstone: no handle, name, email, birth
date or password, kept only so that records the operator must keep (moderation decisions) still point at one
anonymous id.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from core.media import storage_delete_tree

from ..models import ApiToken, Block, Follow, Guardianship, MemberSession, Notification, User, WatchDay
from .credentials import sign_out_everywhere


def tombstone_handle(user_id: int) -> str:
    """A handle no member can choose (handles have no hyphen), so it never collides with a real one."""
    return f"deleted-{user_id}"


def member_close(*, user: User) -> None:
    """Closing: no sign-in, every session and token revoked, every socket closed."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        sign_out_everywhere(user=user)


def member_reopen(*, user: User) -> None:
    """The member cancelled the deletion during its grace period."""
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True


def member_accounts_erase(*, user: User) -> dict[str, int]:
    """Delete what accounts holds about the member, then anonymise the row. Idempotent."""
    with transaction.atomic():
        counts = {
            "follows": Follow.objects.filter(Q(follower_id=user.pk) | Q(followee_id=user.pk)).delete()[0],
            "blocks": Block.objects.filter(Q(blocker_id=user.pk) | Q(blocked_id=user.pk)).delete()[0],
            "guardianships": Guardianship.objects.filter(Q(teen_id=user.pk) | Q(guardian_id=user.pk)).delete()[0],
            "watch_days": WatchDay.objects.filter(user_id=user.pk).delete()[0],
            "notifications": Notification.objects.filter(Q(recipient_id=user.pk) | Q(actor_id=user.pk)).delete()[0],
            "api_tokens": ApiToken.objects.filter(user_id=user.pk).delete()[0],
            "sessions": MemberSession.objects.filter(user_id=user.pk).delete()[0],
        }
    counts["avatar_files"] = storage_delete_tree(f"avatars/{user.pk}")
    return counts


def member_anonymise(*, user: User) -> None:
    """The last step: the row keeps its id and nothing else about the person."""
    User.objects.filter(pk=user.pk).update(
        username=tombstone_handle(user.pk), email="", first_name="", last_name="", display_name="", bio="",
        avatar="", birth_date=None, language="", password="!", is_active=False, is_staff=False,
        is_superuser=False, last_login=None, suspended_until=None, suspension_reason="",
    )
    user.groups.clear()
    user.user_permissions.clear()
