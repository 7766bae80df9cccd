"""Helpers shared by the cameo services: validation, storage names, sending work to the worker queue, and
notifications."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.db import transaction
from rest_framework import status

from accounts.models import User
from config.api import ApiError
from config.media import storage_delete  # noqa: F401  (re-exported for the cameo services)

from ..models import Cameo

logger = logging.getLogger("cameos.services")

MAX_CAMEOS_PER_USER = 20
MAX_PHOTOS = 5
NAME_MAX = 60
RESTRICTIONS_MAX = 500
CHALLENGE_TTL = timedelta(minutes=10)


# --- helpers --------------------------------------------------------------------------------------------------


def require_owner(*, user, cameo: Cameo) -> None:
    if cameo.owner_id != user.pk:
        raise ApiError("Only the cameo's owner can do that.", code="not_owner", status_code=status.HTTP_403_FORBIDDEN)


def user_by_handle(username: str) -> User:
    user = User.objects.filter(username__iexact=(username or "").strip().lstrip("@"), is_active=True).first()
    if user is None:
        raise ApiError("No account with that handle.", code="user_not_found", status_code=status.HTTP_404_NOT_FOUND)
    return user


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ApiError(
            "Give the cameo a name.", code="name_empty", extra={"errors": {"name": ["This field may not be blank."]}}
        )
    if len(name) > NAME_MAX:
        raise ApiError(f"The name is too long (at most {NAME_MAX} characters).", code="name_too_long")
    return name


def clean_permission(permission: str) -> str:
    if permission not in Cameo.Permission.values:
        raise ApiError(
            f"The permission must be one of {', '.join(Cameo.Permission.values)}.", code="permission_invalid"
        )
    return permission


def clean_restrictions(restrictions: str) -> str:
    restrictions = (restrictions or "").strip()
    if len(restrictions) > RESTRICTIONS_MAX:
        raise ApiError(
            f"The restrictions are too long (at most {RESTRICTIONS_MAX} characters).", code="restrictions_too_long"
        )
    return restrictions


def media_name(cameo_id: int, label: str, extension: str) -> str:
    return f"cameos/{cameo_id}/{label}-{secrets.token_hex(8)}.{extension}"


def enqueue(task_name: str, arg: int) -> None:
    """Send a cameo check to the CPU work queue (after commit; the web process never runs it)."""
    from .. import tasks

    task = getattr(tasks, task_name)

    def send() -> None:
        try:
            task.apply_async(args=[arg], queue="default")
        except Exception:
            logger.warning("could not queue %s(%s)", task_name, arg, exc_info=True)

    transaction.on_commit(send)


def notify(*, recipient, kind: str, text: str, actor=None, post=None, data: dict | None = None) -> None:
    from feed.services import notification_create

    notification_create(recipient=recipient, actor=actor, kind=kind, post=post, text=text[:300], data=data or {})
