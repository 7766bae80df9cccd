"""Asking for a generation: validation, limits, the prompt policy's names and phrases, consent for the cameos, and
the job row with its ledger rows."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import user_check_not_suspended
from cameos.services import ConsentRefused, cameo_uses_record_for_job, cameos_check_for_job
from core.errors import Conflict, Invalid, LimitReached, NotFound
from feed.selectors import posts_visible_to

from ..models import GenerationJob
from ..safety.services import policy_check_slowdown, policy_enforce, policy_restriction_refusal_create
from .common import notify_status, wake_workers
from .voices import voices_checked

MAX_PROMPT = 1000
MAX_CAMEOS = 2
MAX_SEED = 2**31 - 1


def job_for_key(*, user: User, idempotency_key: str | None) -> GenerationJob | None:
    """The job this member already asked for with this idempotency key (a retried request), if any."""
    if not idempotency_key:
        return None
    return GenerationJob.objects.filter(user=user, idempotency_key=idempotency_key).first()


def job_queued(*, job: GenerationJob, user: User, prompt: str, cameos_and_bases) -> None:
    """Inside the creating transaction: the job's cameos and their ledger rows, its first status event, and a
    wake-up for the workers once it commits."""
    if cameos_and_bases:
        job.cameos.set([cameo for cameo, _ in cameos_and_bases])
        cameo_uses_record_for_job(job_id=job.pk, user=user, prompt=prompt, cameos_and_bases=cameos_and_bases)
    notify_status(job)
    transaction.on_commit(wake_workers)


def _next_midnight_utc(now: datetime) -> datetime:
    day = now.astimezone(dt_timezone.utc).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=dt_timezone.utc)


def check_limits(user: User, now: datetime, *, seconds: float) -> None:
    """The member's daily allowance in seconds of video (a storyboard counts its whole length; a stitch joins
    seconds already counted) and the number of jobs in progress. Raises ``LimitReached`` (429)."""
    midnight = _next_midnight_utc(now)
    used = GenerationJob.objects.filter(user=user, created_at__gte=midnight - timedelta(days=1)).exclude(
        kind=GenerationJob.Kind.STITCH).aggregate(total=Sum("duration_s"))["total"] or 0.0
    quota = settings.GENERATION_DAILY_SECONDS
    if used + seconds > quota:
        left = max(0.0, quota - used)
        raise LimitReached(
            gettext("This clip needs {seconds:g} s and you have {left:g} s left of your daily {quota:g} s of video. "
                    "It resets at {midnight:%H:%M} UTC.").format(seconds=seconds, left=left, quota=quota, midnight=midnight),
            code="daily_quota",
            extra={"limit": "daily_quota", "quota_s": quota, "used_s": round(used, 3), "requested_s": seconds,
                   "resets_at": midnight.isoformat()},
        )
    active = GenerationJob.objects.filter(user=user, status__in=GenerationJob.ACTIVE).count()
    limit = settings.GENERATION_MAX_ACTIVE_PER_USER
    if active >= limit:
        raise LimitReached(
            gettext("You already have {active} generations in progress (the limit is {limit}). "
                    "Wait for one to finish or cancel it.").format(active=active, limit=limit),
            code="concurrency_limit",
            extra={"limit": "concurrency", "max_active": limit, "resets_at": None},
        )


def _validate(*, prompt: str, duration_s: float, aspect: str, seed: int | None, strength: float) -> str:
    prompt = (prompt or "").strip()
    if not prompt:
        raise Invalid(gettext("Write a prompt: describe the clip you want."), code="prompt_empty")
    if len(prompt) > MAX_PROMPT:
        raise Invalid(
            gettext("The prompt is too long ({length} characters; at most {most}).").format(
                length=len(prompt), most=MAX_PROMPT
            ),
            code="prompt_too_long",
        )
    if not (1 <= duration_s <= 20):
        raise Invalid(gettext("The duration must be between 1 and 20 seconds."), code="duration_out_of_range")
    if aspect not in GenerationJob.Aspect.values:
        raise Invalid(
            gettext("The aspect must be one of {values}.").format(values=', '.join(GenerationJob.Aspect.values)),
            code="aspect_invalid",
        )
    if seed is not None and not (0 <= seed <= MAX_SEED):
        raise Invalid(
            gettext("The seed must be between 0 and {most}.").format(most=MAX_SEED),
            code="seed_out_of_range",
        )
    if not (0.0 < strength <= 1.0):
        raise Invalid(gettext("The remix strength must be above 0 and at most 1."), code="strength_out_of_range")
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
    voices: dict[str, str] | None = None,
    language: str = "",
    style: str = "",
    extend_of_id: int | None = None,
    publish_on_success: bool = False,
    publish_caption: str = "",
    enforce_limits: bool = True,
) -> tuple[GenerationJob, bool]:
    """Queue a generation. Returns (job, created); the same idempotency key returns the first job unchanged.

    Before anything is written: a suspended member is refused (403), a member refused by the prompt policy again
    and again is slowed down (429), and the prompt policy's names and phrases are checked (422 naming the rule,
    logged for moderators). The worker checks the prompt's meaning when it starts the job."""
    if (existing := job_for_key(user=user, idempotency_key=idempotency_key)) is not None:
        return existing, False
    user_check_not_suspended(user=user)
    prompt = _validate(prompt=prompt, duration_s=duration_s, aspect=aspect, seed=seed, strength=strength)
    policy_check_slowdown(user=user)

    source = _draft_to_extend(user=user, extend_of_id=extend_of_id, remix_of_id=remix_of_id, kind=kind)
    parent = None
    if remix_of_id is not None:
        parent = posts_visible_to(user=user).filter(pk=remix_of_id).first()
        if parent is None:
            raise NotFound(gettext("The clip to remix does not exist or you cannot see it."), code="remix_of_not_found")
    if source is not None:
        kind = GenerationJob.Kind.EXTEND
    parent_job = source if source is not None else (parent.job if parent is not None and parent.job_id else None)
    voices = voices_checked(prompt=prompt, voices=voices or {}, language=language,
                            parent_plan=parent_job.scene_plan if parent_job is not None else None)
    cameo_ids = list(dict.fromkeys(cameo_ids or []))
    if len(cameo_ids) > MAX_CAMEOS:
        raise Invalid(
            gettext("A clip can use at most {most} cameos.").format(most=MAX_CAMEOS),
            code="too_many_cameos",
        )
    if parent_job is not None:
        # A remix or an extension carries the likenesses of the clip it starts from: their owners must allow this
        # use too.
        inherited = [cid for cid in parent_job.cameos.values_list("id", flat=True) if cid not in cameo_ids]
        if len(cameo_ids) + len(inherited) > MAX_CAMEOS:
            raise Invalid(
                gettext("A clip can use at most {most} cameos, and the clip you remix already features {count}.").format(
                    most=MAX_CAMEOS, count=len(inherited)
                ),
                code="too_many_cameos",
            )
    else:
        inherited = []
    context = "remix" if parent is not None or source is not None else "prompt"
    policy_enforce(user=user, text=prompt, context=context, cameo_ids=[*cameo_ids, *inherited])
    cameos_and_bases = _cameos_checked(
        user=user, cameo_ids=cameo_ids, inherited_ids=inherited, prompt=prompt, context=context
    )
    cameo_ids = [cameo.pk for cameo, _ in cameos_and_bases]

    if kind is None:
        kind = GenerationJob.Kind.REMIX if parent else (GenerationJob.Kind.CAMEO if cameo_ids else GenerationJob.Kind.TEXT)
    if kind in (GenerationJob.Kind.REMIX, GenerationJob.Kind.EXTEND) and parent is None and source is None:
        raise Invalid(
            gettext("A remix or an extension needs the clip it starts from (remix_of)."),
            code="remix_of_required",
        )

    now = timezone.now()
    with transaction.atomic():
        # Lock the user row: limits are read-then-write, and two requests must not both pass them.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if (existing := job_for_key(user=user, idempotency_key=idempotency_key)) is not None:
            return existing, False
        if enforce_limits:
            check_limits(user, now, seconds=duration_s)
        job = GenerationJob.objects.create(
            user=user,
            kind=kind,
            prompt=prompt,
            prompt_public=prompt_public,
            duration_s=duration_s,
            aspect=aspect,
            seed=seed if seed is not None else secrets.randbelow(MAX_SEED + 1),
            strength=strength,
            voices=voices,
            language=language or "",
            style=style or "",
            remix_of=parent,
            extends=source,
            idempotency_key=idempotency_key or None,
            max_attempts=settings.GENERATION_MAX_ATTEMPTS,
            publish_on_success=publish_on_success,
            publish_caption=publish_caption,
            backend=settings.GENERATION_BACKEND,
        )
        job_queued(job=job, user=user, prompt=prompt, cameos_and_bases=cameos_and_bases)
    return job, True


def _draft_to_extend(*, user: User, extend_of_id: int | None, remix_of_id: int | None,
                     kind: str | None) -> GenerationJob | None:
    """The member's own finished draft that an extension continues, or None when it extends nothing."""
    if extend_of_id is None:
        return None
    if remix_of_id is not None:
        raise Invalid(gettext("Extend either a post (remix_of) or one of your drafts (extend_of), not both."),
                      code="extend_source_ambiguous")
    if kind not in (None, GenerationJob.Kind.EXTEND):
        raise Invalid(
            gettext("A clip made from one of your drafts extends it: use kind “extend”."),
            code="kind_invalid",
        )
    source = GenerationJob.objects.filter(pk=extend_of_id, user=user).first()
    if source is None:
        raise NotFound(gettext("The draft to extend does not exist or is not yours."), code="extend_of_not_found")
    if source.status != GenerationJob.Status.SUCCEEDED or not source.video:
        raise Conflict(
            gettext("The clip to extend is not ready: wait until it is finished (a discarded draft cannot be "
                    "extended)."),
            code="extend_of_not_ready",
        )
    return source


def _cameos_checked(*, user: User, cameo_ids: list[int], inherited_ids: list[int], prompt: str, context: str):
    """Consent for the cameos (cameos.services); a refusal by an owner's restriction is logged with the policy's
    refusals."""
    try:
        return cameos_check_for_job(user=user, cameo_ids=cameo_ids, prompt=prompt, inherited_ids=inherited_ids)
    except ConsentRefused as exc:
        if exc.refusal.clause:
            policy_restriction_refusal_create(
                user=user, text=prompt, detail=exc.refusal.clause, context=context, stage="create"
            )
        raise
