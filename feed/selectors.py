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

import numpy as np
from django.core.cache import cache
from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from rest_framework import status

from accounts.models import Follow, User
from accounts.selectors import blocked_user_ids, following_ids
from config.api import ApiError
from config.pagination import decode_cursor, encode_cursor

from . import ranking
from .candidates import candidate_rows, engaged_rows
from .embeddings import DIM
from .models import Comment, FeedPreference, Like, Notification, Post
from .topics import topic_for_term

logger = logging.getLogger(__name__)

MAX_FOR_YOU_OFFSET = 1000
RANKING_CACHE_S = 600
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


def _for_you_cursor(cursor: str | None) -> tuple[int, datetime]:
    data = decode_cursor(cursor)
    if data is None:
        return 0, timezone.now()
    try:
        offset, stamp = data["fy"]
        offset = int(offset)
        snapshot = datetime.fromtimestamp(float(stamp), tz=dt_timezone.utc)
        if not 0 <= offset <= MAX_FOR_YOU_OFFSET:
            raise ValueError(offset)
    except (TypeError, KeyError, ValueError, OverflowError, OSError):
        raise ApiError("The page cursor is not valid. Start again from the first page.", code="bad_cursor")
    return offset, snapshot


def _steering(preference: FeedPreference | None) -> ranking.Steering:
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
    *, user, snapshot: datetime, topics: list[int], engaged: dict[int, float], with_text: bool, following: set[int], blocked: set[int]
) -> ranking.Candidates:
    """The candidate rows as column arrays, keeping only posts the user may see (the same rule as
    posts_visible_to, applied to the rows; the page itself is read through posts_visible_to)."""
    rows = [
        row
        for row in candidate_rows(
            user=user, snapshot=snapshot, topics=topics, engaged_ids=list(engaged), pools=ranking.weights(), with_text=with_text
        )
        if row.state == Post.State.PUBLISHED
        and row.author_id not in blocked
        and (
            row.visibility == Post.Visibility.PUBLIC
            or (row.visibility == Post.Visibility.FOLLOWERS and row.author_id in following)
        )
    ]
    n = len(rows)
    w = ranking.weights()
    snap = snapshot.timestamp()

    def column(values, dtype):
        return np.fromiter(values, dtype=dtype, count=n)

    engagement = column(
        (
            float(w["engagement_like"]) * r.like_count
            + float(w["engagement_comment"]) * r.comment_count
            + float(w["engagement_remix"]) * r.remix_count
            + float(w["engagement_view"]) * r.view_count
            for r in rows
        ),
        np.float64,
    )
    matrix, present = ranking.vectors([r.embedding for r in rows], DIM)
    return ranking.Candidates(
        ids=column((r.id for r in rows), np.int64),
        authors=column((r.author_id for r in rows), np.int64),
        roots=column((r.root_id or r.id for r in rows), np.int64),
        age_s=np.maximum(column((snap - r.created_ts for r in rows), np.float64), 0.0),
        engagement=engagement,
        followed=column((r.author_id in following for r in rows), np.float32),
        seen=column((r.viewed or r.liked for r in rows), np.float32),
        completed=column((r.completed for r in rows), np.float32),
        remix_of_engaged=column(
            (max(engaged.get(r.remix_of_id, 0.0), engaged.get(r.root_id, 0.0)) for r in rows), np.float32
        ),
        cameo_owner=[r.cameo_owner for r in rows],
        embeddings=matrix,
        has_embedding=present,
        texts=[r.text for r in rows],
    )


def _for_you_ranking(*, user, snapshot: datetime, blocked: set[int]) -> list[ranking.Entry]:
    preference = FeedPreference.objects.filter(user_id=user.pk).first()
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
        following=following_ids(user_id=user.pk),
        blocked=blocked,
    )
    return ranking.entries(ranking.rank(candidates, taste=taste, steering=steering), candidates, steering)


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception as exc:  # the cache only saves work: without it the ranking is computed again
        logger.warning("feed cache unavailable: %s", exc)
        return None


def _cache_set(key: str, value) -> None:
    try:
        cache.set(key, value, RANKING_CACHE_S)
    except Exception as exc:
        logger.warning("feed cache unavailable: %s", exc)


def feed_for_you(*, user, cursor: str | None, size: int) -> tuple[list[FeedItem], str | None]:
    """One page of the ranked For-you feed. The ranking is computed from a bounded candidate set as of the
    snapshot time carried by the cursor (posts, likes and views after it do not move it) and kept in the cache
    (Redis) for RANKING_CACHE_S, so the next pages are slices of the same list; where the cache does not have it
    (expired, or the cache is down) it is computed again for the same snapshot."""
    offset, snapshot = _for_you_cursor(cursor)
    key = f"feed:for_you:{user.pk}:{snapshot.timestamp():.6f}"
    blocked = blocked_user_ids(user_id=user.pk)
    ranked = _cache_get(key) if offset else None
    if ranked is None:
        ranked = _for_you_ranking(user=user, snapshot=snapshot, blocked=blocked)
        _cache_set(key, ranked)
    page = ranked[offset : offset + size]
    visible = posts_for_display(viewer=user, blocked=blocked).filter(pk__in=[e.post_id for e in page])
    posts = {post.pk: post for post in visible}
    items = [
        FeedItem(posts[entry.post_id], ranking.reasons(entry, author=posts[entry.post_id].author.username))
        for entry in page
        if entry.post_id in posts  # not deleted, taken down or blocked since the snapshot
    ]
    end = offset + size
    next_cursor = encode_cursor({"fy": [end, snapshot.timestamp()]}) if end < len(ranked) and end <= MAX_FOR_YOU_OFFSET else None
    return items, next_cursor


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
