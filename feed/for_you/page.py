"""One page of the For-you feed: which ranking it is cut from (kept, or computed now: see feed.for_you.stored,
"Serving"), the cursor of the next page, and the page's posts read with the visibility rule."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from functools import lru_cache

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Block, Follow, User
from core.errors import Invalid
from core.pagination import decode_cursor, encode_cursor

from ..models import Like, Post
from .candidates import blocked_ids
from .formula import weights
from .ranking import ranking_compute
from .stored import Stored, cache_key, local_rankings, ranking_cache, reasons

logger = logging.getLogger("feed.for_you")

MAX_FOR_YOU_OFFSET = 1000
RANKING_CACHE_S = 600  # a computed ranking is kept this long for the pages after the first
RANKING_FRESH_S = 90  # and reused by first pages while its snapshot is at most this old (stored.py, "Serving")


@dataclass
class FeedItem:
    post: Post
    reasons: list[str]


def _for_you_cursor(cursor: str) -> tuple[int, float]:
    """(offset, snapshot unix time) from a For-you cursor."""
    data = decode_cursor(cursor)
    try:
        offset, stamp = data["fy"]
        offset, stamp = int(offset), float(stamp)
        datetime.fromtimestamp(stamp, tz=dt_timezone.utc)
        if not 0 <= offset <= MAX_FOR_YOU_OFFSET:
            raise ValueError(offset)
    except (TypeError, KeyError, ValueError, OverflowError, OSError):
        raise Invalid(_("The page cursor is not valid. Start again from the first page."), code="bad_cursor")
    return offset, stamp


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return ranking_cache().get_many(keys)
    except Exception as exc:  # the cache only saves work: without it the ranking is computed again
        logger.warning("feed cache unavailable: %s", exc)
        return {}


def _cache_set(key: str, value) -> None:
    try:
        ranking_cache().set(key, value, RANKING_CACHE_S)
    except Exception as exc:
        logger.warning("feed cache unavailable: %s", exc)


def _servable(stored, *, version, now: float) -> bool:
    """Whether a kept ranking may serve a first page: computed from the user's current signals version, and fresh."""
    return (
        isinstance(stored, Stored)
        and version is not None
        and stored.version == version
        and 0 <= now - stored.snapshot <= RANKING_FRESH_S
    )


def _for_you_stored(*, user, stamp: float | None) -> tuple[Stored, set[int] | None]:
    """The ranking a page is cut from: for a first page, the user's latest one while it may serve (see
    feed.for_you.stored, "Serving"), else a new one as of now; for the next pages, the one their snapshot names. With
    it, the user's block set when this request read it, or None for a first page served from a kept ranking:
    a block changes the version, so that ranking was computed after the user's last block or unblock (and the
    page read checks blocks itself: see feed_for_you)."""
    local = local_rankings()
    latest_key = cache_key(user.pk)
    kept = local.get(user.pk)
    if stamp is None:
        # Read with the user when the request was authenticated, so before anything this request computes: a
        # ranking is never labelled with a version newer than the signals it was computed from.
        version = str(user.feed_version)
        moment = timezone.now()
        now = moment.timestamp()
        if _servable(kept, version=version, now=now):
            return kept, None
        latest = _cache_get_many([latest_key]).get(latest_key)
        if _servable(latest, version=version, now=now):
            local.put(user.pk, latest)
            return latest, None
        blocked = blocked_ids(user_id=user.pk)
        latest = ranking_compute(user=user, snapshot=moment, blocked=blocked, version=version)
        _cache_set(latest_key, latest)
        local.put(user.pk, latest)
        return latest, blocked
    blocked = blocked_ids(user_id=user.pk)
    if kept is not None and kept.snapshot == stamp:
        return kept, blocked
    snapshot = datetime.fromtimestamp(stamp, tz=dt_timezone.utc)
    older_key = cache_key(user.pk, snapshot=stamp)
    found = _cache_get_many([latest_key, older_key])
    for key in (latest_key, older_key):
        stored = found.get(key)
        if isinstance(stored, Stored) and stored.snapshot == stamp:
            return stored, blocked
    # Not kept any more (expired, the cache was down, or a newer first page replaced the user's latest one):
    # the same ranking again, computed for the same snapshot, kept beside the latest one.
    stored = ranking_compute(user=user, snapshot=snapshot, blocked=blocked, version="")
    stored.snapshot = stamp  # exactly the cursor's (the datetime rounds to microseconds)
    _cache_set(older_key, stored)
    return stored, blocked


@lru_cache(maxsize=4096)
def _for_you_next_cursor(end: int, snapshot: float) -> str:
    """The signed cursor of the page after ``end`` of a ranking: the same for every page cut there from it, so
    signed once per process."""
    return encode_cursor({"fy": [end, snapshot]})


def feed_for_you(*, user, cursor: str | None, size: int) -> tuple[list[FeedItem], str | None]:
    """One page of the ranked For-you feed: a slice of a ranking computed from a bounded candidate set as of a
    snapshot time (posts, likes and views after it do not move it), kept in the cache (Redis) so that the next
    pages, and the next first pages while it is fresh, are served from it (feed.for_you.stored, "Serving")."""
    offset, stamp = _for_you_cursor(cursor) if cursor else (0, None)
    stored, blocked = _for_you_stored(user=user, stamp=stamp)
    rows, end = stored.page(offset=offset, size=size, blocked=blocked or set())
    posts = for_you_page_posts(viewer=user, post_ids=stored.ids[rows].tolist())
    if blocked is None and len(posts) < len(rows):
        # A post of the page is not shown: deleted, taken down or hidden since the ranking, or by someone blocked
        # without the version changing (a block written other than through accounts.services, e.g. in the
        # admin). The page read leaves all of those out; the page is cut again without blocked authors, so that
        # it stays full.
        blocked = blocked_ids(user_id=user.pk)
        if blocked:
            rows, end = stored.page(offset=offset, size=size, blocked=blocked)
            posts = for_you_page_posts(viewer=user, post_ids=stored.ids[rows].tolist())
    items = []
    w = weights()
    for entry in stored.entries(rows):
        post = posts.get(entry.post_id)
        if post is not None:  # not deleted, taken down or no longer visible since the snapshot
            items.append(FeedItem(post, reasons(entry, author=post.author.username, w=w)))
    next_cursor = None
    if end is not None and end <= MAX_FOR_YOU_OFFSET:
        next_cursor = _for_you_next_cursor(end, stored.snapshot)
    return items, next_cursor


class PageAuthor:
    """An author as a page shows them (what UserSummarySerializer reads), without a model instance."""

    __slots__ = ("pk", "id", "username", "display_name", "avatar")

    def __init__(self, pk, username, display_name, avatar):
        self.pk = self.id = pk
        self.username, self.display_name, self.avatar = username, display_name, avatar  # avatar: the stored name


class PagePost:
    """A post as a For-you page shows it: the attributes PostOutputSerializer reads, without a model instance
    (building forty model instances a page cost more than the statement that reads them), made from a row of
    for_you_page_posts's SELECT (``COLUMNS``, then the author's username, display name and avatar, the parent's
    author and whether the viewer liked it). Files are their stored names."""

    COLUMNS = (
        "id", "author_id", "caption", "prompt", "prompt_public", "video", "poster", "remix_of_id", "root_id", "depth",
        "visibility", "state", "duration_s", "width", "height", "like_count", "comment_count", "remix_count",
        "descendant_count", "view_count", "created_at",
    )  # fmt: skip
    __slots__ = (*COLUMNS, "pk", "author", "remix_of_author", "liked_by_me")

    def __init__(self, row: tuple):
        (
            self.id, self.author_id, self.caption, self.prompt, prompt_public, self.video, self.poster,
            self.remix_of_id, self.root_id, self.depth, self.visibility, self.state, self.duration_s, self.width,
            self.height, self.like_count, self.comment_count, self.remix_count, self.descendant_count,
            self.view_count, created, username, display_name, avatar, self.remix_of_author, liked,
        ) = row  # fmt: skip
        self.pk = self.id
        if isinstance(created, str):  # SQLite without its converters: the stored text
            created = datetime.fromisoformat(created)
        self.created_at = created if created.tzinfo is not None else created.replace(tzinfo=dt_timezone.utc)
        self.prompt_public = bool(prompt_public)  # SQLite: 0 / 1
        self.liked_by_me = bool(liked)
        self.author = PageAuthor(self.author_id, username, display_name, avatar)


def for_you_page_posts(*, viewer, post_ids: list[int]) -> dict[int, PagePost]:
    """The page's posts that the viewer may see, with what their representation needs (the author, the parent's
    author, whether the viewer liked each one) in one statement: the For-you page read, which runs on every
    request, so it is written out rather than composed with the ORM (composing posts_for_display cost more than
    running it). The WHERE clause is feed.selectors.posts_visible_to's rule, blocks included (tests/feed check the two agree,
    and that the rows serialize exactly like the posts posts_for_display reads)."""
    if not post_ids:
        return {}
    post, users, follow, like = Post._meta.db_table, User._meta.db_table, Follow._meta.db_table, Like._meta.db_table
    block = Block._meta.db_table
    columns = ", ".join([*(f"p.{name}" for name in PagePost.COLUMNS), "a.username", "a.display_name", "a.avatar"])
    id_marks = ", ".join(["%s"] * len(post_ids))
    sql = (
        f"SELECT {columns}, CASE WHEN r.state = %s THEN ra.username END, "
        f"EXISTS(SELECT 1 FROM {like} l WHERE l.user_id = %s AND l.post_id = p.id) "
        f"FROM {post} p INNER JOIN {users} a ON a.id = p.author_id "
        f"LEFT OUTER JOIN {post} r ON r.id = p.remix_of_id LEFT OUTER JOIN {users} ra ON ra.id = r.author_id "
        f"WHERE p.id IN ({id_marks}) AND p.state = %s "
        f"AND (p.visibility = %s OR p.author_id = %s OR (p.visibility = %s AND EXISTS("
        f"SELECT 1 FROM {follow} f WHERE f.follower_id = %s AND f.followee_id = p.author_id))) "
        f"AND NOT EXISTS(SELECT 1 FROM {block} b WHERE b.blocker_id = %s AND b.blocked_id = p.author_id) "
        f"AND NOT EXISTS(SELECT 1 FROM {block} b WHERE b.blocker_id = p.author_id AND b.blocked_id = %s)"
    )
    published = Post.State.PUBLISHED
    params = [
        published, viewer.pk, *post_ids, published, Post.Visibility.PUBLIC, viewer.pk, Post.Visibility.FOLLOWERS,
        viewer.pk, viewer.pk, viewer.pk,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    posts = {}
    for row in raw:
        item = PagePost(row)
        posts[item.pk] = item
    return posts
