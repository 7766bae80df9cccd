"""Members under 18: guardian links, the limits a guardian may lower, and today's watch time."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from core.errors import Conflict, Forbidden, Invalid, NotFound

from .. import signals
from ..models import Guardianship, Notification, User, WatchDay
from ..selectors import guardianship_of, is_blocked_between, today_utc, user_is_teen
from .notifications import notification_create


def guardian_invite(*, teen: User, username: str) -> Guardianship:
    """A member under 18 asks a parent's or guardian's account to link to theirs. One link at a time."""
    if not user_is_teen(teen):
        raise Forbidden(gettext("Only members under 18 can link a guardian account."), code="not_teen")
    guardian = User.objects.filter(username__iexact=(username or "").strip().lstrip("@"), is_active=True).first()
    if guardian is None:
        raise NotFound(gettext("No account with that handle."), code="user_not_found")
    if guardian.pk == teen.pk:
        raise Invalid(gettext("You cannot be your own guardian."), code="guardian_self")
    if user_is_teen(guardian) or guardian.birth_date is None:
        raise Invalid(
            gettext("@{username} cannot be a guardian: a guardian's account must give a birth date of 18 or more "
                    "years ago.").format(username=guardian.username),
            code="guardian_not_adult",
        )
    if is_blocked_between(teen.pk, guardian.pk):
        raise Forbidden(gettext("You cannot invite this account."), code="blocked")
    if guardianship_of(teen=teen) is not None:
        raise Conflict(
            gettext("You already have a guardian link (or an invitation waiting)."),
            code="guardian_exists",
        )
    try:
        with transaction.atomic():
            link = Guardianship.objects.create(teen=teen, guardian=guardian)
            notification_create(
                recipient=guardian,
                actor=teen,
                kind=Notification.Kind.SYSTEM,
                message=gettext_noop(
                    "@{actor} asks you to be their guardian on Riff: you would see and could lower their limits."
                ),
                params={"actor": teen.username},
                data={"guardianship": link.pk, "teen": teen.username},
            )
    except IntegrityError:
        raise Conflict(
            gettext("You already have a guardian link (or an invitation waiting)."),
            code="guardian_exists",
        )
    return link


def _guardian_link(*, guardian: User, teen_username: str, states) -> Guardianship:
    link = (
        Guardianship.objects.select_for_update()
        .select_related("teen", "guardian")
        .filter(guardian=guardian, teen__username__iexact=teen_username, state__in=states)
        .first()
    )
    if link is None:
        raise NotFound(
            gettext("You are not the guardian of @{teen_username}.").format(teen_username=teen_username),
            code="not_guardian",
        )
    return link


def guardian_accept(*, guardian: User, teen_username: str) -> Guardianship:
    with transaction.atomic():
        link = _guardian_link(guardian=guardian, teen_username=teen_username, states=[Guardianship.State.PENDING, Guardianship.State.ACTIVE])
        if link.state == Guardianship.State.PENDING:
            link.state = Guardianship.State.ACTIVE
            link.accepted_at = timezone.now()
            link.save(update_fields=["state", "accepted_at"])
            notification_create(
                recipient=link.teen,
                actor=guardian,
                kind=Notification.Kind.SYSTEM,
                message=gettext_noop("@{actor} is now your guardian on Riff."),
                params={"actor": guardian.username},
                data={"guardianship": link.pk},
            )
    return link


def guardian_end(*, user: User, teen_username: str | None = None) -> Guardianship:
    """The guardian ends the link (or declines the invitation); the member may withdraw a pending invitation.
    Limits already lowered stay as they are."""
    with transaction.atomic():
        if teen_username is None:
            link = (
                Guardianship.objects.select_for_update()
                .filter(teen=user, state=Guardianship.State.PENDING)
                .first()
            )
            if link is None:
                raise NotFound(
                    gettext("There is no invitation to withdraw (only your guardian can end an accepted link)."),
                    code="no_invitation",
                )
        else:
            link = _guardian_link(
                guardian=user, teen_username=teen_username, states=[Guardianship.State.PENDING, Guardianship.State.ACTIVE]
            )
        link.state = Guardianship.State.ENDED
        link.ended_at = timezone.now()
        link.save(update_fields=["state", "ended_at"])
    return link


def teen_limits_update(
    *, guardian: User, teen_username: str, daily_watch_limit_min: int | None = None, cameo_use: str | None = None
) -> User:
    """The guardian lowers the limits: a daily watch time from 1 minute up to the default (never above), and who
    may use the member's cameos (``approved`` people, the default, or ``only_me``). Pending uses of the member's
    cameos that lose consent stop at once."""
    default = settings.TEEN_DAILY_WATCH_LIMIT_MIN
    if daily_watch_limit_min is not None and not (1 <= daily_watch_limit_min <= default):
        raise Invalid(
            gettext("The daily watch time must be between 1 and {default} minutes (a guardian can lower it, not raise it "
                    "above the default).").format(default=default),
            code="limit_out_of_range",
        )
    if cameo_use is not None and cameo_use not in ("approved", "only_me"):
        raise Invalid(gettext("cameo_use must be approved or only_me."), code="cameo_use_invalid")
    with transaction.atomic():
        link = _guardian_link(guardian=guardian, teen_username=teen_username, states=[Guardianship.State.ACTIVE])
        teen = User.objects.select_for_update().get(pk=link.teen_id)
        if not user_is_teen(teen):
            raise Conflict(
                gettext("@{username} is 18 or older: their limits are their own now.").format(username=teen.username),
                code="not_teen",
            )
        fields = []
        if daily_watch_limit_min is not None:
            teen.teen_watch_limit_min = daily_watch_limit_min
            fields.append("teen_watch_limit_min")
        if cameo_use is not None:
            teen.teen_cameo_use = cameo_use
            fields.append("teen_cameo_use")
        if fields:
            teen.save(update_fields=fields)
        if cameo_use == "only_me":
            signals.cameo_use_narrowed.send(sender=User, user_id=teen.pk)
    return teen


def watch_time_add(*, user: User, watch_s: float) -> None:
    """Add to today's watch time of a member under 18 (UTC day: the break reminder, the guardian's view)."""
    day, _ = WatchDay.objects.get_or_create(user=user, day=today_utc())
    WatchDay.objects.filter(pk=day.pk).update(watch_s=F("watch_s") + watch_s)
