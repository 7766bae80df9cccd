"""Template helpers for the web pages: the unread-notification badge and times written the way people say them."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts.selectors import notifications_unread_count
from feed.tags import spans

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The top bar's badge: one COUNT query per page, for signed-in people only."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return notifications_unread_count(user=user)


# What a notification says when the service stored no sentence for it (the websocket event and the API both carry
# the kind and the actor). static/js/dom.js has the same table.
NOTIFICATION_TEXT = {
    "follow": _("{actor} followed you."),
    "like": _("{actor} liked your clip."),
    "comment": _("{actor} commented on your clip."),
    "remix": _("{actor} remixed your clip."),
    "cameo_use": _("{actor} used your cameo."),
    "cameo_request": _("{actor} asked to use your cameo."),
    "cameo_approved": _("{actor} approved you to use their cameo."),
}


@register.filter
def notification_text(notification: dict) -> str:
    if notification.get("text"):
        return notification["text"]
    actor = notification.get("actor") or {}
    who = f"@{actor['username']}" if actor.get("username") else gettext("Someone")
    return str(NOTIFICATION_TEXT.get(notification.get("kind"), _("You have a new notification."))).format(actor=who)


def _as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return parse_datetime(value)
    return None


@register.filter
def ago(value) -> str:
    """“just now”, “5 min ago”, “3 h ago”, “2 d ago”, then the date (API timestamps arrive as ISO strings)."""
    moment = _as_datetime(value)
    if moment is None:
        return ""
    seconds = (timezone.now() - moment).total_seconds()
    if seconds < 60:
        return gettext("just now")
    if seconds < 3600:
        return gettext("%(n)s min ago") % {"n": int(seconds // 60)}
    if seconds < 86400:
        return gettext("%(n)s h ago") % {"n": int(seconds // 3600)}
    if seconds < 7 * 86400:
        return gettext("%(n)s d ago") % {"n": int(seconds // 86400)}
    return date_format(moment, "DATE_FORMAT")  # "Oct. 27, 2026", "27 octobre 2026"


@register.filter
def iso(value) -> str:
    moment = _as_datetime(value)
    return moment.isoformat() if moment else ""


@register.filter
def count(value) -> str:
    """Compact counts in the page's language: 999, 1.2K, 34K, 1.5M; in French 1,2 k, 34 k, 1,5 M."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return "0"
    if number < 1000:
        return str(number)
    french = (get_language() or "").startswith("fr")
    for limit, suffix in ((1_000_000, "M"), (1_000, "k" if french else "K")):
        if number >= limit:
            short = number / limit
            digits = f"{short:.1f}".rstrip("0").rstrip(".") if short < 10 else str(int(short))
            return f"{digits.replace('.', ',')}\u00a0{suffix}" if french else digits + suffix
    return str(number)


@register.filter
def hashtag_links(text: str):
    """The text, escaped, with each #tag a link to its page (static/js/dom.js ``taggedText`` does the same)."""
    text = text or ""
    out, last = [], 0
    for start, end, name in spans(text):
        out.append(escape(text[last:start]))
        out.append(format_html('<a class="tag" href="{}">{}</a>', reverse("tag-page", kwargs={"name": name}), text[start:end]))
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))
