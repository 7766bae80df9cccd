"""Reads for the feed: visibility, the Following and Latest tabs (For you: feed.for_you), profiles, remixes and
lineage, comments, steering.

Every list is built from a fixed number of queries whatever its length (related rows are joined or annotated,
never fetched per item).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext

from accounts.models import Follow, User
from accounts.selectors import blocked_user_ids, count_subquery, user_get_profile, user_with_counts
from core.errors import NotFound

from .models import Comment, FeedPreference, Like, Post, PostTag, Tag
from .tags import normalize

logger = logging.getLogger(__name__)

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
        raise NotFound(gettext("There is no such post."), code="not_found")
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
        raise NotFound(gettext("No account with that handle."), code="not_found")
    return posts_for_display(viewer=viewer).filter(author_id=author.pk)


def profile_get(*, username: str, viewer) -> User | None:
    """A member as their profile shows them: the account with its follow counts (accounts.selectors) and the
    count of their public posts."""
    public_posts = Post.objects.filter(state=Post.State.PUBLISHED, visibility=Post.Visibility.PUBLIC)
    queryset = user_with_counts().annotate(post_count=count_subquery(public_posts, "author"))
    return user_get_profile(username=username, viewer=viewer, queryset=queryset)


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
    erased: set  # ids in ``ancestors`` whose post no longer exists (its author's account was deleted)


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
    hidden = [i for i in chain if i not in visible]
    erased = set(hidden) - set(Post.objects.filter(pk__in=hidden).values_list("pk", flat=True)) if hidden else set()
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
    return Lineage(post=post, ancestors=ancestors, children=nodes[post.pk].children, depth=depth, erased=erased)


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


# --- steering -------------------------------------------------------------------------------------------------


def feed_preference_get(*, user) -> FeedPreference | None:
    return FeedPreference.objects.filter(user_id=user.pk).first()


# --- hashtags ----------------------------------------------------------------------------------------------------


def tag_get(*, name: str) -> Tag | None:
    normalized = normalize(name)
    return Tag.objects.filter(name=normalized).first() if normalized else None


def tag_posts(*, tag: Tag, viewer) -> QuerySet[Post]:
    """The posts carrying the tag that this viewer may see (visibility, blocks and take-downs as in the feed)."""
    return posts_for_display(viewer=viewer).filter(pk__in=PostTag.objects.filter(tag=tag).values("post_id"))
