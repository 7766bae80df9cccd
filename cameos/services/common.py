"""Helpers shared by the cameo services: validation, storage names, sending work to the worker queue, and
notifications."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notification_create
from core.errors import Forbidden, Invalid, NotFound

from ..models import Cameo

logger = logging.getLogger("cameos.services")

MAX_CAMEOS_PER_USER = 20
MAX_PHOTOS = 5
MIN_CHARACTER_PHOTOS = 3  # or a short clip: a pet, an object or a drawing seen from more than one side
NAME_MAX = 60
RESTRICTIONS_MAX = 500
CHALLENGE_TTL = timedelta(minutes=10)
# Voice a verification clip must hold to be worth checking (six digits read aloud take 2-3 s): less is silence.
MIN_UPLOAD_VOICE_S = 0.5


# --- helpers --------------------------------------------------------------------------------------------------


def require_owner(*, user, cameo: Cameo) -> None:
    if cameo.owner_id != user.pk:
        raise Forbidden(_("Only the cameo's owner can do that."), code="not_owner")


def user_by_handle(username: str) -> User:
    user = User.objects.filter(username__iexact=(username or "").strip().lstrip("@"), is_active=True).first()
    if user is None:
        raise NotFound(_("No account with that handle."), code="user_not_found")
    return user


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(
            _("Give the cameo a name."), code="name_empty", extra={"errors": {"name": [_("This field may not be blank.")]}}
        )
    if len(name) > NAME_MAX:
        raise Invalid(
            _("The name is too long (at most {most} characters).").format(most=NAME_MAX),
            code="name_too_long",
        )
    return name


def clean_permission(permission: str) -> str:
    if permission not in Cameo.Permission.values:
        raise Invalid(
            _("The permission must be one of {values}.").format(values=', '.join(Cameo.Permission.values)),
            code="permission_invalid",
        )
    return permission


def clean_restrictions(restrictions: str) -> str:
    restrictions = (restrictions or "").strip()
    if len(restrictions) > RESTRICTIONS_MAX:
        raise Invalid(
            _("The restrictions are too long (at most {most} characters).").format(
                most=RESTRICTIONS_MAX
            ),
            code="restrictions_too_long",
        )
    return restrictions


def media_name(cameo_id: int, label: str, extension: str) -> str:
    return f"cameos/{cameo_id}/{label}-{secrets.token_hex(8)}.{extension}"


def notify(*, recipient, kind: str, message: str, params: dict, actor=None, post=None, data: dict | None = None) -> None:
    notification_create(
        recipient=recipient, actor=actor, kind=kind, post=post, message=message, params=params, data=data or {}
    )
