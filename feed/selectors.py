"""Reads for the feed: visibility, the three tabs, remixes and lineage, comments, notifications.

Every list is built from a fixed number of queries whatever its length (related rows are joined or annotated,
never fetched per item).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone

import numpy as np
from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from rest_framework import status

from accounts.models import Follow, User
from accounts.selectors import blocked_user_ids
from config.api import ApiError
from config.pagination import decode_cursor, encode_cursor

from . import ranking
from .embeddings import DIM
from .models import Comment, FeedPreference, Like, Notification, Post, View
from .topics import topic_for_term

MAX_FOR_YOU_OFFSET = 1000
INLINE_REPLIES = 3
LINEAGE_MAX_DEPTH = 5
LINEAGE_LEVEL_CAP = 30  # descendants shown per level of the lineage tree


def _authenticated(user) -> bool:
    return user is not None and user.is_authenticated


def posts_visible_to(*, user) -> QuerySet[Post]:
    """Published posts this user may see: public ones, followers-only ones of people they follow, their own;
    never posts of someone they blocked or who blocked them."""
    qs = Post.objects.filter(state=Post.State.PUBLISHED)
    if not _authenticated(user):
        return qs.filter(visibility=Post.Visibility.PUBLIC)
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


def posts_for_display(*, viewer, queryset: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """Visible posts with everything their representation needs, in the same query: the author, the parent's
    author ("remix of @ana") and whether the viewer liked each one."""
    qs = posts_visible_to(user=viewer) if queryset is None else queryset
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
    liked = Like.objects.filter(user_id=user.pk, created_at__lte=snapshot).order_by("-created_at").values("post_id")[:history]
    finished = (
        View.objects.filter(user_id=user.pk, completed_at__lte=snapshot).order_by("-completed_at").values("post_id")[:history]
    )
    rows = list(
        Post.objects.filter(Q(pk__in=liked) | Q(pk__in=finished))
        .annotate(liked=Exists(Like.objects.filter(user_id=user.pk, post_id=OuterRef("pk"), created_at__lte=snapshot)))
        .values_list("id", "embedding", "topic", "topic2", "liked")
    )
    matrix, present = ranking.vectors([row[1] for row in rows], DIM)
    taste = ranking.mean_direction(matrix[present])
    topics = Counter(t for row in rows for t in (row[2], row[3]) if t is not None)
    engaged = {row[0]: 1.0 if row[4] else 0.5 for row in rows}
    return taste, [topic for topic, _ in topics.most_common(3)], engaged


def _candidates(*, user, snapshot: datetime, topics: list[int], engaged: dict[int, float], with_text: bool) -> ranking.Candidates:
    """At most ~500 posts from bounded, indexed queries, fetched with one SQL statement."""
    from cameos.models import CameoUse

    w = ranking.weights()
    base = Post.objects.filter(state=Post.State.PUBLISHED, created_at__lte=snapshot)
    public = base.filter(visibility=Post.Visibility.PUBLIC)
    follows = Follow.objects.filter(follower_id=user.pk).values("followee_id")
    sources = [
        public.order_by("-hot_score").values("pk")[: int(w["pool_trending"])],
        public.order_by("-created_at").values("pk")[: int(w["pool_fresh"])],
        base.filter(author_id__in=follows)
        .exclude(visibility=Post.Visibility.PRIVATE)
        .order_by("-created_at")
        .values("pk")[: int(w["pool_following"])],
        CameoUse.objects.filter(
            post__isnull=False, removed_at__isnull=True, cameo__owner_id__in=follows, created_at__lte=snapshot
        )
        .order_by("-created_at")
        .values("post_id")[: int(w["pool_cameos"])],
    ]
    if topics:
        similar = public.filter(Q(topic__in=topics) | Q(topic2__in=topics)).order_by("-hot_score").values("pk")
        sources.append(similar[: int(w["pool_similar"])])
    if engaged:
        ids = list(engaged)
        remixes = base.filter(Q(remix_of_id__in=ids) | Q(root_id__in=ids)).exclude(visibility=Post.Visibility.PRIVATE)
        sources.append(remixes.order_by("-created_at").values("pk")[: int(w["pool_remixes"])])
    wanted = Q()
    for source in sources:
        wanted |= Q(pk__in=source)
    fields = [
        "id", "author_id", "root_id", "remix_of_id", "created_at", "like_count", "comment_count", "remix_count",
        "view_count", "embedding", "followed", "viewed", "liked", "completed", "cameo_owner",
    ]
    if with_text:
        fields += ["prompt", "prompt_public", "caption"]
    rows = list(
        posts_visible_to(user=user)
        .filter(wanted, created_at__lte=snapshot)
        .exclude(author_id=user.pk)
        .annotate(
            followed=Exists(Follow.objects.filter(follower_id=user.pk, followee_id=OuterRef("author_id"))),
            viewed=Exists(View.objects.filter(user_id=user.pk, post_id=OuterRef("pk"), created_at__lte=snapshot)),
            liked=Exists(Like.objects.filter(user_id=user.pk, post_id=OuterRef("pk"), created_at__lte=snapshot)),
            completed=Exists(View.objects.filter(user_id=user.pk, post_id=OuterRef("pk"), completed_at__lte=snapshot)),
            cameo_owner=Subquery(
                CameoUse.objects.filter(post_id=OuterRef("pk"), removed_at__isnull=True, cameo__owner_id__in=follows)
                .values("cameo__owner__username")[:1]
            ),
        )
        .values_list(*fields)
    )
    n = len(rows)
    col = {name: i for i, name in enumerate(fields)}

    def column(name, dtype):
        return np.fromiter((row[col[name]] for row in rows), dtype=dtype, count=n)

    ids = column("id", np.int64)
    roots = np.fromiter((row[col["root_id"]] or row[col["id"]] for row in rows), dtype=np.int64, count=n)
    snap = snapshot.timestamp()
    age_s = np.maximum(np.fromiter((snap - row[col["created_at"]].timestamp() for row in rows), dtype=np.float64, count=n), 0.0)
    engagement = (
        float(w["engagement_like"]) * column("like_count", np.float64)
        + float(w["engagement_comment"]) * column("comment_count", np.float64)
        + float(w["engagement_remix"]) * column("remix_count", np.float64)
        + float(w["engagement_view"]) * column("view_count", np.float64)
    )
    remix_of_engaged = np.fromiter(
        (max(engaged.get(row[col["remix_of_id"]], 0.0), engaged.get(row[col["root_id"]], 0.0)) for row in rows),
        dtype=np.float32,
        count=n,
    )
    matrix, present = ranking.vectors([row[col["embedding"]] for row in rows], DIM)
    if with_text:
        texts = [
            " ".join(filter(None, (row[col["prompt"]] if row[col["prompt_public"]] else "", row[col["caption"]])))
            for row in rows
        ]
    else:
        texts = [""] * n
    viewed, liked = column("viewed", bool), column("liked", bool)
    return ranking.Candidates(
        ids=ids,
        authors=column("author_id", np.int64),
        roots=roots,
        age_s=age_s,
        engagement=engagement,
        followed=column("followed", bool).astype(np.float32),
        seen=(viewed | liked).astype(np.float32),
        completed=column("completed", bool).astype(np.float32),
        remix_of_engaged=remix_of_engaged,
        cameo_owner=[row[col["cameo_owner"]] for row in rows],
        embeddings=matrix,
        has_embedding=present,
        texts=texts,
    )


def feed_for_you(*, user, cursor: str | None, size: int) -> tuple[list[FeedItem], str | None]:
    """One page of the ranked For-you feed. The ranking is computed per request from a bounded candidate set, as
    of the snapshot time carried by the cursor (posts, likes and views after it do not move earlier pages)."""
    offset, snapshot = _for_you_cursor(cursor)
    preference = FeedPreference.objects.filter(user_id=user.pk).first()
    steering = _steering(preference)
    taste, topics, engaged = _taste(user=user, snapshot=snapshot, history=int(ranking.weights()["taste_history"]))
    if preference is not None:
        topics = list(dict.fromkeys([*topics, *preference.more_topics]))
    topics += [t for t in (topic_for_term(term) for term in steering.more_terms) if t is not None and t not in topics]
    candidates = _candidates(
        user=user, snapshot=snapshot, topics=topics, engaged=engaged, with_text=bool(steering.more_terms or steering.less_terms)
    )
    ranked = ranking.rank(candidates, taste=taste, steering=steering)
    rows = ranked.order[offset : offset + size]
    page_ids = [int(candidates.ids[row]) for row in rows]
    posts = {post.pk: post for post in posts_for_display(viewer=user).filter(pk__in=page_ids)}
    items = []
    for row, post_id in zip(rows, page_ids):
        post = posts.get(post_id)
        if post is None:  # deleted, taken down or blocked since the snapshot
            continue
        items.append(FeedItem(post, ranking.reasons(ranked=ranked, c=candidates, row=row, author=post.author.username, steering=steering)))
    end = offset + size
    next_cursor = None
    if end < len(ranked.order) and end <= MAX_FOR_YOU_OFFSET:
        next_cursor = encode_cursor({"fy": [end, snapshot.timestamp()]})
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
