"""Live events over the channel layer, sent only after the surrounding transaction commits.

Events are plain dicts with a ``type`` (``job.progress``, ``job.status``, ``feed.new_posts``, ``post.counts``,
``notification``). The consumer forwards them to the socket unchanged.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def post_group(post_id: int) -> str:
    return f"post.{post_id}"


def send_now(group: str, event: dict, *, handler: str = "riff.event") -> None:
    """Send immediately (callers are outside a transaction, or this runs from on_commit). ``handler``: the
    consumer method that receives it (``riff.event`` forwards the event to the socket)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": handler, "event": event})
    except Exception:  # the REST API is the source of truth; a lost event is resynced by the client
        logger.warning("could not send %s to %s", event.get("type"), group, exc_info=True)


def send_on_commit(group: str, event: dict, *, handler: str = "riff.event") -> None:
    transaction.on_commit(lambda: send_now(group, event, handler=handler))


def send_to_user(user_id: int, event: dict) -> None:
    send_on_commit(user_group(user_id), event)


def send_to_users(user_ids, event: dict) -> None:
    ids = list(user_ids)
    transaction.on_commit(lambda: [send_now(user_group(uid), event) for uid in ids])
