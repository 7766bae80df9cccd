"""The worker's side of a job: claiming the next one in fair order, heartbeats and progress, the end of an
attempt (succeeded, failed or back to the queue, cancelled), and the reaper of jobs whose worker died."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from core.errors import DomainError

from ..models import GenerationJob
from .common import notify_status, wake_workers
from .owner import job_publish

logger = logging.getLogger("generation.services")
Status = GenerationJob.Status


def job_claim_next(*, worker_id: str) -> GenerationJob | None:
    """Claim the next queued job in fair order: users whose last job started longest ago (or never) go first,
    then the oldest queued job of that user. The claim is a compare-and-set: queued -> running."""
    now = timezone.now()
    last_start = (
        GenerationJob.objects.filter(user_id=OuterRef("user_id"), started_at__isnull=False)
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    candidates = list(
        GenerationJob.objects.filter(status=Status.QUEUED)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .annotate(user_last_start=Subquery(last_start))
        .order_by(F("user_last_start").asc(nulls_first=True), "created_at", "id")
        .values_list("id", flat=True)[:20]
    )
    for job_id in candidates:
        with transaction.atomic():
            claimed = GenerationJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
                status=Status.RUNNING,
                attempts=F("attempts") + 1,
                worker_id=worker_id,
                heartbeat_at=now,
                started_at=now,
                progress=0.0,
            )
            if not claimed:
                continue
            job = GenerationJob.objects.select_related("user").get(pk=job_id)
            notify_status(job)
        return job
    return None


def job_heartbeat(*, job_id: int, worker_id: str) -> bool:
    """Refresh the lease. False when this worker no longer owns the job (it was reaped or finished)."""
    return bool(
        GenerationJob.objects.filter(pk=job_id, status=Status.RUNNING, worker_id=worker_id).update(heartbeat_at=timezone.now())
    )


def job_record_progress(*, job_id: int, worker_id: str, progress: float) -> tuple[bool, bool, str]:
    """Write progress and the heartbeat; returns (still owned, cancel requested, cancel reason)."""
    progress = min(max(progress, 0.0), 1.0)
    owned = GenerationJob.objects.filter(pk=job_id, status=Status.RUNNING, worker_id=worker_id).update(
        progress=progress, heartbeat_at=timezone.now()
    )
    row = GenerationJob.objects.filter(pk=job_id).values("cancel_requested", "cancel_reason").first() or {}
    return bool(owned), bool(row.get("cancel_requested")), row.get("cancel_reason", "")


def job_succeed(
    *, job_id: int, worker_id: str, video: str, poster: str, scene_plan: dict | None, meta: dict
) -> GenerationJob | None:
    """running -> succeeded with the draft, only if this worker still owns the job and nobody cancelled it.
    Returns None when the compare-and-set lost (the caller then deletes its files): exactly one draft per job."""
    now = timezone.now()
    with transaction.atomic():
        done = GenerationJob.objects.filter(
            pk=job_id, status=Status.RUNNING, worker_id=worker_id, cancel_requested=False
        ).update(
            status=Status.SUCCEEDED,
            video=video,
            poster=poster,
            scene_plan=scene_plan,
            backend_meta=meta,
            draft=GenerationJob.Draft.READY,
            progress=1.0,
            finished_at=now,
            heartbeat_at=now,
            error="",
        )
        if not done:
            return None
        job = GenerationJob.objects.select_related("user").get(pk=job_id)
        notify_status(job)
    if job.publish_on_success:
        _publish_on_success(job)
    return job


def _publish_on_success(job: GenerationJob) -> None:
    """Publish a job made to be published as soon as it is ready (the demo content), in a transaction of its own:
    a refusal (a caption refused, consent withdrawn meanwhile) leaves the draft as any other, and the success
    stands."""
    try:
        job_publish(user=job.user, job=job, caption=job.publish_caption)
    except DomainError as exc:
        logger.warning("job %s: left as a draft, not published: %s", job.pk, exc.message)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60, 2 ** max(0, attempts - 1)))


def job_fail(*, job_id: int, worker_id: str, message: str, transient: bool = False) -> GenerationJob | None:
    """Record a failed attempt. Transient errors go back to the queue with backoff until max_attempts."""
    now = timezone.now()
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().filter(pk=job_id, status=Status.RUNNING, worker_id=worker_id).first()
        if job is None:
            return None
        job.errors = [*job.errors, {"at": now.isoformat(), "attempt": job.attempts, "worker": worker_id, "error": message}]
        job.worker_id = ""
        if transient and job.attempts < job.max_attempts and not job.cancel_requested:
            job.status = Status.QUEUED
            job.not_before = now + _backoff(job.attempts)
            job.progress = 0.0
        else:
            job.status = Status.FAILED
            job.error = message[:500]
            job.finished_at = now
        job.save(update_fields=["errors", "worker_id", "status", "not_before", "progress", "error", "finished_at"])
        notify_status(job)
        if job.status == Status.QUEUED:
            transaction.on_commit(wake_workers)
    return job


def job_mark_cancelled(*, job_id: int, worker_id: str | None = None, reason: str = "") -> GenerationJob | None:
    """A running (or queued) job stops: cancelled, no draft."""
    now = timezone.now()
    qs = GenerationJob.objects.filter(pk=job_id, status__in=GenerationJob.ACTIVE)
    if worker_id is not None:
        qs = qs.filter(Q(status=Status.QUEUED) | Q(worker_id=worker_id))
    with transaction.atomic():
        job = qs.select_for_update().first()
        if job is None:
            return None
        job.status = Status.CANCELLED
        job.finished_at = now
        job.cancel_requested = True
        if reason and not job.cancel_reason:
            job.cancel_reason = reason
        job.error = job.cancel_reason if job.cancel_reason and job.cancel_reason != "cancelled by you" else ""
        job.save(update_fields=["status", "finished_at", "cancel_requested", "cancel_reason", "error"])
        notify_status(job)
    return job


def job_reap_stale(*, lease_s: float | None = None) -> list[int]:
    """Return running jobs whose heartbeat is older than the lease to the queue (or fail them after max_attempts),
    and wake the workers if anything is waiting. Runs periodically (Celery beat) and when a worker starts."""
    lease = timedelta(seconds=lease_s if lease_s is not None else settings.GENERATION_LEASE_S)
    now = timezone.now()
    reaped: list[int] = []
    stale = GenerationJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=now - lease).values_list(
        "id", "heartbeat_at"
    )
    for job_id, heartbeat_at in list(stale):
        with transaction.atomic():
            job = GenerationJob.objects.select_for_update().filter(
                pk=job_id, status=Status.RUNNING, heartbeat_at=heartbeat_at
            ).first()
            if job is None:
                continue
            message = f"The worker running this job stopped responding (attempt {job.attempts})."
            job.errors = [*job.errors, {"at": now.isoformat(), "attempt": job.attempts, "worker": job.worker_id, "error": message}]
            job.worker_id = ""
            if job.cancel_requested:
                job.status = Status.CANCELLED
                job.finished_at = now
            elif job.attempts >= job.max_attempts:
                job.status = Status.FAILED
                job.error = f"The generation failed after {job.attempts} attempts: the worker kept stopping."
                job.finished_at = now
            else:
                job.status = Status.QUEUED
                job.progress = 0.0
            job.save(update_fields=["errors", "worker_id", "status", "finished_at", "error", "progress"])
            notify_status(job)
            reaped.append(job_id)
    # The safety net for lost wake-ups and ended retry backoffs: wake the workers when something was requeued or a
    # claimable job has been waiting longer than one reaper interval.
    overdue = now - timedelta(seconds=settings.GENERATION_REAP_INTERVAL_S)
    waiting = GenerationJob.objects.filter(status=Status.QUEUED, created_at__lt=overdue).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now)
    )
    if reaped or waiting.exists():
        wake_workers()
    return reaped
