"""Reads for moderation: the queue of open reports grouped by post, with what a moderator needs to decide (the clip,
its prompt, its cameos and lineage, the author's history), appeals, decisions, and the policy's refusal log.

The queue is read with a fixed number of queries whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from cameos.models import CameoUse
from feed.models import Post, Report
from generation.models import PolicyRefusal

from .models import Appeal, ModerationAction

QUEUE_PAGE = 20
HISTORY_ACTIONS = 10
REFUSAL_WINDOW = timedelta(days=30)


@dataclass
class AuthorHistory:
    user: User
    actions: list[ModerationAction] = field(default_factory=list)
    refusals_total: int = 0
    refusals_recent: int = 0  # in the last REFUSAL_WINDOW
    taken_down_posts: int = 0
    reports_received: int = 0
    suspended_until: object = None


@dataclass
class QueueGroup:
    post: Post
    reports: list[Report]
    report_count: int
    likeness_count: int
    first_reported_at: object
    cameos: list  # cameos.models.Cameo, with owner
    ancestors: list[dict]  # the remix chain above the post, root first: {id, author, state}
    remix_count: int
    author: AuthorHistory


def author_histories(*, user_ids: list[int]) -> dict[int, AuthorHistory]:
    """Past decisions, refusals, taken-down posts and reports received, for several members in a few queries."""
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    histories = {uid: AuthorHistory(user=u, suspended_until=u.suspended_until) for uid, u in users.items()}
    since = timezone.now() - REFUSAL_WINDOW
    for row in (
        PolicyRefusal.objects.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(total=Count("id"), recent=Count("id", filter=Q(created_at__gte=since)))
    ):
        histories[row["user_id"]].refusals_total = row["total"]
        histories[row["user_id"]].refusals_recent = row["recent"]
    for row in (
        Post.objects.filter(author_id__in=user_ids, state=Post.State.TAKEN_DOWN).values("author_id").annotate(n=Count("id"))
    ):
        histories[row["author_id"]].taken_down_posts = row["n"]
    for row in Report.objects.filter(post__author_id__in=user_ids).values("post__author_id").annotate(n=Count("id")):
        histories[row["post__author_id"]].reports_received = row["n"]
    actions = (
        ModerationAction.objects.filter(target_id__in=user_ids)
        .select_related("moderator", "appeal")
        .order_by("-created_at", "-id")
    )
    for record in actions:
        history = histories[record.target_id]
        if len(history.actions) < HISTORY_ACTIONS:
            history.actions.append(record)
    return histories


def moderation_queue(*, offset: int = 0, limit: int = QUEUE_PAGE) -> tuple[list[QueueGroup], int | None]:
    """Open reports grouped by post: likeness reports first, then the most reported, then the oldest. Returns
    the groups and the offset of the next page (None at the end)."""
    summary = list(
        Report.objects.filter(status=Report.Status.OPEN)
        .values("post_id")
        .annotate(
            report_count=Count("id"),
            likeness_count=Count("id", filter=Q(kind=Report.Kind.LIKENESS)),
            first_at=Min("created_at"),
            last_at=Max("created_at"),
        )
        .order_by("-likeness_count", "-report_count", "first_at", "post_id")[offset : offset + limit + 1]
    )
    next_offset = offset + limit if len(summary) > limit else None
    summary = summary[:limit]
    post_ids = [row["post_id"] for row in summary]
    posts = {p.pk: p for p in Post.objects.filter(pk__in=post_ids).select_related("author").defer("embedding")}
    reports: dict[int, list[Report]] = defaultdict(list)
    for report in (
        Report.objects.filter(status=Report.Status.OPEN, post_id__in=post_ids)
        .select_related("reporter", "comment__author")
        .order_by("created_at", "id")
    ):
        reports[report.post_id].append(report)
    cameos: dict[int, list] = defaultdict(list)
    for use in CameoUse.objects.filter(post_id__in=post_ids).select_related("cameo__owner").order_by("id"):
        if all(c.pk != use.cameo_id for c in cameos[use.post_id]):
            cameos[use.post_id].append(use.cameo)
    ancestor_ids = {int(a) for p in posts.values() for a in (p.ancestors or [])}
    ancestors = {
        row["id"]: row
        for row in Post.objects.filter(pk__in=ancestor_ids).values("id", "author__username", "state", "caption")
    }
    histories = author_histories(user_ids=sorted({p.author_id for p in posts.values()}))
    groups = []
    for row in summary:
        post = posts.get(row["post_id"])
        if post is None:
            continue
        groups.append(
            QueueGroup(
                post=post,
                reports=reports[post.pk],
                report_count=row["report_count"],
                likeness_count=row["likeness_count"],
                first_reported_at=row["first_at"],
                cameos=cameos[post.pk],
                ancestors=[
                    {
                        "id": a,
                        "author": ancestors[a]["author__username"] if a in ancestors else None,
                        "state": ancestors[a]["state"] if a in ancestors else "deleted",
                    }
                    for a in (int(x) for x in post.ancestors or [])
                ],
                remix_count=post.remix_count,
                author=histories[post.author_id],
            )
        )
    return groups, next_offset


def appeals_for_moderation(*, status: str = Appeal.Status.PENDING) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(status=status)
        .select_related("author", "decided_by", "action__moderator", "action__post", "action__target")
        .order_by("created_at", "id")
    )


def actions_about(*, user) -> QuerySet[ModerationAction]:
    """The decisions about this member (what they may appeal), newest first."""
    return (
        ModerationAction.objects.filter(target_id=user.pk)
        .exclude(action=ModerationAction.Action.DISMISS)
        .select_related("post", "appeal")
        .order_by("-created_at", "-id")
    )


def actions_for_moderation(*, username: str | None = None) -> QuerySet[ModerationAction]:
    qs = ModerationAction.objects.select_related("moderator", "target", "post", "appeal").order_by("-created_at", "-id")
    if username:
        qs = qs.filter(target__username__iexact=username)
    return qs


def reports_by(*, user) -> QuerySet[Report]:
    """A member's own reports, with their status and outcome."""
    return Report.objects.filter(reporter_id=user.pk).order_by("-created_at", "-id")


def refusals_for_moderation(*, username: str | None = None, rule: str | None = None):
    qs = PolicyRefusal.objects.select_related("user").order_by("-created_at", "-id")
    if username:
        qs = qs.filter(user__username__iexact=username)
    if rule:
        qs = qs.filter(rule=rule)
    return qs
