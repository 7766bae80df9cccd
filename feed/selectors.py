from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Follow

from accounts.selectors import blocked_user_ids

from .models import Post


def posts_visible_to(*, user) -> QuerySet[Post]:
    """Published posts this user may see: public ones, followers-only ones of people they follow, their own;
    never posts of someone they blocked or who blocked them."""
    qs = Post.objects.filter(state=Post.State.PUBLISHED)
    if user is None or not user.is_authenticated:
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
