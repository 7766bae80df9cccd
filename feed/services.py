"""Writes for the feed. Counters move in the same transaction as the rows they count, with single UPDATE
statements (F expressions), so concurrent likes never lose or double a count; events go out after commit."""

from __future__ import annotations

import logging
import math

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework import status

from accounts.models import User, new_feed_version
from accounts.selectors import user_is_teen
from config.api import ApiError
from config.events import post_group, send_on_commit, send_to_user, send_to_users

from . import ranking
from .models import Comment, FeedPreference, Like, Notification, Post, Report, View, WatchDay
from .selectors import ancestor_ids, comments_visible_to, post_visible_to
from .steering import MAX_TEXT, steering_parse
from .topics import topic_for_term

logger = logging.getLogger(__name__)

MAX_CAPTION = 500
MAX_COMMENT = 1000
MAX_REPORT = 1000
MAX_WATCH_S = 3600.0


def feed_signals_changed(*, user_ids) -> None:
    """What the For-you ranking reads about these users changed (a like, a view, a follow, a block, the steering
    text or its vectors): their next first page computes a new ranking instead of reusing a kept one
    (feed.ranking, "Serving"). The new version is written to the users' rows (in the caller's transaction where
    there is one, else just after the change, before the answer goes back), so the next request sees it and it is
    never lost to an unreachable cache."""
    ids = {int(user_id) for user_id in user_ids}
    if ids:
        User.objects.filter(pk__in=ids).update(feed_version=new_feed_version())


def notification_create(*, recipient, kind: str, actor=None, post=None, text: str = "", data: dict | None = None) -> Notification | None:
    """Record a notification and push it to the recipient's sockets after commit. Nobody is notified of their own acts."""
    if actor is not None and actor.pk == recipient.pk:
        return None
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, kind=kind, post=post, text=text, data=data or {}
    )
    send_to_user(
        recipient.pk,
        {
            "type": "notification",
            "id": notification.pk,
            "kind": kind,
            "text": text,
            "actor": actor.username if actor is not None else None,
            "post": post.pk if post is not None else None,
        },
    )
    return notification


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read: these ids (others' ids are ignored), or all of them."""
    qs = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# --- posts ---------------------------------------------------------------------------------------------------


def _send_counts(post_id: int) -> None:
    """Read the counters as they are now (inside the writing transaction) and send them after commit."""
    counts = Post.objects.filter(pk=post_id).values("like_count", "comment_count", "remix_count", "view_count").first()
    if counts is not None:
        send_on_commit(post_group(post_id), {"type": "post.counts", "post": post_id, **counts})


def _enqueue(task, *args) -> None:
    try:
        task.apply_async(args=list(args), queue="default")
    except Exception:
        logger.warning("could not queue %s%s", task.name, tuple(args), exc_info=True)


def post_create(
    *,
    author,
    video: str,
    poster: str = "",
    caption: str = "",
    prompt: str = "",
    prompt_public: bool = True,
    remix_of: Post | None = None,
    visibility: str = Post.Visibility.PUBLIC,
    duration_s: float = 0.0,
    width: int = 0,
    height: int = 0,
    job=None,
) -> Post:
    """Publish a clip. A remix records its chain, bumps its parent's remix count and every ancestor's descendant
    count, and notifies the parent's author; followers get ``feed.new_posts``; the worker embeds the text."""
    from accounts.models import Follow

    from .tasks import embed_post

    if visibility not in Post.Visibility.values:
        raise ApiError(f"The visibility must be one of {', '.join(Post.Visibility.values)}.", code="visibility_invalid")
    if len(caption) > MAX_CAPTION:
        raise ApiError(f"The caption is too long (at most {MAX_CAPTION} characters).", code="caption_too_long")
    now = timezone.now()
    with transaction.atomic():
        post = Post.objects.create(
            author=author,
            job=job,
            video=video,
            poster=poster,
            caption=caption,
            prompt=prompt,
            prompt_public=prompt_public,
            remix_of=remix_of,
            root_id=(remix_of.root_id or remix_of.pk) if remix_of is not None else None,
            depth=(remix_of.depth + 1) if remix_of is not None else 0,
            ancestors=[*ancestor_ids(remix_of), remix_of.pk] if remix_of is not None else [],
            visibility=visibility,
            duration_s=duration_s,
            width=width,
            height=height,
            hot_score=ranking.hot_score(created_at=now),
        )
        if remix_of is not None:
            Post.objects.filter(pk=remix_of.pk).update(**ranking.counters_update(created_at=remix_of.created_at, remix=1))
            Post.objects.filter(pk__in=post.ancestors).update(descendant_count=F("descendant_count") + 1)
            _send_counts(remix_of.pk)
            notification_create(
                recipient=remix_of.author,
                actor=author,
                kind=Notification.Kind.REMIX,
                post=post,
                text=f"@{author.username} remixed your clip.",
                data={"parent": remix_of.pk},
            )
        if visibility != Post.Visibility.PRIVATE:
            followers = Follow.objects.filter(followee_id=author.pk).values_list("follower_id", flat=True)
            send_to_users(followers, {"type": "feed.new_posts", "post": post.pk, "author": author.username})
        transaction.on_commit(lambda: _enqueue(embed_post, post.pk))
    return post


def post_create_from_job(*, job, caption: str = "", visibility: str = "public") -> Post:
    """Publish a finished job's draft as a post (called inside the publishing transaction). Owners of the cameos
    it features are told that the clip is now published."""
    from cameos.models import CameoUse
    from cameos.services import cameo_uses_attach_post

    meta = (job.backend_meta or {}).get("clip", {})
    post = post_create(
        author=job.user,
        job=job,
        video=job.video,
        poster=job.poster,
        caption=caption,
        prompt=job.prompt,
        prompt_public=job.prompt_public,
        remix_of=job.remix_of,
        visibility=visibility,
        duration_s=meta.get("duration_s", job.duration_s),
        width=meta.get("width", 0),
        height=meta.get("height", 0),
    )
    cameo_uses_attach_post(job=job, post=post)
    for use in CameoUse.objects.filter(job=job, removed_at__isnull=True).select_related("cameo__owner"):
        notification_create(
            recipient=use.cameo.owner,
            actor=job.user,
            kind=Notification.Kind.CAMEO_USE,
            post=post,
            text=f"@{job.user.username} published a clip with your cameo “{use.cameo.name}”.",
            data={"cameo": use.cameo_id, "post": post.pk},
        )
    return post


def _check_visible(*, post: Post, user) -> None:
    if not post_visible_to(post_id=post.pk, user=user):
        raise ApiError("There is no such post.", code="not_found", status_code=status.HTTP_404_NOT_FOUND)


def post_update(*, user, post: Post, caption: str) -> Post:
    """The author edits the caption; the worker embeds the new text."""
    from .tasks import embed_post

    if post.author_id != user.pk:
        raise ApiError("Only the author can edit this clip.", code="not_author", status_code=status.HTTP_403_FORBIDDEN)
    caption = caption.strip()
    if len(caption) > MAX_CAPTION:
        raise ApiError(f"The caption is too long (at most {MAX_CAPTION} characters).", code="caption_too_long")
    with transaction.atomic():
        updated = Post.objects.filter(pk=post.pk, state=Post.State.PUBLISHED).update(caption=caption)
        if not updated:
            raise ApiError("There is no such post.", code="not_found", status_code=status.HTTP_404_NOT_FOUND)
        transaction.on_commit(lambda: _enqueue(embed_post, post.pk))
    post.caption = caption
    return post


def _post_remove(*, post: Post, state: str, reason: str) -> bool:
    """published -> deleted | taken_down, once. The parent's remix count and the ancestors' descendant counts
    stop counting it; its own remixes stay (their lineage shows it as unavailable)."""
    with transaction.atomic():
        changed = Post.objects.filter(pk=post.pk, state=Post.State.PUBLISHED).update(state=state, state_reason=reason[:300])
        if not changed:
            return False
        if post.remix_of_id is not None:
            parent_created = Post.objects.filter(pk=post.remix_of_id).values_list("created_at", flat=True).first()
            if parent_created is not None:
                Post.objects.filter(pk=post.remix_of_id, remix_count__gt=0).update(
                    **ranking.counters_update(created_at=parent_created, remix=-1)
                )
                _send_counts(post.remix_of_id)
            Post.objects.filter(pk__in=post.ancestors, descendant_count__gt=0).update(descendant_count=F("descendant_count") - 1)
    post.state = state
    return True


def post_delete(*, user, post: Post) -> None:
    if post.author_id != user.pk:
        raise ApiError("Only the author can delete this clip.", code="not_author", status_code=status.HTTP_403_FORBIDDEN)
    if not _post_remove(post=post, state=Post.State.DELETED, reason="deleted by its author"):
        raise ApiError("There is no such post.", code="not_found", status_code=status.HTTP_404_NOT_FOUND)


def post_take_down(*, post: Post, reason: str, data: dict | None = None) -> bool:
    """Hide a post everywhere (a moderator's decision, or a cameo owner removing a use of their likeness)."""
    taken = _post_remove(post=post, state=Post.State.TAKEN_DOWN, reason=reason)
    if taken:
        notification_create(
            recipient=post.author,
            kind=Notification.Kind.MODERATION,
            post=post,
            text=f"Your clip was taken down: {reason}"[:300],
            data=data or {},
        )
    return taken


def post_restore(*, post: Post) -> bool:
    """taken_down -> published (an appeal was granted): the counts the take-down removed are given back."""
    with transaction.atomic():
        changed = Post.objects.filter(pk=post.pk, state=Post.State.TAKEN_DOWN).update(
            state=Post.State.PUBLISHED, state_reason=""
        )
        if not changed:
            return False
        if post.remix_of_id is not None:
            parent_created = Post.objects.filter(pk=post.remix_of_id).values_list("created_at", flat=True).first()
            if parent_created is not None:
                Post.objects.filter(pk=post.remix_of_id).update(
                    **ranking.counters_update(created_at=parent_created, remix=1)
                )
                _send_counts(post.remix_of_id)
            Post.objects.filter(pk__in=post.ancestors).update(descendant_count=F("descendant_count") + 1)
    post.state = Post.State.PUBLISHED
    return True


# --- likes, comments, views, reports ---------------------------------------------------------------------------


def like_create(*, user, post: Post) -> bool:
    """Like a post. Liking twice is a no-op (the unique constraint decides, so two concurrent requests cannot both
    count). The author is notified of the first like only, not again after an unlike and a like."""
    _check_visible(post=post, user=user)
    try:
        with transaction.atomic():
            Like.objects.create(user=user, post=post)
            already_told = Notification.objects.filter(
                recipient_id=post.author_id, actor_id=user.pk, kind=Notification.Kind.LIKE, post_id=post.pk
            ).exists()
            if not already_told:
                notification_create(
                    recipient=post.author, actor=user, kind=Notification.Kind.LIKE, post=post, text=f"@{user.username} liked your clip."
                )
            # The post's row last: the counter update locks it until commit, and a popular post is liked by many
            # people at once.
            Post.objects.filter(pk=post.pk).update(**ranking.counters_update(created_at=post.created_at, like=1))
            _send_counts(post.pk)
    except IntegrityError:
        return False
    feed_signals_changed(user_ids=[user.pk])
    return True


def like_delete(*, user, post: Post) -> bool:
    """Unlike (a no-op when not liked)."""
    with transaction.atomic():
        deleted, _ = Like.objects.filter(user_id=user.pk, post_id=post.pk).delete()
        if deleted:
            Post.objects.filter(pk=post.pk, like_count__gt=0).update(**ranking.counters_update(created_at=post.created_at, like=-1))
            _send_counts(post.pk)
    if deleted:
        feed_signals_changed(user_ids=[user.pk])
    return bool(deleted)


def comment_create(*, user, post: Post, text: str, parent_id: int | None = None) -> Comment:
    """Comment on a post, or reply to a comment. Replies are one level deep: a reply to a reply is attached to the
    top-level comment of that thread (the person replied to is still notified)."""
    from accounts.services import user_check_not_suspended

    user_check_not_suspended(user=user)
    text = (text or "").strip()
    if not text:
        raise ApiError("Write something first: the comment is empty.", code="comment_empty")
    if len(text) > MAX_COMMENT:
        raise ApiError(f"The comment is too long ({len(text)} characters; at most {MAX_COMMENT}).", code="comment_too_long")
    _check_visible(post=post, user=user)
    replied_to = None
    if parent_id is not None:
        replied_to = comments_visible_to(post=post, viewer=user).filter(pk=parent_id).first()
        if replied_to is None:
            raise ApiError("The comment you are replying to is not on this clip.", code="parent_not_found", status_code=404)
    thread_id = None if replied_to is None else (replied_to.parent_id or replied_to.pk)
    with transaction.atomic():
        comment = Comment.objects.create(post=post, author=user, parent_id=thread_id, text=text)
        Post.objects.filter(pk=post.pk).update(**ranking.counters_update(created_at=post.created_at, comment=1))
        _send_counts(post.pk)
        notification_create(
            recipient=post.author,
            actor=user,
            kind=Notification.Kind.COMMENT,
            post=post,
            text=f"@{user.username} commented on your clip: “{text[:80]}”",
            data={"comment": comment.pk},
        )
        if replied_to is not None and replied_to.author_id != post.author_id:
            notification_create(
                recipient=replied_to.author,
                actor=user,
                kind=Notification.Kind.COMMENT,
                post=post,
                text=f"@{user.username} replied to your comment: “{text[:80]}”",
                data={"comment": comment.pk, "parent": thread_id},
            )
    return comment


def view_record(*, user, post: Post, watch_s: float, completed: bool = False) -> View:
    """Add watch time. The first view of a post by someone counts once in its view_count; watching to the end is
    remembered with the time it first happened."""
    if not math.isfinite(watch_s) or not 0 <= watch_s <= MAX_WATCH_S:
        raise ApiError(f"watch_s must be between 0 and {MAX_WATCH_S:g} seconds.", code="watch_s_invalid")
    _check_visible(post=post, user=user)
    now = timezone.now()
    with transaction.atomic():
        view, created = View.objects.get_or_create(user=user, post=post)
        changes = {"watch_s": F("watch_s") + watch_s, "updated_at": now}
        if completed:
            changes.update(completed=True, completed_at=Coalesce(F("completed_at"), Value(now)))
        View.objects.filter(pk=view.pk).update(**changes)
        if created:
            Post.objects.filter(pk=post.pk).update(**ranking.counters_update(created_at=post.created_at, view=1))
        if watch_s > 0 and user_is_teen(user):
            _watch_day_add(user=user, watch_s=watch_s)
    if created or (completed and not view.completed):  # seen, or watched to the end, for the first time
        feed_signals_changed(user_ids=[user.pk])
    view.refresh_from_db()
    return view


def _watch_day_add(*, user, watch_s: float) -> None:
    """Today's watch time of a member under 18 (the break reminder, feed.wellbeing)."""
    from .wellbeing import today_utc

    day, _ = WatchDay.objects.get_or_create(user=user, day=today_utc())
    WatchDay.objects.filter(pk=day.pk).update(watch_s=F("watch_s") + watch_s)


def report_create(*, user, post: Post, reason: str, kind: str = Report.Kind.POST, comment_id: int | None = None) -> Report:
    """Report a post, a comment on it, or a use of one's likeness. Reporting the same thing again while the first
    report is open returns that report."""
    reason = (reason or "").strip()
    if not reason:
        raise ApiError("Say what is wrong: the reason is empty.", code="reason_empty")
    if len(reason) > MAX_REPORT:
        raise ApiError(f"The reason is too long (at most {MAX_REPORT} characters).", code="reason_too_long")
    if kind not in Report.Kind.values:
        raise ApiError(f"The kind must be one of {', '.join(Report.Kind.values)}.", code="kind_invalid")
    _check_visible(post=post, user=user)
    comment = None
    if comment_id is not None:
        comment = comments_visible_to(post=post, viewer=user).filter(pk=comment_id).first()
        if comment is None:
            raise ApiError("That comment is not on this clip.", code="comment_not_found", status_code=404)
        if kind == Report.Kind.POST:
            kind = Report.Kind.COMMENT
    if kind == Report.Kind.COMMENT and comment is None:
        raise ApiError("Say which comment you are reporting.", code="comment_required")
    with transaction.atomic():
        existing = Report.objects.filter(
            reporter_id=user.pk, post_id=post.pk, comment=comment, kind=kind, status=Report.Status.OPEN
        ).first()
        if existing is not None:
            return existing
        return Report.objects.create(
            reporter=user, post=post, comment=comment, comment_text=comment.text if comment else "", kind=kind, reason=reason
        )


# --- steering ----------------------------------------------------------------------------------------------------


def feed_preference_set(*, user, text: str) -> FeedPreference:
    """Save what the user wants more or less of. The terms work at once (lexical matching, reasons); the worker
    then embeds them (feed.tasks.embed_preference) and the vectors take over."""
    from .tasks import embed_preference

    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ApiError(f"The text is too long ({len(text)} characters; at most {MAX_TEXT}).", code="text_too_long")
    more, less = steering_parse(text)
    topics = list(dict.fromkeys(t for t in (topic_for_term(term) for term in more) if t is not None))
    with transaction.atomic():
        preference, _ = FeedPreference.objects.update_or_create(
            user=user,
            defaults={
                "text": text,
                "more_terms": more,
                "less_terms": less,
                "more_vectors": None,
                "less_vectors": None,
                "more_topics": topics,
                "vectors_at": None,
            },
        )
        if more or less:
            transaction.on_commit(lambda: _enqueue(embed_preference, user.pk))
    feed_signals_changed(user_ids=[user.pk])
    return preference
