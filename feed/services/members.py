"""Erasing what a member did in the feed when their account is deleted (privacy.erasure runs it).

Each part is idempotent (a crash in the middle resumes by running it again) and keeps everyone else's counts
right: the likes, comments and first views the member gave are taken out of the counters of the posts they were
on, in the same transaction as the rows. Other people's replies to the member's comments stay, as top-level
comments; other people's remixes of the member's posts stay, and their lineage keeps the parent's id, which now
names "a deleted clip".
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Count

from ..for_you.formula import counters_update
from ..models import Comment, FeedPreference, Like, Post, Report, View


def _take_out(counts: dict[str, Counter]) -> None:
    posts = set().union(*(c.keys() for c in counts.values()))
    for post in Post.objects.filter(pk__in=posts).only("pk", "created_at"):
        deltas = {kind: -counts[kind].get(post.pk, 0) for kind in counts}
        Post.objects.filter(pk=post.pk).update(**counters_update(created_at=post.created_at, **deltas))


def _per_post(qs) -> Counter:
    return Counter(dict(qs.order_by().values_list("post_id").annotate(n=Count("pk")).values_list("post_id", "n")))


def member_feed_erase(*, user) -> dict[str, int]:
    """Delete the member's likes, comments, views, reports, steering and posts; return how many of each, and the
    storage names of the posts' files under ``"files"`` (the caller deletes them after commit)."""
    with transaction.atomic():
        likes = Like.objects.filter(user_id=user.pk).exclude(post__author_id=user.pk)
        comments = Comment.objects.filter(author_id=user.pk).exclude(post__author_id=user.pk)
        views = View.objects.filter(user_id=user.pk).exclude(post__author_id=user.pk)
        _take_out({"like": _per_post(likes), "comment": _per_post(comments), "view": _per_post(views)})
        # Replies others wrote under the member's comments stay, as comments on the post.
        Comment.objects.filter(parent__author_id=user.pk).exclude(author_id=user.pk).update(parent=None)
        counts = {
            "likes": Like.objects.filter(user_id=user.pk).delete()[1].get("feed.Like", 0),
            "comments": Comment.objects.filter(author_id=user.pk).delete()[1].get("feed.Comment", 0),
            "views": View.objects.filter(user_id=user.pk).delete()[1].get("feed.View", 0),
            "reports": Report.objects.filter(reporter_id=user.pk).delete()[1].get("feed.Report", 0),
        }
        FeedPreference.objects.filter(user_id=user.pk).delete()
        posts = list(Post.objects.filter(author_id=user.pk).values_list("pk", "video", "poster"))
        files = [name for _, video, poster in posts for name in (video, poster) if name]
        counts["posts"] = Post.objects.filter(author_id=user.pk).delete()[1].get("feed.Post", 0)
    return {**counts, "files": files}
