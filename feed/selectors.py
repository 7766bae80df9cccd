"""Reads for the feed: visibility, the three tabs, remixes and lineage, comments, notifications.

Every list is built from a fixed number of queries whatever its length (related rows are joined or annotated,
never fetched per item).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from functools import lru_cache

import numpy as np
from django.db import connection
from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from rest_framework import status

from accounts.models import Block, Follow, User
from accounts.selectors import blocked_user_ids
from config.api import ApiError
from config.pagination import decode_cursor, encode_cursor

from . import ranking
from .candidates import Preference, blocked_ids, candidate_rows, engaged_rows, preference_row
from .embeddings import DIM
from .models import Comment, FeedPreference, Like, Notification, Post
from .topics import topic_for_term

logger = logging.getLogger(__name__)

MAX_FOR_YOU_OFFSET = 1000
RANKING_CACHE_S = 600  # a computed ranking is kept this long for the pages after the first
RANKING_FRESH_S = 90  # and reused by first pages while its snapshot is at most this old (feed.ranking, "Serving")
INLINE_REPLIES = 3
LINEAGE_MAX_DEPTH = 5
LINEAGE_LEVEL_CAP = 30  # descendants shown per level of the lineage tree


def _authenticated(user) -> bool:
    return user is not None and user.is_authenticated


def posts_visible_to(*, user, blocked: set[int] | None = None) -> QuerySet[Post]:
    """Published posts this user may see: public ones, followers-only ones of people they follow, their own;
    never posts of someone they blocked or who blocked them. ``blocked``: the user's block set when the caller
    has already read it (accounts.selectors.blocked_user_ids)."""
    qs = Post.objects.filter(state=Post.State.PUBLISHED)
    if not _authenticated(user):
        return qs.filter(visibility=Post.Visibility.PUBLIC)
    if blocked is None:
        blocked = blocked_user_ids(user_id=user.pk)
    qs = qs.filter(
        Q(visibility=Post.Visibility.PUBLIC)
        | Q(author_id=user.pk)
        | Q(
            Exists(Follow.objects.filter(follower_id=user.pk, followee_id=OuterRef("author_id"))),
            visibility=Post.Visibility.FOLLOWERS,
        )
    )
    if blocked:
        qs = qs.exclude(author_id__in=blocked)
    return qs


def post_visible_to(*, post_id: int, user) -> bool:
    return posts_visible_to(user=user).filter(pk=post_id).exists()


def posts_for_display(*, viewer, queryset: QuerySet[Post] | None = None, blocked: set[int] | None = None) -> QuerySet[Post]:
    """Visible posts with everything their representation needs, in the same query: the author, the parent's
    author ("remix of @ana") and whether the viewer liked each one."""
    qs = posts_visible_to(user=viewer, blocked=blocked) if queryset is None else queryset
    qs = (
        qs.select_related("author")
        .defer("embedding")
        .annotate(
            remix_of_author=Case(
                When(remix_of__state=Post.State.PUBLISHED, then=F("remix_of__author__username")),
                default=Value(None),
                output_field=CharField(),
            )
        )
    )
    if _authenticated(viewer):
        qs = qs.annotate(liked_by_me=Exists(Like.objects.filter(user_id=viewer.pk, post_id=OuterRef("pk"))))
    return qs


def post_get_visible(*, post_id: int, user) -> Post:
    post = posts_for_display(viewer=user).filter(pk=post_id).first()
    if post is None:
        raise ApiError("There is no such post.", code="not_found", status_code=status.HTTP_404_NOT_FOUND)
    return post


# --- tabs --------------------------------------------------------------------------------------------------------


def feed_latest(*, user) -> QuerySet[Post]:
    return posts_for_display(viewer=user)


def feed_following(*, user) -> QuerySet[Post]:
    return posts_for_display(viewer=user).filter(
        author_id__in=Follow.objects.filter(follower_id=user.pk).values("followee_id")
    )


def user_posts(*, username: str, viewer) -> QuerySet[Post]:
    """The profile grid: the member's posts this viewer may see (none when either blocked the other)."""
    author = User.objects.filter(username__iexact=username, is_active=True).only("id").first()
    if author is None:
        raise ApiError("No account with that handle.", code="not_found", status_code=status.HTTP_404_NOT_FOUND)
    return posts_for_display(viewer=viewer).filter(author_id=author.pk)


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
        raise ApiError("The page cursor is not valid. Start again from the first page.", code="bad_cursor")
    return offset, stamp


def _steering(preference: FeedPreference | Preference | None) -> ranking.Steering:
    if preference is None:
        return ranking.Steering()
    steering = ranking.Steering(more_terms=list(preference.more_terms), less_terms=list(preference.less_terms))
    for name in ("more", "less"):
        blob = getattr(preference, f"{name}_vectors")
        terms = getattr(steering, f"{name}_terms")
        if blob and terms:
            matrix = np.frombuffer(bytes(blob), dtype=np.float32)
            if matrix.size == len(terms) * DIM:
                setattr(steering, f"{name}_vectors", matrix.reshape(len(terms), DIM))
    return steering


def _taste(*, user, snapshot: datetime, history: int) -> tuple[np.ndarray | None, list[int], dict[int, float]]:
    """(taste vector, the topics of what the user enjoyed, {post id: 1 liked / 0.5 watched to the end})."""
    rows = engaged_rows(user=user, snapshot=snapshot, history=history)
    matrix, present = ranking.vectors([row[1] for row in rows], DIM)
    taste = ranking.mean_direction(matrix[present])
    topics = Counter(t for row in rows for t in (row[2], row[3]) if t is not None)
    engaged = {row[0]: 1.0 if row[4] else 0.5 for row in rows}
    return taste, [topic for topic, _ in topics.most_common(3)], engaged


def _candidates(
    *, user, snapshot: datetime, topics: list[int], engaged: dict[int, float], with_text: bool, blocked: set[int]
) -> ranking.Candidates:
    """The candidate rows as column arrays, keeping only posts the user may see (the same rule as
    posts_visible_to, applied to the rows; the page itself is read with that rule again)."""
    table = candidate_rows(
        user=user, snapshot=snapshot, topics=topics, engaged_ids=list(engaged), pools=ranking.weights(), with_text=with_text
    )
    visible = table.published & (
        (table.visibility == Post.Visibility.PUBLIC) | ((table.visibility == Post.Visibility.FOLLOWERS) & table.followed)
    )
    if blocked:
        visible &= ~np.isin(table.author_ids, np.fromiter(blocked, dtype=np.int64, count=len(blocked)))
    table = table.take(np.flatnonzero(visible))
    w = ranking.weights()
    engagement = (
        float(w["engagement_like"]) * table.like_count
        + float(w["engagement_comment"]) * table.comment_count
        + float(w["engagement_remix"]) * table.remix_count
        + float(w["engagement_view"]) * table.view_count
    )
    matrix, present = ranking.vectors(table.embeddings, DIM)
    remix_of_engaged = np.zeros(len(table), dtype=np.float32)
    if engaged:
        for i, (parent, root) in enumerate(zip(table.remix_of_ids, table.root_ids)):
            remix_of_engaged[i] = max(engaged.get(parent, 0.0), engaged.get(root, 0.0))
    return ranking.Candidates(
        ids=table.ids,
        authors=table.author_ids,
        roots=np.fromiter((root or own for root, own in zip(table.root_ids, table.ids.tolist())), dtype=np.int64, count=len(table)),
        age_s=np.maximum(snapshot.timestamp() - table.created_ts, 0.0),
        engagement=engagement.astype(np.float64),
        followed=table.followed.astype(np.float32),
        seen=(table.viewed | table.liked).astype(np.float32),
        completed=table.completed.astype(np.float32),
        remix_of_engaged=remix_of_engaged,
        cameo_owner=table.cameo_owner,
        embeddings=matrix,
        has_embedding=present,
        texts=table.texts,
    )


def _for_you_ranking(*, user, snapshot: datetime, blocked: set[int], version: str) -> ranking.Stored:
    preference = preference_row(user_id=user.pk)
    steering = _steering(preference)
    taste, topics, engaged = _taste(user=user, snapshot=snapshot, history=int(ranking.weights()["taste_history"]))
    if preference is not None:
        topics = list(dict.fromkeys([*topics, *preference.more_topics]))
    topics += [t for t in (topic_for_term(term) for term in steering.more_terms) if t is not None and t not in topics]
    candidates = _candidates(
        user=user,
        snapshot=snapshot,
        topics=topics,
        engaged=engaged,
        with_text=bool(steering.more_terms or steering.less_terms),
        blocked=blocked,
    )
    ranked = ranking.rank(candidates, taste=taste, steering=steering)
    return ranking.stored(ranked, candidates, steering, snapshot=snapshot.timestamp(), version=version)


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return ranking.ranking_cache().get_many(keys)
    except Exception as exc:  # the cache only saves work: without it the ranking is computed again
        logger.warning("feed cache unavailable: %s", exc)
        return {}


def _cache_set(key: str, value) -> None:
    try:
        ranking.ranking_cache().set(key, value, RANKING_CACHE_S)
    except Exception as exc:
        logger.warning("feed cache unavailable: %s", exc)


def _servable(stored, *, version, now: float) -> bool:
    """Whether a kept ranking may serve a first page: computed from the user's current signals version, and fresh."""
    return (
        isinstance(stored, ranking.Stored)
        and version is not None
        and stored.version == version
        and 0 <= now - stored.snapshot <= RANKING_FRESH_S
    )


def _for_you_stored(*, user, stamp: float | None) -> tuple[ranking.Stored, set[int] | None]:
    """The ranking a page is cut from: for a first page, the user's latest one while it may serve (see
    feed.ranking, "Serving"), else a new one as of now; for the next pages, the one their snapshot names. With
    it, the user's block set when this request read it, or None for a first page served from a kept ranking:
    a block changes the version, so that ranking was computed after the user's last block or unblock (and the
    page read checks blocks itself: see feed_for_you)."""
    local = ranking.local_rankings()
    latest_key = ranking.cache_key(user.pk)
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
        latest = _for_you_ranking(user=user, snapshot=moment, blocked=blocked, version=version)
        _cache_set(latest_key, latest)
        local.put(user.pk, latest)
        return latest, blocked
    blocked = blocked_ids(user_id=user.pk)
    if kept is not None and kept.snapshot == stamp:
        return kept, blocked
    snapshot = datetime.fromtimestamp(stamp, tz=dt_timezone.utc)
    older_key = ranking.cache_key(user.pk, snapshot=stamp)
    found = _cache_get_many([latest_key, older_key])
    for key in (latest_key, older_key):
        stored = found.get(key)
        if isinstance(stored, ranking.Stored) and stored.snapshot == stamp:
            return stored, blocked
    # Not kept any more (expired, the cache was down, or a newer first page replaced the user's latest one):
    # the same ranking again, computed for the same snapshot, kept beside the latest one.
    stored = _for_you_ranking(user=user, snapshot=snapshot, blocked=blocked, version="")
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
    pages, and the next first pages while it is fresh, are served from it (feed.ranking, "Serving")."""
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
    w = ranking.weights()
    for entry in stored.entries(rows):
        post = posts.get(entry.post_id)
        if post is not None:  # not deleted, taken down or no longer visible since the snapshot
            items.append(FeedItem(post, ranking.reasons(entry, author=post.author.username, w=w)))
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
    running it). The WHERE clause is posts_visible_to's rule, blocks included (tests/feed check the two agree,
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


# --- remixes and lineage -------------------------------------------------------------------------------------


def post_remixes(*, post: Post, viewer) -> QuerySet[Post]:
    return posts_for_display(viewer=viewer).filter(remix_of_id=post.pk)


@dataclass
class LineageNode:
    post: Post
    children: list["LineageNode"]


@dataclass
class Lineage:
    post: Post
    ancestors: list  # root first: a Post, or the id of one the viewer cannot see (deleted, private, blocked)
    children: list[LineageNode]
    depth: int


def ancestor_ids(post: Post) -> list[int]:
    """The remix chain above a post, root first."""
    ids = [int(i) for i in post.ancestors or []]
    if post.remix_of_id is None or (ids and ids[-1] == post.remix_of_id):
        return ids
    # A post stored without its chain: follow the parent links (one small query per level, bounded).
    chain, current = [], post.remix_of_id
    while current is not None and current not in chain and len(chain) < 100:
        chain.append(current)
        current = Post.objects.filter(pk=current).values_list("remix_of_id", flat=True).first()
    return chain[::-1]


def post_lineage(*, post: Post, viewer, depth: int) -> Lineage:
    """Ancestors up to the root, and the remixes below the post, ``depth`` levels deep (the most remixed and most
    liked first, at most LINEAGE_LEVEL_CAP per level). Each node's remix_count and descendant_count give the
    full counts, including what is not shown."""
    depth = max(1, min(depth, LINEAGE_MAX_DEPTH))
    chain = ancestor_ids(post)
    visible = {p.pk: p for p in posts_for_display(viewer=viewer).filter(pk__in=chain)} if chain else {}
    ancestors = [visible.get(i, i) for i in chain]
    nodes: dict[int, LineageNode] = {post.pk: LineageNode(post, [])}
    parents = [post.pk]
    for _ in range(depth):
        if not parents:
            break
        level = list(
            posts_for_display(viewer=viewer)
            .filter(remix_of_id__in=parents)
            .order_by("-remix_count", "-like_count", "-created_at", "-id")[:LINEAGE_LEVEL_CAP]
        )
        for child in level:
            node = LineageNode(child, [])
            nodes[child.pk] = node
            nodes[child.remix_of_id].children.append(node)
        parents = [child.pk for child in level]
    return Lineage(post=post, ancestors=ancestors, children=nodes[post.pk].children, depth=depth)


# --- comments --------------------------------------------------------------------------------------------------


def comments_visible_to(*, post: Post, viewer) -> QuerySet[Comment]:
    qs = Comment.objects.filter(post_id=post.pk).select_related("author")
    if _authenticated(viewer):
        blocked = blocked_user_ids(user_id=viewer.pk)
        if blocked:
            qs = qs.exclude(author_id__in=blocked)
    return qs


def post_comments(*, post: Post, viewer, parent_id: int | None = None) -> QuerySet[Comment]:
    """Top-level comments (with their reply counts), or the replies of one comment."""
    qs = comments_visible_to(post=post, viewer=viewer)
    if parent_id is not None:
        return qs.filter(parent_id=parent_id)
    replies = Comment.objects.filter(parent_id=OuterRef("pk")).order_by().values("parent_id").annotate(n=Count("id")).values("n")
    return qs.filter(parent__isnull=True).annotate(reply_count=Coalesce(Subquery(replies, output_field=IntegerField()), 0))


def comment_replies_inline(*, post: Post, viewer, parent_ids: list[int]) -> dict[int, list[Comment]]:
    """The first INLINE_REPLIES replies of each of these comments, in one query."""
    if not parent_ids:
        return {}
    qs = (
        comments_visible_to(post=post, viewer=viewer)
        .filter(parent_id__in=parent_ids)
        .annotate(position=Window(RowNumber(), partition_by=[F("parent_id")], order_by=[F("created_at").asc(), F("id").asc()]))
        .filter(position__lte=INLINE_REPLIES)
        .order_by("created_at", "id")
    )
    grouped: dict[int, list[Comment]] = {pid: [] for pid in parent_ids}
    for reply in qs:
        grouped[reply.parent_id].append(reply)
    return grouped


# --- notifications -----------------------------------------------------------------------------------------------


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk).select_related("actor")


def notifications_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def feed_preference_get(*, user) -> FeedPreference | None:
    return FeedPreference.objects.filter(user_id=user.pk).first()
