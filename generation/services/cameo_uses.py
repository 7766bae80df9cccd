"""What happens to the jobs, drafts and posts that used a cameo when its owner's consent no longer covers them.

cameos decides consent and keeps the ledger (``CameoUse``); it tells this layer when consent narrowed
(``cameos.signals.consent_narrowed``, ``cameo_deleting``), and the owner removes uses from the ledger through
``cameo_use_remove`` and ``cameo_uses_remove_for_user`` here. Stopping a use: a queued job is cancelled with the
reason, a running one stops at its next step (its progress callback raises), an unpublished draft is deleted, and
on the owner's removal a published post is taken down for everyone (feed). The maker is told.

Locks are taken in one order everywhere: generation job, then ledger row (publishing locks the job and then
writes the ledger), and the cameo row before either when the cameo itself changes.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Notification, User
from accounts.services import notification_create
from cameos.models import Cameo, CameoUse
from cameos.services import cameo_use_consent_refusal, cameo_use_mark_removed, require_owner, user_by_handle
from core.errors import Conflict, NotFound
from core.i18n import in_language_of, render
from feed.models import Post
from feed.services import post_take_down

from ..models import GenerationJob
from ..selectors import cameo_use_pending_ids
from .owner import job_delete_draft, job_request_stop

Reason = str | tuple[str, dict]  # a sentence, or a message id and its values (written in the maker's language)


def cameo_use_stop(
    *, use_id: int, reason: Reason, removed_by: User | None = None, take_down: bool = False, only_if_pending: bool = False
) -> bool:
    """Record the removal of one use and undo what it produced: a queued job is cancelled, a running one stops at
    its next step, an unpublished draft is deleted, and with ``take_down`` a published post is taken down for
    everyone. ``only_if_pending`` leaves published uses alone (revocation does not touch posts). Runs inside the
    caller's transaction; False when there was nothing to do."""
    job_id, maker_id = CameoUse.objects.filter(pk=use_id).values_list("job_id", "user_id").first() or (None, None)
    if not isinstance(reason, str):
        with in_language_of(User.objects.filter(pk=maker_id).first()):
            reason = render(*reason)
    job = GenerationJob.objects.select_for_update().filter(pk=job_id).first() if job_id else None
    pending = job is not None and (job.status in GenerationJob.ACTIVE or job.draft == GenerationJob.Draft.READY)
    if only_if_pending and not pending:
        return False
    use = cameo_use_mark_removed(use_id=use_id, reason=reason, removed_by=removed_by)
    if use is None:
        return False
    reason = use.removed_reason
    what = "clip"
    if job is not None:
        if job_request_stop(job_ids=[job.pk], reason=reason):
            what = "generation"
        elif job.draft == GenerationJob.Draft.READY:
            job_delete_draft(job=job, reason=reason)
            what = "draft"
    if what != "clip" and use.user_id != (removed_by.pk if removed_by else None):
        message = {
            "generation": gettext_noop("Your clip with the cameo “{cameo}” was stopped: {reason}"),
            "draft": gettext_noop("Your clip with the cameo “{cameo}” was deleted: {reason}"),
        }[what]
        notification_create(
            recipient=use.user,
            actor=removed_by,
            kind=Notification.Kind.MODERATION,
            message=message,
            params={"cameo": use.cameo.name, "reason": reason},
            data={"cameo": use.cameo_id, "job": use.job_id, "use": use.pk},
        )
    post = use.post
    if take_down and post is not None and post.state == Post.State.PUBLISHED:
        post_take_down(post=post, reason=reason)  # hidden for everyone; its author is told
    return True


def cameo_uses_stop_lost_consent(*, cameo_ids: list[int], user_id: int | None = None) -> int:
    """Stop every use in progress of these cameos (by ``user_id`` only, if given) whose maker lost consent: after
    the owner lowered the level, removed an approval or added restrictions, after a block or an unfollow, or a
    guardian's choice (cameos.signals.consent_narrowed). Returns how many were stopped."""
    stopped = 0
    for use_id in cameo_use_pending_ids(cameo_ids=cameo_ids, user_id=user_id):
        use = CameoUse.objects.select_related("cameo__owner", "user").get(pk=use_id)
        with in_language_of(use.user):  # the reason is the maker's to read
            refusal = cameo_use_consent_refusal(use=use)
        if refusal is not None:
            with transaction.atomic():
                stopped += cameo_use_stop(use_id=use_id, reason=refusal.message, only_if_pending=True)
    return stopped


def cameo_uses_stop_for_deleted_cameo(*, cameo_id: int, removed_by: User, reason: Reason) -> None:
    """The cameo is being deleted (cameos.signals.cameo_deleting): every use in progress stops. Published posts
    stay; their ledger rows go with the cameo."""
    for use_id in cameo_use_pending_ids(cameo_ids=[cameo_id]):
        cameo_use_stop(use_id=use_id, reason=reason, removed_by=removed_by, only_if_pending=True)


def cameo_use_remove(*, owner: User, cameo: Cameo, use_id: int) -> CameoUse:
    """The owner removes one use: a draft is deleted, a queued or running job stopped, a post taken down."""
    require_owner(user=owner, cameo=cameo)
    use = CameoUse.objects.filter(pk=use_id, cameo=cameo).first()
    if use is None:
        raise NotFound(_("There is no such use of this cameo."), code="use_not_found")
    if use.removed_at is not None:
        raise Conflict(_("This use was already removed."), code="already_removed")
    reason = (gettext_noop("@{owner} removed their cameo “{cameo}” from this clip."), {"owner": owner.username, "cameo": cameo.name})
    with transaction.atomic():
        cameo_use_stop(use_id=use.pk, reason=reason, removed_by=owner, take_down=True)
    use.refresh_from_db()
    return use


def cameo_uses_remove_for_user(*, owner: User, cameo: Cameo, username: str) -> int:
    """The owner removes every use one person made of the cameo (drafts, jobs and posts). Returns how many."""
    require_owner(user=owner, cameo=cameo)
    target = user_by_handle(username)
    reason = (
        gettext_noop("@{owner} removed their cameo “{cameo}” from @{maker}'s clips."),
        {"owner": owner.username, "cameo": cameo.name, "maker": target.username},
    )
    removed = 0
    with transaction.atomic():
        ids = list(
            CameoUse.objects.filter(cameo=cameo, user=target, removed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for use_id in ids:
            removed += cameo_use_stop(use_id=use_id, reason=reason, removed_by=owner, take_down=True)
    return removed
