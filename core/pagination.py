"""Cursor pagination for every list: ``{"results": [...], "next": <cursor or null>}``.

A cursor is an opaque, signed token; a malformed one is a 400 with a message, never a 500.
"""

from __future__ import annotations

from django.core import signing
from django.utils.translation import gettext as _

from core.errors import Invalid

_SIGNER = signing.Signer(salt="riff.cursor")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 50


def encode_cursor(payload) -> str:
    return _SIGNER.sign_object(payload, compress=True)


def decode_cursor(cursor: str | None):
    if not cursor:
        return None
    try:
        return _SIGNER.unsign_object(cursor)
    except (signing.BadSignature, ValueError, TypeError):
        raise Invalid(_("The page cursor is not valid. Start again from the first page."), code="bad_cursor")


def decode_cursor_as(cursor: str | None, shape) -> object:
    """``decode_cursor``, and a 400 unless ``shape(value)`` says the value has the form the caller wrote: a signed
    cursor from another endpoint (or an older version) is refused with the same message as a forged one."""
    value = decode_cursor(cursor)
    if value is not None and not shape(value):
        raise Invalid(_("The page cursor is not valid. Start again from the first page."), code="bad_cursor")
    return value


def page_size(request, default: int = DEFAULT_PAGE_SIZE) -> int:
    raw = request.query_params.get("page_size")
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        raise Invalid(_("page_size must be a number."), code="bad_page_size")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise Invalid(
            _("page_size must be between 1 and {most}.").format(most=MAX_PAGE_SIZE),
            code="bad_page_size",
        )
    return size


def keyset_page(
    queryset, *, request, order_field: str = "created_at", default_size: int = DEFAULT_PAGE_SIZE, descending: bool = True
):
    """Keyset pagination on (order_field, id), newest first (or oldest first); ``order_field`` is a time or a
    number (a score). Returns (items, next_cursor)."""
    from django.db.models import Q

    size = page_size(request, default_size)
    cursor = decode_cursor(request.query_params.get("cursor"))
    sign, beyond = ("-", "lt") if descending else ("", "gt")
    qs = queryset.order_by(f"{sign}{order_field}", f"{sign}id")
    if cursor is not None:
        try:
            value, last_id = cursor
        except (TypeError, ValueError):
            raise Invalid(_("The page cursor is not valid. Start again from the first page."), code="bad_cursor")
        from django.utils.dateparse import parse_datetime

        if isinstance(value, str):
            parsed = parse_datetime(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):  # a score
            parsed = value
        else:
            parsed = None
        if parsed is None or not isinstance(last_id, int) or isinstance(last_id, bool):
            raise Invalid(_("The page cursor is not valid. Start again from the first page."), code="bad_cursor")
        qs = qs.filter(Q(**{f"{order_field}__{beyond}": parsed}) | Q(**{order_field: parsed, f"id__{beyond}": last_id}))
    items = list(qs[: size + 1])
    next_cursor = None
    if len(items) > size:
        items = items[:size]
        last = items[-1]
        value = getattr(last, order_field)
        next_cursor = encode_cursor([value.isoformat() if hasattr(value, "isoformat") else value, last.pk])
    return items, next_cursor
