"""Writes for generation jobs. Every state change is guarded here and sends its event after commit.

States: queued -> running -> succeeded | failed | cancelled. A worker claims a job by a compare-and-set update,
so a redelivered wake-up never runs a job twice; a reaper returns jobs whose heartbeat went stale to the queue.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from rest_framework import status

from accounts.models import User
from config.api import ApiError
from config.events import send_on_commit, user_group
from config.media import storage_delete

from .models import GenerationJob

logger = logging.getLogger(__name__)

Status = GenerationJob.Status
MAX_PROMPT = 1000
MAX_CAMEOS = 2
MAX_SEED = 2**31 - 1


# --- events ----------------------------------------------------------------------------------------------------


def job_status_event(job: GenerationJob) -> dict:
    return {
        "type": "job.status",
        "job": job.pk,
        "status": job.status,
        "progress": job.progress,
        "error": job.error,
        "draft": job.draft,
        "attempts": job.attempts,
    }


def _notify_status(job: GenerationJob) -> None:
    send_on_commit(user_group(job.user_id), job_status_event(job))


def wake_workers() -> None:
    """Tell the generation queue a job is waiting. Any worker serves any job; a lost wake-up loses nothing
    (the periodic reaper wakes workers whenever jobs are waiting)."""
    from .tasks import run_next_job

    try:
        run_next_job.apply_async(queue="generation")
    except Exception:
        logger.warning("could not send a wake-up to the generation queue", exc_info=True)


# --- create ----------------------------------------------------------------------------------------------------


def _next_midnight_utc(now: datetime) -> datetime:
    day = now.astimezone(dt_timezone.utc).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=dt_timezone.utc)


def _check_limits(user: User, now: datetime) -> None:
    midnight = _next_midnight_utc(now)
    used_today = GenerationJob.objects.filter(user=user, created_at__gte=midnight - timedelta(days=1)).count()
    quota = settings.GENERATION_DAILY_QUOTA
    if used_today >= quota:
        raise ApiError(
            f"You have used your daily quota of {quota} generations. It resets at {midnight:%H:%M} UTC.",
            code="daily_quota",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            extra={"limit": "daily_quota", "quota": quota, "resets_at": midnight.isoformat()},
        )
    active = GenerationJob.objects.filter(user=user, status__in=GenerationJob.ACTIVE).count()
    limit = settings.GENERATION_MAX_ACTIVE_PER_USER
    if active >= limit:
        raise ApiError(
            f"You already have {active} generations in progress (the limit is {limit}). "
            "Wait for one to finish or cancel it.",
            code="concurrency_limit",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            extra={"limit": "concurrency", "max_active": limit, "resets_at": None},
        )


def _validate(*, prompt: str, duration_s: float, aspect: str, seed: int | None, strength: float) -> str:
    prompt = (prompt or "").strip()
    if not prompt:
        raise ApiError("Write a prompt: describe the clip you want.", code="prompt_empty")
    if len(prompt) > MAX_PROMPT:
        raise ApiError(f"The prompt is too long ({len(prompt)} characters; at most {MAX_PROMPT}).", code="prompt_too_long")
    if not (1 <= duration_s <= 20):
        raise ApiError("The duration must be between 1 and 20 seconds.", code="duration_out_of_range")
    if aspect not in GenerationJob.Aspect.values:
        raise ApiError(f"The aspect must be one of {', '.join(GenerationJob.Aspect.values)}.", code="aspect_invalid")
    if seed is not None and not (0 <= seed <= MAX_SEED):
        raise ApiError(f"The seed must be between 0 and {MAX_SEED}.", code="seed_out_of_range")
    if not (0.0 < strength <= 1.0):
        raise ApiError("The remix strength must be above 0 and at most 1.", code="strength_out_of_range")
    return prompt


def job_create(
    *,
    user: User,
    prompt: str,
    duration_s: float = 8.0,
    aspect: str = "9:16",
    seed: int | None = None,
    remix_of_id: int | None = None,
    cameo_ids: list[int] | None = None,
    idempotency_key: str | None = None,
    prompt_public: bool = True,
    strength: float = 0.6,
    kind: str | None = None,
    publish_on_success: bool = False,
    publish_caption: str = "",
    enforce_limits: bool = True,
) -> tuple[GenerationJob, bool]:
    """Queue a generation. Returns (job, created); the same idempotency key returns the first job unchanged.

    Before anything is written: a suspended member is refused (403), a member refused by the prompt policy again
    and again is slowed down (429), and the prompt policy's names and phrases are checked (422 naming the rule,
    logged for moderators). The worker checks the prompt's meaning when it starts the job."""
    from accounts.services import user_check_not_suspended
    from cameos.services import cameo_uses_record_for_job
    from feed.selectors import posts_visible_to

    from .safety.services import policy_check_slowdown, policy_enforce

    if idempotency_key:
        existing = GenerationJob.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    user_check_not_suspended(user=user)
    prompt = _validate(prompt=prompt, duration_s=duration_s, aspect=aspect, seed=seed, strength=strength)
    policy_check_slowdown(user=user)

    parent = None
    if remix_of_id is not None:
        parent = posts_visible_to(user=user).filter(pk=remix_of_id).first()
        if parent is None:
            raise ApiError("The clip to remix does not exist or you cannot see it.", code="remix_of_not_found", status_code=404)
    cameo_ids = list(dict.fromkeys(cameo_ids or []))
    if len(cameo_ids) > MAX_CAMEOS:
        raise ApiError(f"A clip can use at most {MAX_CAMEOS} cameos.", code="too_many_cameos")
    if parent is not None and parent.job_id:
        # A remix carries the likenesses of the clip it starts from: their owners must allow this use too.
        inherited = [cid for cid in parent.job.cameos.values_list("id", flat=True) if cid not in cameo_ids]
        if len(cameo_ids) + len(inherited) > MAX_CAMEOS:
            raise ApiError(
                f"A clip can use at most {MAX_CAMEOS} cameos, and the clip you remix already features {len(inherited)}.",
                code="too_many_cameos",
            )
    else:
        inherited = []
    context = "remix" if parent is not None else "prompt"
    policy_enforce(user=user, text=prompt, context=context, cameo_ids=[*cameo_ids, *inherited])
    cameos_and_bases = _cameos_checked(
        user=user, cameo_ids=cameo_ids, inherited_ids=inherited, prompt=prompt, context=context
    )
    cameo_ids = [cameo.pk for cameo, _ in cameos_and_bases]

    if kind is None:
        kind = GenerationJob.Kind.REMIX if parent else (GenerationJob.Kind.CAMEO if cameo_ids else GenerationJob.Kind.TEXT)
    if kind in (GenerationJob.Kind.REMIX, GenerationJob.Kind.EXTEND) and parent is None:
        raise ApiError("A remix or an extension needs the clip it starts from (remix_of).", code="remix_of_required")

    now = timezone.now()
    with transaction.atomic():
        # Lock the user row: limits are read-then-write, and two requests must not both pass them.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if idempotency_key:
            existing = GenerationJob.objects.filter(user=user, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        if enforce_limits:
            _check_limits(user, now)
        job = GenerationJob.objects.create(
            user=user,
            kind=kind,
            prompt=prompt,
            prompt_public=prompt_public,
            duration_s=duration_s,
            aspect=aspect,
            seed=seed if seed is not None else secrets.randbelow(MAX_SEED + 1),
            strength=strength,
            remix_of=parent,
            idempotency_key=idempotency_key or None,
            max_attempts=settings.GENERATION_MAX_ATTEMPTS,
            publish_on_success=publish_on_success,
            publish_caption=publish_caption,
            backend=settings.GENERATION_BACKEND,
        )
        if cameos_and_bases:
            job.cameos.set([cameo for cameo, _ in cameos_and_bases])
            cameo_uses_record_for_job(job=job, cameos_and_bases=cameos_and_bases)
        _notify_status(job)
        transaction.on_commit(wake_workers)
    return job, True


def _cameos_checked(*, user: User, cameo_ids: list[int], inherited_ids: list[int], prompt: str, context: str):
    """Consent for the cameos (cameos.services); a refusal by an owner's restriction is logged with the policy's
    refusals."""
    from cameos.services import cameos_check_for_job

    from .safety.services import policy_restriction_refusal_create

    try:
        return cameos_check_for_job(user=user, cameo_ids=cameo_ids, prompt=prompt, inherited_ids=inherited_ids)
    except ApiError as exc:
        if exc.get_codes() == "cameo_restriction":
            policy_restriction_refusal_create(
                user=user, text=prompt, detail=str(exc.extra.get("restriction", "")), context=context, stage="create"
            )
        raise


# --- the worker's side ----------------------------------------------------------------------------------------


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
            _notify_status(job)
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
        _notify_status(job)
        if job.publish_on_success:
            job_publish(user=job.user, job=job, caption=job.publish_caption)
    return job


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
        _notify_status(job)
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
        _notify_status(job)
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
            _notify_status(job)
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


# --- the owner's side ----------------------------------------------------------------------------------------


def job_cancel(*, user: User, job: GenerationJob, reason: str = "cancelled by you") -> GenerationJob:
    """Queued jobs are cancelled at once; running ones stop at their next step."""
    if job.user_id != user.pk:
        raise ApiError("Not found.", code="not_found", status_code=404)
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            raise ApiError(
                f"This generation has already {'succeeded' if job.status == Status.SUCCEEDED else job.status}; "
                "there is nothing to cancel.",
                code="job_finished",
                status_code=status.HTTP_409_CONFLICT,
            )
        job.cancel_requested = True
        job.cancel_reason = reason
        if job.status == Status.QUEUED:
            job.status = Status.CANCELLED
            job.finished_at = timezone.now()
        job.save(update_fields=["cancel_requested", "cancel_reason", "status", "finished_at"])
        _notify_status(job)
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
            _notify_status(job)
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
        _notify_status(job)
        transaction.on_commit(lambda: storage_delete(names))


def job_discard(*, user: User, job: GenerationJob) -> None:
    if job.user_id != user.pk:
        raise ApiError("Not found.", code="not_found", status_code=404)
    if job.draft != GenerationJob.Draft.READY:
        raise ApiError("There is no unpublished draft to discard.", code="no_draft", status_code=status.HTTP_409_CONFLICT)
    job_delete_draft(job=job)


def job_publish(*, user: User, job: GenerationJob, caption: str = "", visibility: str = "public"):
    """Turn a draft into a post (once). Consent for every cameo is checked again at this moment, and the caption
    by the prompt policy's names and phrases (the web process loads no model: a caption's meaning is not checked)."""
    from accounts.services import user_check_not_suspended
    from cameos.services import cameos_recheck_for_publish
    from feed.services import post_create_from_job

    from .safety.services import policy_enforce

    if job.user_id != user.pk:
        raise ApiError("Not found.", code="not_found", status_code=404)
    user_check_not_suspended(user=user)
    if len(caption) > 500:
        raise ApiError("The caption is too long (at most 500 characters).", code="caption_too_long")
    if caption.strip():
        policy_enforce(
            user=user, text=caption, context="caption", cameo_ids=list(job.cameos.values_list("pk", flat=True)), stage="publish"
        )
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job.pk)
        if job.status != Status.SUCCEEDED:
            raise ApiError("Only a finished generation can be published.", code="not_ready", status_code=status.HTTP_409_CONFLICT)
        if job.draft == GenerationJob.Draft.PUBLISHED:
            raise ApiError("This draft is already published.", code="already_published", status_code=status.HTTP_409_CONFLICT)
        if job.draft != GenerationJob.Draft.READY:
            raise ApiError("This draft was deleted.", code="draft_deleted", status_code=status.HTTP_409_CONFLICT)
        cameos_recheck_for_publish(job=job)
        post = post_create_from_job(job=job, caption=caption, visibility=visibility)
        job.draft = GenerationJob.Draft.PUBLISHED
        job.save(update_fields=["draft"])
        _notify_status(job)
    return post


