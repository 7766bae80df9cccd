"""Suspensions (decided by moderators, moderation.services): what a suspended member may not do."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import Forbidden

from ..models import User
from ..selectors import user_suspended_until


def user_check_not_suspended(*, user) -> None:
    """Refuse (403, with the date) what a suspended member may not do: generate, publish, comment."""
    until = user_suspended_until(user)
    if until is None:
        return
    message = _("Your account is suspended until {until} UTC: you cannot generate, publish or comment until then.")
    if user.suspension_reason:
        message += " " + _("Reason: {reason}").format(reason=user.suspension_reason)
    raise Forbidden(
        message.format(until=f"{until:%Y-%m-%d %H:%M}"),
        code="suspended",
        extra={"suspended_until": until.isoformat()},
    )


def user_suspend(*, user: User, until, reason: str) -> None:
    """Set the suspension (called by moderation.services inside its transaction)."""
    User.objects.filter(pk=user.pk).update(suspended_until=until, suspension_reason=reason[:500])
    user.suspended_until, user.suspension_reason = until, reason[:500]


def user_lift_suspension(*, user: User, until=None) -> bool:
    """End the suspension now (only the one ending at ``until``, when given). Returns whether one ended."""
    qs = User.objects.filter(pk=user.pk, suspended_until__isnull=False)
    if until is not None:
        qs = qs.filter(suspended_until=until)
    lifted = qs.update(suspended_until=None, suspension_reason="")
    if lifted:
        user.suspended_until, user.suspension_reason = None, ""
    return bool(lifted)
