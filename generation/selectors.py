from __future__ import annotations

from django.db.models import Q, QuerySet

from cameos.models import CameoUse

from .models import GenerationJob


def jobs_of(*, user) -> QuerySet[GenerationJob]:
    return (
        GenerationJob.objects.filter(user=user)
        .select_related("post")
        .prefetch_related("cameos")
        .order_by("-created_at", "-id")
    )


def job_get_for_owner(*, user, job_id: int) -> GenerationJob | None:
    return jobs_of(user=user).filter(pk=job_id).first()


# --- the uses of cameos (the ledger is cameos'; what became of each use is read here) ------------------------


def cameo_use_pending_ids(*, cameo_ids: list[int], user_id: int | None = None) -> list[int]:
    """Ledger rows whose job is queued or running or left an unpublished draft."""
    qs = CameoUse.objects.filter(cameo_id__in=cameo_ids, removed_at__isnull=True, job__isnull=False).filter(
        Q(job__status__in=GenerationJob.ACTIVE)
        | Q(job__status=GenerationJob.Status.SUCCEEDED, job__draft=GenerationJob.Draft.READY)
    )
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def cameo_use_state(use: CameoUse) -> str:
    """Where a use stands now, in one word: removed, published, taken_down, deleted, queued, running, draft,
    discarded, cancelled, failed or gone (the job no longer exists)."""
    if use.removed_at is not None:
        return "removed"
    if use.post is not None:
        return use.post.state
    job = use.job
    if job is None:
        return "gone"
    if job.status == GenerationJob.Status.SUCCEEDED:
        return {GenerationJob.Draft.READY: "draft", GenerationJob.Draft.PUBLISHED: "published"}.get(job.draft, "discarded")
    return job.status


def cameo_use_media(use: CameoUse, field: str) -> str:
    """The stored name of a use's ``video`` or ``poster``: its post's, or its job's unpublished draft's ("" when
    there is none). The cameo's owner may watch every clip their likeness is in."""
    if use.post is not None and getattr(use.post, field):
        return getattr(use.post, field)
    job = use.job
    if job is not None and job.draft == GenerationJob.Draft.READY:
        return getattr(job, field)
    return ""
