"""Asking for a storyboard (several shots, one cast) or a stitch (several of the member's drafts joined): the
shots or sources checked, the prompt policy per shot, consent for every cameo, the limits in seconds, and the
job row."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_check_not_suspended
from core.errors import Conflict, Invalid, NotFound
from generation.backends.base import FRAMINGS, TRANSITIONS
from generation.backends.preview.vocab import CAMERAS

from ..models import GenerationJob
from ..safety.services import policy_check_slowdown, policy_enforce
from .create import MAX_CAMEOS, MAX_PROMPT, MAX_SEED, _cameos_checked, check_limits, job_for_key, job_queued
from .voices import voices_checked

MIN_SHOT_S = 1.0


def _clean_shots(shots: list[dict]) -> list[dict]:
    """The storyboard's shots normalised, or ``Invalid`` naming the shot and what is wrong with it."""
    limit, most = settings.GENERATION_MAX_STORYBOARD_S, settings.GENERATION_MAX_SHOTS
    if not shots:
        raise Invalid(_("A storyboard needs at least one shot."), code="shots_empty")
    if len(shots) > most:
        raise Invalid(
            _("A storyboard has at most {most} shots ({count} given).").format(most=most, count=len(shots)),
            code="too_many_shots",
        )
    cleaned = []
    for number, shot in enumerate(shots, start=1):
        prompt = str(shot.get("prompt") or "").strip()
        if not prompt:
            raise Invalid(_("Shot {number}: write what happens in it.").format(number=number), code="shot_prompt_empty")
        if len(prompt) > MAX_PROMPT:
            raise Invalid(
                _("Shot {number}: the prompt is too long ({length} characters; at most {most}).").format(
                    number=number, length=len(prompt), most=MAX_PROMPT
                ),
                code="prompt_too_long",
            )
        try:
            duration = float(shot.get("duration_s"))
        except (TypeError, ValueError):
            raise Invalid(
                _("Shot {number}: give its length in seconds.").format(number=number),
                code="shot_duration_invalid",
            ) from None
        if not MIN_SHOT_S <= duration <= limit:
            raise Invalid(
                _("Shot {number}: a shot lasts between {least:g} and {limit:g} seconds "
                  "({duration:g} given).").format(number=number, least=MIN_SHOT_S, limit=limit, duration=duration),
                code="shot_duration_out_of_range",
            )
        framing = shot.get("framing") or "wide"
        transition = shot.get("transition") or "cut"
        camera = shot.get("camera") or None
        if framing not in FRAMINGS:
            raise Invalid(
                _("Shot {number}: the framing must be one of {framings}.").format(
                    number=number, framings=', '.join(FRAMINGS)
                ),
                code="framing_invalid",
            )
        if transition not in TRANSITIONS:
            raise Invalid(
                _("Shot {number}: the transition must be one of {transitions}.").format(
                    number=number, transitions=', '.join(TRANSITIONS)
                ),
                code="transition_invalid",
            )
        if camera is not None and camera not in CAMERAS:
            raise Invalid(
                _("Shot {number}: the camera move must be one of {moves}.").format(
                    number=number, moves=', '.join(CAMERAS)
                ),
                code="camera_invalid",
            )
        cleaned.append({"prompt": prompt, "duration_s": round(duration, 3), "framing": framing, "camera": camera,
                        "transition": transition if number > 1 else "cut"})
    total = sum(shot["duration_s"] for shot in cleaned)
    if total > limit:
        raise Invalid(
            _("A storyboard lasts at most {limit:g} seconds; these shots add up to {total:g}.").format(
                limit=limit, total=total
            ),
            code="storyboard_too_long",
        )
    return cleaned


def storyboard_create(
    *,
    user: User,
    shots: list[dict],
    aspect: str = "9:16",
    seed: int | None = None,
    cameo_ids: list[int] | None = None,
    voices: dict[str, str] | None = None,
    language: str = "",
    style: str = "",
    prompt_public: bool = True,
    idempotency_key: str | None = None,
) -> tuple[GenerationJob, bool]:
    """Queue a storyboard: the shots share the cast (``cameo_ids``, ``voices``) and the setting unless a shot
    changes them. Each shot's prompt goes through the prompt policy; the cameos' owners' restrictions are checked
    against every shot. Nothing is written when anything is refused."""
    if (existing := job_for_key(user=user, idempotency_key=idempotency_key)) is not None:
        return existing, False
    user_check_not_suspended(user=user)
    shots = _clean_shots(shots)
    if aspect not in GenerationJob.Aspect.values:
        raise Invalid(
            _("The aspect must be one of {values}.").format(values=', '.join(GenerationJob.Aspect.values)),
            code="aspect_invalid",
        )
    if seed is not None and not (0 <= seed <= MAX_SEED):
        raise Invalid(
            _("The seed must be between 0 and {most}.").format(most=MAX_SEED),
            code="seed_out_of_range",
        )
    policy_check_slowdown(user=user)
    prompt = "\n".join(shot["prompt"] for shot in shots)
    voices = voices_checked(prompt=prompt, voices=voices or {}, language=language, parent_plan=None)
    cameo_ids = list(dict.fromkeys(cameo_ids or []))
    if len(cameo_ids) > MAX_CAMEOS:
        raise Invalid(
            _("A clip can use at most {most} cameos.").format(most=MAX_CAMEOS),
            code="too_many_cameos",
        )
    for shot in shots:
        policy_enforce(user=user, text=shot["prompt"], context="prompt", cameo_ids=cameo_ids)
    cameos_and_bases = _cameos_checked(user=user, cameo_ids=cameo_ids, inherited_ids=[], prompt=prompt,
                                       context="prompt")
    total = sum(shot["duration_s"] for shot in shots)
    return _queue(user=user, kind=GenerationJob.Kind.STORYBOARD, prompt=prompt, duration_s=total, aspect=aspect,
                  seed=seed, shots=shots, voices=voices, language=language, prompt_public=prompt_public,
                  idempotency_key=idempotency_key, cameos_and_bases=cameos_and_bases, stitched=[], style=style)


def stitch_create(
    *, user: User, sources: list[dict], prompt_public: bool = True, idempotency_key: str | None = None
) -> tuple[GenerationJob, bool]:
    """Queue a stitch of the member's own finished drafts (``sources``: ``{draft, transition}`` in order). The
    cameos of every draft come along: their owners' consent is checked again now and when the worker starts."""
    if (existing := job_for_key(user=user, idempotency_key=idempotency_key)) is not None:
        return existing, False
    user_check_not_suspended(user=user)
    most = settings.GENERATION_MAX_SHOTS
    if len(sources) < 2:
        raise Invalid(_("A stitch joins at least two of your drafts."), code="stitch_too_few")
    if len(sources) > most:
        raise Invalid(
            _("A stitch joins at most {most} drafts ({count} given).").format(most=most, count=len(sources)),
            code="too_many_shots",
        )
    ids = [source.get("draft") for source in sources]
    drafts = {job.pk: job for job in GenerationJob.objects.filter(user=user, pk__in=[i for i in ids if i])}
    parts = []
    for number, (source, draft_id) in enumerate(zip(sources, ids), start=1):
        draft = drafts.get(draft_id)
        if draft is None:
            raise NotFound(
                _("Clip {number} of the stitch is not one of your drafts.").format(number=number),
                code="stitch_source_not_found",
            )
        if draft.status != GenerationJob.Status.SUCCEEDED or not draft.video:
            raise Conflict(_("Clip {number} of the stitch is not ready: wait until it is finished (a discarded draft "
                             "cannot be stitched).").format(number=number), code="stitch_source_not_ready")
        transition = source.get("transition") or "cut"
        if transition not in TRANSITIONS:
            raise Invalid(
                _("Clip {number}: the transition must be one of {transitions}.").format(
                    number=number, transitions=', '.join(TRANSITIONS)
                ),
                code="transition_invalid",
            )
        parts.append({"source": draft.pk, "transition": transition if number > 1 else "cut"})
    chosen = [drafts[i] for i in ids]
    if len({draft.aspect for draft in chosen}) > 1:
        raise Invalid(_("The drafts to stitch must all have the same aspect ratio."), code="stitch_aspect_mixed")
    total = sum(draft.duration_s for draft in chosen)
    limit = settings.GENERATION_MAX_STORYBOARD_S
    if total > limit:
        raise Invalid(
            _("A stitched clip lasts at most {limit:g} seconds; these drafts add up to {total:g}.").format(
                limit=limit, total=total
            ),
            code="storyboard_too_long",
        )
    prompt = "\n".join(dict.fromkeys(draft.prompt for draft in chosen))
    cameo_ids = list(dict.fromkeys(cid for draft in chosen for cid in draft.cameos.values_list("pk", flat=True)))
    if len(cameo_ids) > MAX_CAMEOS:
        raise Invalid(
            _("A clip can use at most {most} cameos, and these drafts feature {count}.").format(
                most=MAX_CAMEOS, count=len(cameo_ids)
            ),
            code="too_many_cameos",
        )
    cameos_and_bases = _cameos_checked(user=user, cameo_ids=[], inherited_ids=cameo_ids, prompt=prompt,
                                       context="prompt")
    return _queue(user=user, kind=GenerationJob.Kind.STITCH, prompt=prompt, duration_s=total, aspect=chosen[0].aspect,
                  seed=chosen[0].seed, shots=parts, voices={}, language="",
                  prompt_public=prompt_public and all(d.prompt_public for d in chosen),
                  idempotency_key=idempotency_key, cameos_and_bases=cameos_and_bases, stitched=chosen)


def _queue(*, user, kind, prompt, duration_s, aspect, seed, shots, voices, language, prompt_public, idempotency_key,
           cameos_and_bases, stitched, style: str = "") -> tuple[GenerationJob, bool]:
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if (existing := job_for_key(user=user, idempotency_key=idempotency_key)) is not None:
            return existing, False
        check_limits(user, timezone.now(), seconds=0.0 if kind == GenerationJob.Kind.STITCH else duration_s)
        job = GenerationJob.objects.create(
            user=user, kind=kind, prompt=prompt, prompt_public=prompt_public, duration_s=duration_s, aspect=aspect,
            seed=seed if seed is not None else secrets.randbelow(MAX_SEED + 1), voices=voices,
            language=language or "", style=style or "", shots=shots, idempotency_key=idempotency_key or None,
            max_attempts=settings.GENERATION_MAX_ATTEMPTS, backend=settings.GENERATION_BACKEND,
        )
        if stitched:
            job.stitched.set(stitched)
        job_queued(job=job, user=user, prompt=prompt, cameos_and_bases=cameos_and_bases)
    return job, True
