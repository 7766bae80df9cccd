"""What people do with a post: likes, comments (threads one level deep), views (watch time), reports. Counters
move in the writing transaction (F expressions); the author is told; the For-you signals of the person acting
change (feed.for_you.stored, "Serving")."""

from __future__ import annotations

import math

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import Notification
from accounts.selectors import user_is_teen
from accounts.services import notification_create, user_check_not_suspended, watch_time_add
from core.errors import Invalid, NotFound

from ..for_you.formula import counters_update
from ..models import Comment, Like, Post, Report, View
from ..selectors import comments_visible_to
from .posts import check_visible, send_counts
from .preferences import feed_signals_changed

MAX_COMMENT = 1000
MAX_REPORT = 1000
MAX_WATCH_S = 3600.0


def like_create(*, user, post: Post) -> bool:
    """Like a post. Liking twice is a no-op (the unique constraint decides, so two concurrent requests cannot both
    count). The author is notified of the first like only, not again after an unlike and a like."""
    check_visible(post=post, user=user)
    try:
        with transaction.atomic():
            Like.objects.create(user=user, post=post)
            already_told = Notification.objects.filter(
                recipient_id=post.author_id, actor_id=user.pk, kind=Notification.Kind.LIKE, post_id=post.pk
            ).exists()
            if not already_told:
                notification_create(
                    recipient=post.author,
                    actor=user,
                    kind=Notification.Kind.LIKE,
                    post=post,
                    message=gettext_noop("@{actor} liked your clip."),
                    params={"actor": user.username},
                )
            # The post's row last: the counter update locks it until commit, and a popular post is liked by many
            # people at once.
            Post.objects.filter(pk=post.pk).update(**counters_update(created_at=post.created_at, like=1))
            send_counts(post.pk)
    except IntegrityError:
        return False
    feed_signals_changed(user_ids=[user.pk])
    return True


def like_delete(*, user, post: Post) -> bool:
    """Unlike (a no-op when not liked)."""
    with transaction.atomic():
        deleted, _ = Like.objects.filter(user_id=user.pk, post_id=post.pk).delete()
        if deleted:
            Post.objects.filter(pk=post.pk, like_count__gt=0).update(**counters_update(created_at=post.created_at, like=-1))
            send_counts(post.pk)
    if deleted:
        feed_signals_changed(user_ids=[user.pk])
    return bool(deleted)


def comment_create(*, user, post: Post, text: str, parent_id: int | None = None) -> Comment:
    """Comment on a post, or reply to a comment. Replies are one level deep: a reply to a reply is attached to the
    top-level comment of that thread (the person replied to is still notified)."""
    user_check_not_suspended(user=user)
    text = (text or "").strip()
    if not text:
        raise Invalid(gettext("Write something first: the comment is empty."), code="comment_empty")
    if len(text) > MAX_COMMENT:
        raise Invalid(
            gettext("The comment is too long ({length} characters; at most {most}).").format(
                length=len(text), most=MAX_COMMENT
            ),
            code="comment_too_long",
        )
    check_visible(post=post, user=user)
    replied_to = None
    if parent_id is not None:
        replied_to = comments_visible_to(post=post, viewer=user).filter(pk=parent_id).first()
        if replied_to is None:
            raise NotFound(gettext("The comment you are replying to is not on this clip."), code="parent_not_found")
    thread_id = None if replied_to is None else (replied_to.parent_id or replied_to.pk)
    with transaction.atomic():
        comment = Comment.objects.create(post=post, author=user, parent_id=thread_id, text=text)
        Post.objects.filter(pk=post.pk).update(**counters_update(created_at=post.created_at, comment=1))
        send_counts(post.pk)
        notification_create(
            recipient=post.author,
            actor=user,
            kind=Notification.Kind.COMMENT,
            post=post,
            message=gettext_noop("@{actor} commented on your clip: “{comment}”"),
            params={"actor": user.username, "comment": text[:80]},
            data={"comment": comment.pk},
        )
        if replied_to is not None and replied_to.author_id != post.author_id:
            notification_create(
                recipient=replied_to.author,
                actor=user,
                kind=Notification.Kind.COMMENT,
                post=post,
                message=gettext_noop("@{actor} replied to your comment: “{comment}”"),
                params={"actor": user.username, "comment": text[:80]},
                data={"comment": comment.pk, "parent": thread_id},
            )
    return comment


def view_record(*, user, post: Post, watch_s: float, completed: bool = False) -> View:
    """Add watch time. The first view of a post by someone counts once in its view_count; watching to the end is
    remembered with the time it first happened."""
    if not math.isfinite(watch_s) or not 0 <= watch_s <= MAX_WATCH_S:
        raise Invalid(
            gettext("watch_s must be between 0 and {most:g} seconds.").format(most=MAX_WATCH_S),
            code="watch_s_invalid",
        )
    check_visible(post=post, user=user)
    now = timezone.now()
    with transaction.atomic():
        view, created = View.objects.get_or_create(user=user, post=post)
        changes = {"watch_s": F("watch_s") + watch_s, "updated_at": now}
        if completed:
            changes.update(completed=True, completed_at=Coalesce(F("completed_at"), Value(now)))
        View.objects.filter(pk=view.pk).update(**changes)
        if created:
            Post.objects.filter(pk=post.pk).update(**counters_update(created_at=post.created_at, view=1))
        if watch_s > 0 and user_is_teen(user):
            watch_time_add(user=user, watch_s=watch_s)
    if created or (completed and not view.completed):  # seen, or watched to the end, for the first time
        feed_signals_changed(user_ids=[user.pk])
    view.refresh_from_db()
    return view


def report_create(*, user, post: Post, reason: str, kind: str = Report.Kind.POST, comment_id: int | None = None) -> Report:
    """Report a post, a comment on it, or a use of one's likeness. Reporting the same thing again while the first
    report is open returns that report."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(gettext("Say what is wrong: the reason is empty."), code="reason_empty")
    if len(reason) > MAX_REPORT:
        raise Invalid(
            gettext("The reason is too long (at most {most} characters).").format(most=MAX_REPORT),
            code="reason_too_long",
        )
    if kind not in Report.Kind.values:
        raise Invalid(
            gettext("The kind must be one of {values}.").format(values=', '.join(Report.Kind.values)),
            code="kind_invalid",
        )
    check_visible(post=post, user=user)
    comment = None
    if comment_id is not None:
        comment = comments_visible_to(post=post, viewer=user).filter(pk=comment_id).first()
        if comment is None:
            raise NotFound(gettext("That comment is not on this clip."), code="comment_not_found")
        if kind == Report.Kind.POST:
            kind = Report.Kind.COMMENT
    if kind == Report.Kind.COMMENT and comment is None:
        raise Invalid(gettext("Say which comment you are reporting."), code="comment_required")
    with transaction.atomic():
        existing = Report.objects.filter(
            reporter_id=user.pk, post_id=post.pk, comment=comment, kind=kind, status=Report.Status.OPEN
        ).first()
        if existing is not None:
            return existing
        return Report.objects.create(
            reporter=user, post=post, comment=comment, comment_text=comment.text if comment else "", kind=kind, reason=reason
        )
