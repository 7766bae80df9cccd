from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import ApiToken, Block, Follow, Guardianship, MemberSession, Notification, User, WatchDay

ADULT_AGE = 18


def count_subquery(queryset, field: str):
    """A correlated COUNT subquery (several of them do not multiply rows the way joined COUNTs do)."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def user_with_counts() -> QuerySet[User]:
    """Active members with their follower and following counts (a profile as shown adds the count of posts:
    feed.selectors.profile_get)."""
    return User.objects.filter(is_active=True).annotate(
        follower_count=count_subquery(Follow.objects.all(), "followee"),
        following_count=count_subquery(Follow.objects.all(), "follower"),
    )


def user_get_profile(*, username: str, viewer: User | None, queryset: QuerySet[User] | None = None) -> User | None:
    """The member with this handle (any case), with their counts and, for a signed-in viewer, whether the viewer
    follows or blocked them."""
    qs = user_with_counts() if queryset is None else queryset
    if viewer is not None and viewer.is_authenticated:
        qs = qs.annotate(
            followed_by_me=Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("pk"))),
            blocked_by_me=Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef("pk"))),
        )
    return qs.filter(username__iexact=username).first()


def is_blocked_between(a_id: int, b_id: int) -> bool:
    return Block.objects.filter(Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)).exists()


def blocked_user_ids(*, user_id: int) -> set[int]:
    """Everyone this user blocked or was blocked by."""
    ids = set()
    for blocker_id, blocked_id in Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list(
        "blocker_id", "blocked_id"
    ):
        ids.add(blocked_id if blocker_id == user_id else blocker_id)
    return ids


def is_following(*, follower_id: int, followee_id: int) -> bool:
    return Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists()


def are_mutuals(a_id: int, b_id: int) -> bool:
    return is_following(follower_id=a_id, followee_id=b_id) and is_following(follower_id=b_id, followee_id=a_id)


# --- age, suspension, guardians ------------------------------------------------------------------------------


def age_on(*, birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def user_is_teen(user, *, day: date | None = None) -> bool:
    """Under 18 by the birth date given at sign-up. Accounts without one (made before it was asked) are adults."""
    birth_date = getattr(user, "birth_date", None)
    if birth_date is None:
        return False
    return age_on(birth_date=birth_date, day=day or timezone.localdate()) < ADULT_AGE


def teen_birth_date_after(*, day: date | None = None) -> date:
    """Members born after this date are under 18 (the SQL form of ``user_is_teen``)."""
    day = day or timezone.localdate()
    try:
        return day.replace(year=day.year - ADULT_AGE)
    except ValueError:  # 29 February
        return day.replace(year=day.year - ADULT_AGE, day=28)


def user_suspended_until(user, *, now: datetime | None = None) -> datetime | None:
    """The end of the member's suspension, if one is in force now."""
    until = getattr(user, "suspended_until", None)
    if until is None or until <= (now or timezone.now()):
        return None
    return until


def guardianship_of(*, teen) -> Guardianship | None:
    """The guardian link in force (pending or active) of this member."""
    return (
        Guardianship.objects.select_related("guardian", "teen")
        .filter(teen_id=teen.pk, state__in=[Guardianship.State.PENDING, Guardianship.State.ACTIVE])
        .first()
    )


def guardianship_active(*, guardian, teen_username: str) -> Guardianship | None:
    """The accepted link between this guardian and the member with this handle."""
    return (
        Guardianship.objects.select_related("teen")
        .filter(guardian_id=guardian.pk, teen__username__iexact=teen_username, state=Guardianship.State.ACTIVE)
        .first()
    )


@dataclass(frozen=True)
class TeenLimits:
    username: str
    is_teen: bool
    daily_watch_limit_min: int
    default_daily_watch_limit_min: int
    cameo_use: str  # approved | only_me
    watched_today_min: float
    guardian: str | None


def teen_watch_limit_min(user) -> int:
    default = settings.TEEN_DAILY_WATCH_LIMIT_MIN
    own = getattr(user, "teen_watch_limit_min", None)
    return min(own, default) if own else default


def teen_limits_get(*, teen) -> TeenLimits:
    link = guardianship_of(teen=teen)
    return TeenLimits(
        username=teen.username,
        is_teen=user_is_teen(teen),
        daily_watch_limit_min=teen_watch_limit_min(teen),
        default_daily_watch_limit_min=settings.TEEN_DAILY_WATCH_LIMIT_MIN,
        cameo_use=teen.teen_cameo_use,
        watched_today_min=round(watched_today_s(user=teen) / 60, 1),
        guardian=link.guardian.username if link is not None and link.state == Guardianship.State.ACTIVE else None,
    )


# --- watch time of members under 18 (the feed's break reminder) -------------------------------------------------
# Counted per UTC day (WatchDay, written by accounts.services.watch_time_add when a member under 18 watches), so a
# view that started yesterday does not count today. The reminder is due once today's watching reaches the member's
# daily limit: settings.TEEN_DAILY_WATCH_LIMIT_MIN, or lower when a guardian lowered it.


def today_utc() -> date:
    return timezone.now().astimezone(dt_timezone.utc).date()


def watched_today_s(*, user) -> float:
    return WatchDay.objects.filter(user_id=user.pk, day=today_utc()).values_list("watch_s", flat=True).first() or 0.0


def break_reminder(*, user) -> dict | None:
    """``{"due", "watched_today_min", "limit_min"}`` for a member under 18; None for adults."""
    if not user_is_teen(user):
        return None
    watched_min = watched_today_s(user=user) / 60
    limit = teen_watch_limit_min(user)
    return {"due": watched_min >= limit, "watched_today_min": round(watched_min, 1), "limit_min": limit}


# --- notifications --------------------------------------------------------------------------------------------------


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk).select_related("actor")


def notifications_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


# --- credentials ------------------------------------------------------------------------------------------------


@dataclass
class Credentials:
    sessions: list  # MemberSession, with ``current``
    tokens: list  # ApiToken, with ``current``


def member_credentials(*, user: User, session_key: str | None = None, token_id: int | None = None) -> Credentials:
    """The member's signed-in browsers whose session is still alive, and their API tokens, newest first; the one
    asking is marked ``current``."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    sessions = list(MemberSession.objects.filter(user=user, session_key__in=alive))
    for s in sessions:
        s.current = s.session_key == session_key
    tokens = list(ApiToken.objects.filter(user=user))
    for t in tokens:
        t.current = t.pk == token_id
    return Credentials(sessions=sessions, tokens=tokens)
