"""Writes for the feed: posts (``posts``), what people do with them (``engagement``: likes, comments, views,
reports) and what the For-you ranking reads about a member (``preferences``: the signals version, the steering
text)."""

from .engagement import (
    MAX_COMMENT,
    MAX_REPORT,
    MAX_WATCH_S,
    comment_create,
    like_create,
    like_delete,
    report_create,
    view_record,
)
from .members import member_feed_erase
from .posts import (
    MAX_CAPTION,
    post_create,
    post_delete,
    post_restore,
    post_take_down,
    post_update,
    posts_return_for_author,
    posts_withdraw_for_author,
)
from .preferences import feed_preference_set, feed_signals_changed

__all__ = [
    "MAX_CAPTION",
    "MAX_COMMENT",
    "MAX_REPORT",
    "MAX_WATCH_S",
    "comment_create",
    "feed_preference_set",
    "feed_signals_changed",
    "like_create",
    "like_delete",
    "member_feed_erase",
    "post_create",
    "post_delete",
    "post_restore",
    "posts_return_for_author",
    "posts_withdraw_for_author",
    "post_take_down",
    "post_update",
    "report_create",
    "view_record",
]
