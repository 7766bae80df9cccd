"""Moderation: staff decisions on reports, posts, comments and members, and appeals.

A moderator acts on a post (its open reports come along), on one reported comment, or on a member:

- ``dismiss``: the reports were reviewed and nothing breaks the rules;
- ``take_down``: the post is hidden everywhere (``state = taken_down``) or the comment removed;
- ``warn``: the author is told, with the reason;
- ``suspend``: the author may not generate, publish or comment until a date (their queued and running jobs stop).

Every decision is a ModerationAction row (moderator, member, post or comment, reports, reason, date) written in
one transaction with its effects; the reports it answers are closed with an outcome, reporters are told the
outcome and the author is told the decision and its reason (notifications go out after commit). The author may
appeal a take-down, a warning or a suspension once; a moderator grants the appeal (the decision is reversed: the
post is restored, the comment put back, the suspension lifted) or denies it, with a reason, and the author is told.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Notification, User
from accounts.services import notification_create, user_lift_suspension, user_suspend
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.i18n import in_language_of, render
from feed.models import Comment, Post, Report
from feed.services import post_restore, post_take_down
from generation.models import GenerationJob
from generation.services import job_request_stop

from .models import Appeal, ModerationAction

Action = ModerationAction.Action
MAX_REASON = 500
MAX_APPEAL = 1000


def _require_staff(user) -> None:
    if not (user is not None and user.is_authenticated and user.is_staff):
        raise Forbidden(_("Only moderators (staff) can do that."), code="not_staff")


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give a reason: the author and the reporters are told it."), code="reason_empty")
    if len(reason) > MAX_REASON:
        raise Invalid(
            _("The reason is too long (at most {most} characters).").format(most=MAX_REASON), code="reason_too_long"
        )
    return reason


def _clean_until(until: datetime | None, now: datetime) -> datetime:
    if until is None:
        raise Invalid(_("A suspension needs the date it ends (until)."), code="until_required")
    if timezone.is_naive(until):
        until = timezone.make_aware(until, dt_timezone.utc)
    if until <= now:
        raise Invalid(_("The suspension must end in the future."), code="until_past")
    if until > now + timedelta(days=settings.MAX_SUSPENSION_DAYS):
        raise Invalid(
            _("A suspension lasts at most {most} days.").format(
                most=settings.MAX_SUSPENSION_DAYS
            ),
            code="until_too_far",
        )
    return until


def _reporter_outcome(
    action: str, *, author: User, until: datetime | None, reason: str, comment: bool, whole_post: bool = False
) -> tuple[str, dict]:
    """What a reporter is told: (message id, values)."""
    params = {"reason": reason, "author": author.username, "until": f"{until:%Y-%m-%d}" if until else ""}
    if whole_post and comment:  # a comment report closed because its clip was taken down
        return gettext_noop("The clip the comment you reported was on was taken down: {reason}"), params
    messages = {
        Action.DISMISS: (
            gettext_noop("We reviewed the comment you reported and found that it does not break the rules: {reason}"),
            gettext_noop("We reviewed the clip you reported and found that it does not break the rules: {reason}"),
        ),
        Action.TAKE_DOWN: (
            gettext_noop("The comment you reported was taken down: {reason}"),
            gettext_noop("The clip you reported was taken down: {reason}"),
        ),
        Action.WARN: (
            gettext_noop("We reviewed the comment you reported and warned @{author}: {reason}"),
            gettext_noop("We reviewed the clip you reported and warned @{author}: {reason}"),
        ),
        Action.SUSPEND: (
            gettext_noop("We reviewed the comment you reported and suspended @{author} until {until}: {reason}"),
            gettext_noop("We reviewed the clip you reported and suspended @{author} until {until}: {reason}"),
        ),
    }
    about_comment, about_clip = messages[action]
    return (about_comment if comment else about_clip), params


def _open_reports(
    *, post: Post | None, comment: Comment | None, report_ids: list[int] | None, whole_post: bool = False
) -> list[Report]:
    """The open reports this decision answers, locked (ordered by id): the given ids (open, and about the same post
    and comment), or those about the comment, or those about the post itself — and, when the whole post is taken
    down, those about its comments too. A decision on a post leaves its comments' reports open otherwise."""
    qs = Report.objects.select_for_update().filter(status=Report.Status.OPEN).order_by("pk")
    if report_ids:
        ids = sorted(set(report_ids))
        reports = list(qs.filter(pk__in=ids))
        if len(reports) != len(ids):
            raise Conflict(_("Some of these reports do not exist or are already closed."), code="reports_not_open")
        for report in reports:
            if post is None or report.post_id != post.pk or (comment is not None and report.comment_id != comment.pk):
                raise Invalid(_("A report is not about the post or comment acted on."), code="report_mismatch")
        return reports
    if post is None:
        return []
    qs = qs.filter(post_id=post.pk)
    if comment is not None:
        return list(qs.filter(comment_id=comment.pk))
    if whole_post:
        return list(qs)
    return list(qs.filter(comment__isnull=True))


def _stop_jobs(*, user: User, reason: str) -> None:
    ids = list(
        GenerationJob.objects.filter(user_id=user.pk, status__in=GenerationJob.ACTIVE).order_by("pk").values_list("pk", flat=True)
    )
    if ids:
        job_request_stop(job_ids=ids, reason=reason)


def moderation_act(
    *,
    moderator: User,
    action: str,
    reason: str,
    post_id: int | None = None,
    comment_id: int | None = None,
    username: str | None = None,
    report_ids: list[int] | None = None,
    until: datetime | None = None,
) -> ModerationAction:
    """Record and apply one decision (see the module docstring). Validation happens before anything changes."""
    _require_staff(moderator)
    if action not in Action.values:
        raise Invalid(
            _("The action must be one of {values}.").format(values=', '.join(Action.values)),
            code="action_invalid",
        )
    reason = _clean_reason(reason)
    now = timezone.now()
    if action == Action.SUSPEND:
        until = _clean_until(until, now)
    elif until is not None:
        raise Invalid(_("Only a suspension has an end date (until)."), code="until_unexpected")

    with transaction.atomic():
        post = comment = None
        if comment_id is not None:
            comment = Comment.objects.select_for_update().select_related("author", "post").filter(pk=comment_id).first()
            if comment is None or (post_id is not None and comment.post_id != post_id):
                raise NotFound(_("There is no such comment."), code="comment_not_found")
            post_id = comment.post_id
        if post_id is not None:
            post = Post.objects.select_for_update().select_related("author").filter(pk=post_id).first()
            if post is None:
                raise NotFound(_("There is no such post."), code="post_not_found")
        if comment is not None:
            target = comment.author
        elif post is not None:
            target = post.author
        elif username:
            target = User.objects.filter(username__iexact=username.strip().lstrip("@")).first()
            if target is None:
                raise NotFound(_("No account with that handle."), code="user_not_found")
        else:
            raise Invalid(_("Say what the decision is about: a post, a comment or a member."), code="target_required")
        if target.pk == moderator.pk and action != Action.DISMISS:
            raise Forbidden(_("You cannot act on your own account or posts."), code="own_content")

        whole_post = action == Action.TAKE_DOWN and comment is None and not report_ids
        reports = _open_reports(post=post, comment=comment, report_ids=report_ids, whole_post=whole_post)
        if action == Action.DISMISS and not reports:
            raise Conflict(_("There are no open reports to dismiss here."), code="nothing_to_dismiss")
        if action == Action.TAKE_DOWN:
            if comment is None and post is None:
                raise Invalid(_("A take-down needs a post or a comment."), code="target_required")
            if comment is None and post.state != Post.State.PUBLISHED:
                raise Conflict(_("This post is not published (already taken down or deleted)."), code="not_published")

        record = ModerationAction.objects.create(
            moderator=moderator,
            target=target,
            post=post,
            comment=comment,
            comment_text=comment.text if comment is not None else "",
            comment_parent_id=comment.parent_id if comment is not None else None,
            comment_created_at=comment.created_at if comment is not None else None,
            action=action,
            reason=reason,
            until=until,
        )
        if reports:
            record.reports.set(reports)
        data = {"action": record.pk, "appealable": action in ModerationAction.APPEALABLE}

        if action == Action.TAKE_DOWN and comment is not None:
            _comment_remove(comment=comment)
            notification_create(
                recipient=target, kind=Notification.Kind.MODERATION, post=post,
                message=gettext_noop("Your comment was removed: {reason}"), params={"reason": reason}, data=data,
            )
        elif action == Action.TAKE_DOWN:
            post_take_down(post=post, reason=reason, data=data)
        elif action == Action.WARN:
            notification_create(
                recipient=target, kind=Notification.Kind.MODERATION, post=post,
                message=gettext_noop("You received a warning: {reason}"), params={"reason": reason}, data=data,
            )
        elif action == Action.SUSPEND:
            user_suspend(user=target, until=until, reason=reason)
            with in_language_of(target):
                _stop_jobs(user=target, reason=_("Your account was suspended: {reason}").format(reason=reason)[:300])
            notification_create(
                recipient=target, kind=Notification.Kind.MODERATION, post=post,
                message=gettext_noop("Your account is suspended until {until} UTC: {reason}"),
                params={"until": f"{until:%Y-%m-%d %H:%M}", "reason": reason},
                data=data,
            )

        closed = Report.Status.DISMISSED if action == Action.DISMISS else Report.Status.ACTIONED
        told: set[int] = set()
        reporters = {u.pk: u for u in User.objects.filter(pk__in={r.reporter_id for r in reports})}
        for report in reports:
            about_comment = report.kind == Report.Kind.COMMENT or report.comment_id is not None
            message, params = _reporter_outcome(
                action, author=target, until=until, reason=reason, comment=about_comment, whole_post=whole_post
            )
            with in_language_of(reporters[report.reporter_id]):
                outcome = render(message, params)[:300]
            Report.objects.filter(pk=report.pk).update(status=closed, outcome=outcome, resolved_at=now)
            if report.reporter_id not in told:  # one notification per reporter and decision
                told.add(report.reporter_id)
                notification_create(
                    recipient=reporters[report.reporter_id],
                    kind=Notification.Kind.MODERATION,
                    post=post if action != Action.TAKE_DOWN else None,
                    message=message,
                    params=params,
                    data={"action": record.pk, "reports": [r.pk for r in reports if r.reporter_id == report.reporter_id]},
                )
    return record


def _comment_remove(*, comment: Comment) -> None:
    """Delete a comment (and its replies) and keep the post's comment count right."""
    removed = 1 + Comment.objects.filter(parent_id=comment.pk).count()
    comment.delete()
    Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - removed)
    Post.objects.filter(pk=comment.post_id, comment_count__lt=0).update(comment_count=0)


def _comment_restore(*, record: ModerationAction) -> None:
    """Put a removed comment back as it was (its text, author, thread and time; replies removed with it stay
    removed)."""
    if record.post_id is None or not record.comment_text:
        return
    parent_id = record.comment_parent_id
    if parent_id is not None and not Comment.objects.filter(pk=parent_id, post_id=record.post_id).exists():
        parent_id = None
    comment = Comment.objects.create(post_id=record.post_id, author_id=record.target_id, parent_id=parent_id, text=record.comment_text)
    if record.comment_created_at is not None:
        Comment.objects.filter(pk=comment.pk).update(created_at=record.comment_created_at)
    Post.objects.filter(pk=record.post_id).update(comment_count=F("comment_count") + 1)


# --- appeals -------------------------------------------------------------------------------------------------------


def appeal_create(*, user: User, action_id: int, text: str) -> Appeal:
    """The member a decision was about asks for a second look: once per decision, with a reason."""
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Say why the decision should be looked at again: the appeal is empty."), code="appeal_empty")
    if len(text) > MAX_APPEAL:
        raise Invalid(
            _("The appeal is too long (at most {most} characters).").format(most=MAX_APPEAL),
            code="appeal_too_long",
        )
    record = ModerationAction.objects.filter(pk=action_id, target_id=user.pk).first()
    if record is None:
        raise NotFound(_("There is no such decision about you."), code="not_found")
    if record.action not in ModerationAction.APPEALABLE:
        raise Conflict(_("This decision cannot be appealed."), code="not_appealable")
    try:
        with transaction.atomic():
            return Appeal.objects.create(action=record, author=user, text=text)
    except IntegrityError:
        raise Conflict(
            _("You already appealed this decision: an appeal can be made once."),
            code="already_appealed",
        )


def appeal_decide(*, moderator: User, appeal_id: int, decision: str, reason: str) -> Appeal:
    """Grant (reverse the decision) or deny a pending appeal, with a reason the author is told."""
    _require_staff(moderator)
    if decision not in ("grant", "deny"):
        raise Invalid(_("The decision must be grant or deny."), code="decision_invalid")
    reason = _clean_reason(reason)
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update(of=("self",)).select_related("action__target", "action__post").filter(pk=appeal_id).first()
        if appeal is None:
            raise NotFound(_("There is no such appeal."), code="not_found")
        if appeal.status != Appeal.Status.PENDING:
            decided = _("This appeal was already granted.") if appeal.status == Appeal.Status.GRANTED else _(
                "This appeal was already denied."
            )
            raise Conflict(decided, code="appeal_decided")
        record = appeal.action
        if record.target_id == moderator.pk:
            raise Forbidden(_("Another moderator must decide on your own appeal."), code="own_appeal")
        now = timezone.now()
        appeal.status = Appeal.Status.GRANTED if decision == "grant" else Appeal.Status.DENIED
        appeal.decided_by = moderator
        appeal.decision_reason = reason
        appeal.decided_at = now
        appeal.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
        if decision == "grant":
            _reverse(record=record)
            record.reversed_at = now
            record.save(update_fields=["reversed_at"])
            message = gettext_noop("Your appeal was granted and the decision reversed: {reason}")
        else:
            message = gettext_noop("Your appeal was denied: {reason}")
        notification_create(
            recipient=record.target, kind=Notification.Kind.MODERATION, post=record.post if record.post_id else None,
            message=message, params={"reason": reason}, data={"action": record.pk, "appeal": appeal.pk},
        )
    return appeal


def _reverse(*, record: ModerationAction) -> None:
    if record.action == Action.TAKE_DOWN and record.comment_text:
        _comment_restore(record=record)
    elif record.action == Action.TAKE_DOWN and record.post_id is not None:
        post_restore(post=Post.objects.select_for_update().get(pk=record.post_id))
    elif record.action == Action.SUSPEND:
        user_lift_suspension(user=record.target, until=record.until)


# --- a member's account is erased (privacy) --------------------------------------------------------------------


def member_moderation_erase(*, user: User) -> dict[str, int]:
    """What moderation keeps about an erased member: its decisions stay (the operator may have to keep them),
    pointing at the account's anonymous id; what the member wrote in appeals is blanked."""
    blanked = Appeal.objects.filter(author_id=user.pk).exclude(text="").update(text="")
    kept = ModerationAction.objects.filter(target_id=user.pk).count()
    return {"appeals_blanked": blanked, "moderation_actions_kept": kept}
