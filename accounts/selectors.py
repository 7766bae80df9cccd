from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Block, Follow, User


def _count(queryset, field: str):
    """A correlated COUNT subquery (several of them do not multiply rows the way joined COUNTs do)."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def user_with_counts() -> QuerySet[User]:
    from feed.models import Post

    public_posts = Post.objects.filter(state=Post.State.PUBLISHED, visibility=Post.Visibility.PUBLIC)
    return User.objects.filter(is_active=True).annotate(
        follower_count=_count(Follow.objects.all(), "followee"),
        following_count=_count(Follow.objects.all(), "follower"),
        post_count=_count(public_posts, "author"),
    )


def user_get_profile(*, username: str, viewer: User | None) -> User | None:
    qs = user_with_counts()
    if viewer is not None and viewer.is_authenticated:
        qs = qs.annotate(
            followed_by_me=Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("pk"))),
            blocked_by_me=Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef("pk"))),
        )
    return qs.filter(username__iexact=username).first()


def is_blocked_between(a_id: int, b_id: int) -> bool:
    return Block.objects.filter(Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)).exists()


def blocked_user_ids(*, user_id: int) -> set[int]:
    """Everyone this user blocked or was blocked by."""
    ids = set()
    for blocker_id, blocked_id in Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list(
        "blocker_id", "blocked_id"
    ):
        ids.add(blocked_id if blocker_id == user_id else blocker_id)
    return ids


def following_ids(*, user_id: int) -> set[int]:
    return set(Follow.objects.filter(follower_id=user_id).values_list("followee_id", flat=True))


def is_following(*, follower_id: int, followee_id: int) -> bool:
    return Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists()


def are_mutuals(a_id: int, b_id: int) -> bool:
    return is_following(follower_id=a_id, followee_id=b_id) and is_following(follower_id=b_id, followee_id=a_id)
