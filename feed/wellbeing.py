"""Reads for members under 18: today's watch time and the feed's break reminder.

Watch time is counted per UTC day (feed.models.WatchDay, written by feed.services.view_record for members under
18), so a view that started yesterday does not count today. The reminder is due once today's watching reaches
the member's daily limit: settings.TEEN_DAILY_WATCH_LIMIT_MIN, or lower when a guardian lowered it.
"""

from __future__ import annotations

from datetime import timezone as dt_timezone

from django.utils import timezone

from accounts.selectors import teen_watch_limit_min, user_is_teen

from .models import WatchDay


def today_utc():
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
