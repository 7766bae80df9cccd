"""What a job's owner does with it (cancel, discard the draft, publish it), and what others' decisions do to it
(stopped because consent was withdrawn or its maker was suspended, its draft deleted)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Notification, User
from accounts.services import notification_create, user_check_not_suspended
from cameos.models import CameoUse
from cameos.services import cameo_uses_attach_post, cameos_recheck_for_publish
from core.errors import Conflict, Invalid, NotFound
from core.media import storage_delete
from feed.models import Post
from feed.services import post_create

from ..models import GenerationJob
from ..safety.services import policy_enforce
from .common import notify_status

Status = GenerationJob.Status


def job_cancel(*, user: User, job: GenerationJob, reason: str = "cancelled by you") -> GenerationJob:
    """Queued jobs are cancelled at once; running ones stop at their next step."""
    if job.user_id != user.pk:
        raise NotFound(_("Not found."), code="not_found")
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            finished = {
                Status.SUCCEEDED: _("This generation has already succeeded; there is nothing to cancel."),
                Status.FAILED: _("This generation has already failed; there is nothing to cancel."),
                Status.CANCELLED: _("This generation was already cancelled; there is nothing to cancel."),
            }
            raise Conflict(finished[job.status], code="job_finished")
        job.cancel_requested = True
        job.cancel_reason = reason
        if job.status == Status.QUEUED:
            job.status = Status.CANCELLED
            job.finished_at = timezone.now()
        job.save(update_fields=["cancel_requested", "cancel_reason", "status", "finished_at"])
        notify_status(job)
    return job


def job_request_stop(*, job_ids: list[int], reason: str) -> int:
    """Stop jobs for a reason that is not their owner's (consent withdrawn, moderation): queued ones are cancelled
    now, running ones at their next step. Returns how many were touched."""
    touched = 0
    for job_id in job_ids:
        with transaction.atomic():
            job = GenerationJob.objects.select_for_update().filter(pk=job_id, status__in=GenerationJob.ACTIVE).first()
            if job is None:
                continue
            job.cancel_requested = True
            job.cancel_reason = reason
            if job.status == Status.QUEUED:
                job.status = Status.CANCELLED
                job.finished_at = timezone.now()
                job.error = reason
            job.save(update_fields=["cancel_requested", "cancel_reason", "status", "finished_at", "error"])
            notify_status(job)
            touched += 1
    return touched


def job_delete_draft(*, job: GenerationJob, reason: str = "") -> None:
    """Delete an unpublished draft's files (discarded by its owner, or a cameo use removed)."""
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job.pk)
        if job.draft != GenerationJob.Draft.READY:
            return
        names = [n for n in (job.video, job.poster) if n]
        job.draft = GenerationJob.Draft.DISCARDED
        job.video = job.poster = ""
        if reason:
            job.error = reason[:500]
        job.save(update_fields=["draft", "video", "poster", "error"])
        notify_status(job)
        transaction.on_commit(lambda: storage_delete(names))


def job_discard(*, user: User, job: GenerationJob) -> None:
    if job.user_id != user.pk:
        raise NotFound(_("Not found."), code="not_found")
    if job.draft != GenerationJob.Draft.READY:
        raise Conflict(_("There is no unpublished draft to discard."), code="no_draft")
    job_delete_draft(job=job)


def job_publish(*, user: User, job: GenerationJob, caption: str = "", visibility: str = "public"):
    """Turn a draft into a post (once). Consent for every cameo is checked again at this moment, and the caption
    by the prompt policy's names and phrases (the web process loads no model: a caption's meaning is not checked)."""
    if job.user_id != user.pk:
        raise NotFound(_("Not found."), code="not_found")
    user_check_not_suspended(user=user)
    if len(caption) > 500:
        raise Invalid(_("The caption is too long (at most 500 characters)."), code="caption_too_long")
    if caption.strip():
        policy_enforce(
            user=user, text=caption, context="caption", cameo_ids=list(job.cameos.values_list("pk", flat=True)), stage="publish"
        )
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job.pk)
        if job.status != Status.SUCCEEDED:
            raise Conflict(_("Only a finished generation can be published."), code="not_ready")
        if job.draft == GenerationJob.Draft.PUBLISHED:
            raise Conflict(_("This draft is already published."), code="already_published")
        if job.draft != GenerationJob.Draft.READY:
            raise Conflict(_("This draft was deleted."), code="draft_deleted")
        cameo_ids = list(job.cameos.values_list("pk", flat=True))
        cameos_recheck_for_publish(job_id=job.pk, user=job.user, prompt=job.prompt, cameo_ids=cameo_ids)
        post = _post_from_job(job=job, caption=caption, visibility=visibility)
        job.draft = GenerationJob.Draft.PUBLISHED
        job.save(update_fields=["draft"])
        notify_status(job)
    return post


def _post_from_job(*, job: GenerationJob, caption: str, visibility: str) -> Post:
    """Publish a finished job's draft as a post (called inside the publishing transaction). Owners of the cameos
    it features are told that the clip is now published."""
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
    cameo_uses_attach_post(job_id=job.pk, post=post)
    for use in CameoUse.objects.filter(job=job, removed_at__isnull=True).select_related("cameo__owner"):
        notification_create(
            recipient=use.cameo.owner,
            actor=job.user,
            kind=Notification.Kind.CAMEO_USE,
            post=post,
            message=gettext_noop("@{actor} published a clip with your cameo “{cameo}”."),
            params={"actor": job.user.username, "cameo": use.cameo.name},
            data={"cameo": use.cameo_id, "post": post.pk},
        )
    return post


