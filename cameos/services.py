"""Writes for cameos: creation and settings, verification, requests and approvals, and the ledger of uses.

Consent is checked when a job is created (``cameos_check_for_job``, then again under a lock on the cameo rows
while the job row is written: ``cameo_uses_record_for_job``), when a worker starts the job
(``cameos_consent_problem``, with the semantic restriction check), and when a draft is published
(``cameos_recheck_for_publish``). Whenever the owner narrows who may use a cameo, or a block or an unfollow
ends a relationship, ``cameo_consent_sweep`` stops the uses that lost consent: queued jobs are cancelled, running
ones stop at their next step, unpublished drafts are deleted. Published posts stay until the owner removes them
(``cameo_use_remove`` / ``cameo_uses_remove_for_user``), which takes them down for everyone.

Locks are taken in one order everywhere: generation job, then ledger row (publishing locks the job and then
writes the ledger), and the cameo row before either when the cameo itself changes.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework import status

from accounts.models import User
from accounts.selectors import is_blocked_between
from config.api import ApiError

from .models import Cameo, CameoApproval, CameoChallenge, CameoReference, CameoRequest, CameoUse
from .phrases import challenge_phrase
from .restrictions import restriction_violated
from .selectors import cameo_media_names, cameo_use_decision, cameos_visible_to
from .uploads import ClipUpload, Photo

logger = logging.getLogger(__name__)

MAX_CAMEOS_PER_USER = 20
MAX_PHOTOS = 5
NAME_MAX = 60
RESTRICTIONS_MAX = 500
CHALLENGE_TTL = timedelta(minutes=10)


# --- helpers --------------------------------------------------------------------------------------------------


def _not_found() -> ApiError:
    return ApiError("There is no such cameo.", code="not_found", status_code=status.HTTP_404_NOT_FOUND)


def _require_owner(*, user, cameo: Cameo) -> None:
    if cameo.owner_id != user.pk:
        raise ApiError("Only the cameo's owner can do that.", code="not_owner", status_code=status.HTTP_403_FORBIDDEN)


def _user_by_handle(username: str) -> User:
    user = User.objects.filter(username__iexact=(username or "").strip().lstrip("@"), is_active=True).first()
    if user is None:
        raise ApiError("No account with that handle.", code="user_not_found", status_code=status.HTTP_404_NOT_FOUND)
    return user


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ApiError("Give the cameo a name.", code="name_empty", extra={"errors": {"name": ["This field may not be blank."]}})
    if len(name) > NAME_MAX:
        raise ApiError(f"The name is too long (at most {NAME_MAX} characters).", code="name_too_long")
    return name


def _clean_permission(permission: str) -> str:
    if permission not in Cameo.Permission.values:
        raise ApiError(f"The permission must be one of {', '.join(Cameo.Permission.values)}.", code="permission_invalid")
    return permission


def _clean_restrictions(restrictions: str) -> str:
    restrictions = (restrictions or "").strip()
    if len(restrictions) > RESTRICTIONS_MAX:
        raise ApiError(f"The restrictions are too long (at most {RESTRICTIONS_MAX} characters).", code="restrictions_too_long")
    return restrictions


def _media_name(cameo_id: int, label: str, extension: str) -> str:
    return f"cameos/{cameo_id}/{label}-{secrets.token_hex(8)}.{extension}"


def storage_delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("could not delete %s", name, exc_info=True)


def _enqueue(task_name: str, arg: int) -> None:
    """Send a cameo check to the worker queue (after commit; the web process never runs it)."""
    from . import tasks

    task = getattr(tasks, task_name)

    def send() -> None:
        try:
            task.apply_async(args=[arg], queue="generation")
        except Exception:
            logger.warning("could not queue %s(%s)", task_name, arg, exc_info=True)

    transaction.on_commit(send)


def _notify(*, recipient, kind: str, text: str, actor=None, post=None, data: dict | None = None) -> None:
    from feed.services import notification_create

    notification_create(recipient=recipient, actor=actor, kind=kind, post=post, text=text[:300], data=data or {})


# --- create, change, delete -----------------------------------------------------------------------------------


def cameo_create(
    *,
    owner: User,
    name: str,
    kind: str,
    photos: list[Photo],
    clip: ClipUpload | None = None,
    permission: str = Cameo.Permission.ONLY_ME,
    restrictions: str = "",
) -> Cameo:
    """A new cameo with its reference media. The worker checks the references (one face per photo of a person)
    and builds the avatar; until then nobody can use the cameo."""
    name = _clean_name(name)
    if kind not in Cameo.Kind.values:
        raise ApiError("The kind must be person or character.", code="kind_invalid")
    permission = _clean_permission(permission)
    restrictions = _clean_restrictions(restrictions)
    if not photos:
        raise ApiError("Add a reference photo.", code="reference_missing", extra={"errors": {"reference": ["No file was submitted."]}})
    if len(photos) > MAX_PHOTOS:
        raise ApiError(f"Use at most {MAX_PHOTOS} reference photos.", code="too_many_references")
    stored: list[str] = []
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=owner.pk).first()  # the count below is read-then-write
            if Cameo.objects.filter(owner=owner).count() >= MAX_CAMEOS_PER_USER:
                raise ApiError(
                    f"You already have {MAX_CAMEOS_PER_USER} cameos. Delete one to make another.",
                    code="too_many_cameos",
                    status_code=status.HTTP_409_CONFLICT,
                )
            cameo = Cameo.objects.create(
                owner=owner,
                kind=kind,
                name=name,
                permission=permission,
                restrictions=restrictions,
                verification_state=Cameo.Verification.NONE if kind == Cameo.Kind.PERSON else Cameo.Verification.NOT_REQUIRED,
            )
            for position, photo in enumerate(photos):
                stored.append(default_storage.save(_media_name(cameo.pk, f"photo{position + 1}", "jpg"), ContentFile(photo.data)))
                CameoReference.objects.create(
                    cameo=cameo, kind=CameoReference.Kind.PHOTO, file=stored[-1], width=photo.width, height=photo.height, position=position
                )
            if clip is not None:
                stored.append(default_storage.save(_media_name(cameo.pk, "clip", clip.extension), ContentFile(clip.data)))
                CameoReference.objects.create(cameo=cameo, kind=CameoReference.Kind.CLIP, file=stored[-1], position=len(photos))
            cameo.reference = stored[0]
            cameo.save(update_fields=["reference"])
            _enqueue("check_references", cameo.pk)
    except BaseException:
        storage_delete(stored)
        raise
    return cameo


def cameo_update(
    *, user: User, cameo: Cameo, name: str | None = None, permission: str | None = None, restrictions: str | None = None
) -> Cameo:
    """Rename, change the level or the restrictions. Narrowing (a lower level, new restrictions) takes effect at
    once: pending uses that lose consent are stopped in the same transaction."""
    _require_owner(user=user, cameo=cameo)
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update().select_related("owner").get(pk=cameo.pk)
        narrowed = False
        fields = ["updated_at"]
        if name is not None:
            cameo.name = _clean_name(name)
            fields.append("name")
        if permission is not None:
            permission = _clean_permission(permission)
            narrowed |= Cameo.LEVELS.index(permission) < Cameo.LEVELS.index(cameo.permission)
            cameo.permission = permission
            fields.append("permission")
        if restrictions is not None:
            restrictions = _clean_restrictions(restrictions)
            narrowed |= bool(restrictions) and restrictions != cameo.restrictions
            cameo.restrictions = restrictions
            fields.append("restrictions")
        cameo.save(update_fields=fields)
        if narrowed:
            cameo_consent_sweep(cameo_ids=[cameo.pk])
    return cameo


def cameo_delete(*, user: User, cameo: Cameo) -> None:
    """Delete a cameo, its stored media and every pending use (queued and running jobs stop, unpublished drafts
    are deleted). Published posts stay; their ledger rows go with the cameo."""
    _require_owner(user=user, cameo=cameo)
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update().select_related("owner").get(pk=cameo.pk)
        names = cameo_media_names(cameo=cameo)
        reason = f"@{cameo.owner.username} deleted the cameo “{cameo.name}”."
        for use_id in _pending_use_ids(cameo_ids=[cameo.pk]):
            _use_stop(use_id=use_id, reason=reason, removed_by=user, only_if_pending=True)
        cameo.delete()
        transaction.on_commit(lambda: storage_delete(names))


# --- the worker's results -------------------------------------------------------------------------------------


def cameo_reference_check_record(
    *, cameo_id: int, passed: bool, reason: str = "", encodings: list[bytes | None] | None = None,
    avatar_jpeg: bytes | None = None, details: dict | None = None
) -> Cameo | None:
    """Record the worker's reference check: ready with its avatar, or rejected with the reason. Returns None
    when the check was already recorded (a redelivered task) or the cameo is gone."""
    avatar_name = ""
    try:
        with transaction.atomic():
            cameo = (
                Cameo.objects.select_for_update()
                .select_related("owner")
                .filter(pk=cameo_id, reference_state=Cameo.ReferenceState.PENDING)
                .first()
            )
            if cameo is None:
                return None
            if passed:
                if not avatar_jpeg:
                    raise ValueError("a passed reference check needs the avatar")
                avatar_name = default_storage.save(_media_name(cameo.pk, "avatar", "jpg"), ContentFile(avatar_jpeg))
                photos = list(cameo.references.filter(kind=CameoReference.Kind.PHOTO).order_by("position"))
                for photo, encoding in zip(photos, encodings or []):
                    if encoding is not None:
                        photo.face_encoding = encoding
                        photo.save(update_fields=["face_encoding"])
                cameo.avatar = avatar_name
                cameo.reference_state = Cameo.ReferenceState.READY
                cameo.reference_reason = ""
                text = f"Your cameo “{cameo.name}” is ready."
                if cameo.kind == Cameo.Kind.PERSON and cameo.verified_at is None:
                    text += " Verify it so others can use it."
            else:
                cameo.reference_state = Cameo.ReferenceState.REJECTED
                cameo.reference_reason = reason[:300]
                text = f"The photos of your cameo “{cameo.name}” were not accepted: {reason}"
            cameo.save(update_fields=["avatar", "reference_state", "reference_reason", "updated_at"])
            _notify(
                recipient=cameo.owner,
                kind="system",
                text=text,
                data={"cameo": cameo.pk, "reference_check": cameo.reference_state, "details": details or {}},
            )
    except BaseException:
        if avatar_name:
            storage_delete([avatar_name])
        raise
    return cameo


def cameo_verification_record(*, challenge_id: int, passed: bool, reason: str = "", details: dict | None = None) -> CameoChallenge | None:
    """Record the worker's verdict on a liveness clip and delete the clip. Returns None when it was already
    recorded. A verdict on an older clip does not override a newer submission."""
    now = timezone.now()
    with transaction.atomic():
        challenge = (
            CameoChallenge.objects.select_for_update().filter(pk=challenge_id, state=CameoChallenge.State.PENDING).first()
        )
        if challenge is None:
            return None
        cameo = Cameo.objects.select_for_update().select_related("owner").get(pk=challenge.cameo_id)
        clip = challenge.clip
        challenge.state = CameoChallenge.State.PASSED if passed else CameoChallenge.State.FAILED
        challenge.checked_at = now
        challenge.reason = reason[:300]
        challenge.details = details or {}
        challenge.clip = ""
        challenge.save(update_fields=["state", "checked_at", "reason", "details", "clip"])
        newer = CameoChallenge.objects.filter(cameo=cameo, submitted_at__gt=challenge.submitted_at).exists()
        if not newer and cameo.verified_at is None:
            cameo.verification_state = Cameo.Verification.VERIFIED if passed else Cameo.Verification.REJECTED
            cameo.verification_reason = "" if passed else reason[:300]
            cameo.verification_checked_at = now
            if passed:
                cameo.verified_at = now
            cameo.save(update_fields=["verification_state", "verification_reason", "verification_checked_at", "verified_at", "updated_at"])
            text = (
                f"Your cameo “{cameo.name}” is verified."
                if passed
                else f"Your cameo “{cameo.name}” was not verified: {reason}"
            )
            _notify(
                recipient=cameo.owner,
                kind="system",
                text=text,
                data={"cameo": cameo.pk, "verification": cameo.verification_state, "reason": cameo.verification_reason},
            )
        if clip:
            transaction.on_commit(lambda: storage_delete([clip]))
    return challenge


# --- verification ---------------------------------------------------------------------------------------------


def _require_verifiable(cameo: Cameo) -> None:
    if cameo.kind != Cameo.Kind.PERSON:
        raise ApiError("Only person cameos are verified.", code="not_a_person", status_code=status.HTTP_409_CONFLICT)
    if cameo.reference_state != Cameo.ReferenceState.READY:
        raise ApiError(
            "The cameo's photos must pass their check before it can be verified.",
            code="references_not_ready",
            status_code=status.HTTP_409_CONFLICT,
        )
    if cameo.verified_at is not None:
        raise ApiError("This cameo is already verified.", code="already_verified", status_code=status.HTTP_409_CONFLICT)


def cameo_challenge_issue(*, user: User, cameo: Cameo) -> CameoChallenge:
    """A new random phrase valid for ten minutes; earlier unused phrases of this cameo stop working."""
    _require_owner(user=user, cameo=cameo)
    _require_verifiable(cameo)
    now = timezone.now()
    with transaction.atomic():
        Cameo.objects.select_for_update().filter(pk=cameo.pk).first()
        CameoChallenge.objects.filter(cameo=cameo, state=CameoChallenge.State.ISSUED, expires_at__gt=now).update(expires_at=now)
        return CameoChallenge.objects.create(cameo=cameo, phrase=challenge_phrase(), expires_at=now + CHALLENGE_TTL)


def cameo_verification_submit(*, user: User, cameo: Cameo, clip: ClipUpload, challenge_id: int | None = None) -> CameoChallenge:
    """Accept a liveness clip for a fresh, unused challenge (the latest one unless ``challenge_id`` names one) and
    hand it to the worker. The cameo's verification becomes ``pending``."""
    _require_owner(user=user, cameo=cameo)
    _require_verifiable(cameo)
    now = timezone.now()
    stored = ""
    try:
        with transaction.atomic():
            cameo = Cameo.objects.select_for_update().get(pk=cameo.pk)
            challenges = CameoChallenge.objects.select_for_update().filter(cameo=cameo)
            if challenge_id is not None:
                challenge = challenges.filter(pk=challenge_id).first()
            else:
                challenge = challenges.order_by("-created_at", "-id").first()
            if challenge is None:
                raise ApiError("Ask for a challenge phrase first, then record yourself saying it.", code="challenge_missing")
            if challenge.state != CameoChallenge.State.ISSUED:
                raise ApiError(
                    "This challenge phrase was already used. Ask for a new one.", code="challenge_used", status_code=status.HTTP_409_CONFLICT
                )
            if challenge.expires_at <= now:
                raise ApiError(
                    "This challenge phrase has expired (phrases last ten minutes). Ask for a new one.",
                    code="challenge_expired",
                    status_code=status.HTTP_409_CONFLICT,
                )
            if CameoChallenge.objects.filter(cameo=cameo, clip_sha256=clip.sha256).exists():
                raise ApiError(
                    "This clip was already submitted. Record a new one for this phrase.", code="clip_reused", status_code=status.HTTP_409_CONFLICT
                )
            stored = default_storage.save(_media_name(cameo.pk, "verify", clip.extension), ContentFile(clip.data))
            challenge.state = CameoChallenge.State.PENDING
            challenge.submitted_at = now
            challenge.clip = stored
            challenge.clip_sha256 = clip.sha256
            challenge.save(update_fields=["state", "submitted_at", "clip", "clip_sha256"])
            cameo.verification_state = Cameo.Verification.PENDING
            cameo.verification_reason = ""
            cameo.save(update_fields=["verification_state", "verification_reason", "updated_at"])
            _enqueue("verify_clip", challenge.pk)
    except BaseException:
        if stored:
            storage_delete([stored])
        raise
    return challenge


# --- requests and approvals -----------------------------------------------------------------------------------


def cameo_request_create(*, user: User, cameo: Cameo, message: str = "") -> tuple[CameoRequest, bool]:
    """Ask the owner for approval. Returns (request, created); asking twice returns the pending request."""
    if cameo.owner_id == user.pk:
        raise ApiError("This is your own cameo.", code="own_cameo")
    if len(message) > 300:
        raise ApiError("The message is too long (at most 300 characters).", code="message_too_long")
    if cameo_use_decision(cameo=cameo, user=user).allowed:
        raise ApiError("You can already use this cameo.", code="already_allowed", status_code=status.HTTP_409_CONFLICT)
    existing = CameoRequest.objects.filter(cameo=cameo, user=user, state=CameoRequest.State.PENDING).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            request = CameoRequest.objects.create(cameo=cameo, user=user, message=message.strip())
            _notify(
                recipient=cameo.owner,
                actor=user,
                kind="cameo_request",
                text=f"@{user.username} asks to use your cameo “{cameo.name}”.",
                data={"cameo": cameo.pk, "request": request.pk},
            )
    except IntegrityError:
        return CameoRequest.objects.get(cameo=cameo, user=user, state=CameoRequest.State.PENDING), False
    return request, True


def cameo_request_close(*, user: User, cameo: Cameo, username: str) -> CameoRequest:
    """The owner declines someone's pending request, or the person who asked withdraws it."""
    target = _user_by_handle(username)
    if user.pk not in (cameo.owner_id, target.pk):
        raise ApiError("Only the cameo's owner or the person who asked can do that.", code="not_allowed", status_code=status.HTTP_403_FORBIDDEN)
    with transaction.atomic():
        request = (
            CameoRequest.objects.select_for_update()
            .filter(cameo=cameo, user=target, state=CameoRequest.State.PENDING)
            .first()
        )
        if request is None:
            raise ApiError(f"@{target.username} has no pending request for this cameo.", code="no_request", status_code=status.HTTP_404_NOT_FOUND)
        request.state = CameoRequest.State.DECLINED if user.pk == cameo.owner_id else CameoRequest.State.WITHDRAWN
        request.decided_at = timezone.now()
        request.save(update_fields=["state", "decided_at"])
    return request


def cameo_approval_create(*, owner: User, cameo: Cameo, username: str) -> tuple[CameoApproval, bool]:
    """Approve someone (whether or not they asked). Their pending request is marked approved and they are told."""
    _require_owner(user=owner, cameo=cameo)
    target = _user_by_handle(username)
    if target.pk == owner.pk:
        raise ApiError("You can always use your own cameo.", code="own_cameo")
    if is_blocked_between(owner.pk, target.pk):
        raise ApiError(f"You cannot approve @{target.username}.", code="blocked", status_code=status.HTTP_403_FORBIDDEN)
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update().get(pk=cameo.pk)
        approval, created = CameoApproval.objects.get_or_create(cameo=cameo, user=target)
        CameoRequest.objects.filter(cameo=cameo, user=target, state=CameoRequest.State.PENDING).update(
            state=CameoRequest.State.APPROVED, decided_at=timezone.now()
        )
        if created:
            note = "" if cameo.permission in (Cameo.Permission.APPROVED, Cameo.Permission.MUTUALS, Cameo.Permission.EVERYONE) else (
                " It is set to “only me” for now."
            )
            _notify(
                recipient=target,
                actor=owner,
                kind="cameo_approved",
                text=f"@{owner.username} approved you to use the cameo “{cameo.name}”.{note}",
                data={"cameo": cameo.pk},
            )
    return approval, created


def cameo_approval_delete(*, owner: User, cameo: Cameo, username: str) -> bool:
    """Remove an approval. Pending uses by that person that lose consent stop at once."""
    _require_owner(user=owner, cameo=cameo)
    target = _user_by_handle(username)
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update().get(pk=cameo.pk)
        deleted, _ = CameoApproval.objects.filter(cameo=cameo, user=target).delete()
        if deleted:
            cameo_consent_sweep(cameo_ids=[cameo.pk], user_id=target.pk)
    return bool(deleted)


# --- consent at creation, at the worker, at publishing -------------------------------------------------------


def _consent_problem(*, cameo: Cameo, user, prompt: str, semantic: bool = False) -> str | None:
    """Why ``user`` may not use ``cameo`` for ``prompt`` now, or None."""
    decision = cameo_use_decision(cameo=cameo, user=user)
    if not decision.allowed:
        return f"Consent for the cameo “{cameo.name}” was withdrawn: {decision.reason}"
    if cameo.owner_id == user.pk:
        return None
    broken = restriction_violated(restrictions=cameo.restrictions, prompt=prompt)
    if broken is None and semantic:
        from .policy import restriction_violated_semantically

        broken = restriction_violated_semantically(restrictions=cameo.restrictions, prompt=prompt)
    if broken:
        return f"@{cameo.owner.username} does not allow this use of “{cameo.name}”: “{broken}”."
    return None


def cameos_check_for_job(*, user, cameo_ids: list[int], prompt: str) -> list[tuple[Cameo, str]]:
    """Consent at job creation: every cameo must be one this user can see, allowed for them now, and the prompt
    must respect the owner's restrictions (phrases here; the meaning is checked by the worker). Returns
    [(cameo, basis)]."""
    if not cameo_ids:
        return []
    visible = {c.pk: c for c in cameos_visible_to(user=user).filter(pk__in=cameo_ids)}
    result = []
    for cameo_id in cameo_ids:
        cameo = visible.get(cameo_id)
        if cameo is None:
            raise ApiError(f"There is no cameo {cameo_id} you can use.", code="cameo_not_found", status_code=status.HTTP_404_NOT_FOUND)
        decision = cameo_use_decision(cameo=cameo, user=user)
        if not decision.allowed:
            raise ApiError(decision.reason, code="cameo_not_allowed", status_code=status.HTTP_403_FORBIDDEN, extra={"cameo": cameo.pk})
        broken = restriction_violated(restrictions=cameo.restrictions, prompt=prompt) if cameo.owner_id != user.pk else None
        if broken:
            raise ApiError(
                f"@{cameo.owner.username} does not allow this use of “{cameo.name}”: “{broken}”.",
                code="cameo_restriction",
                status_code=status.HTTP_403_FORBIDDEN,
                extra={"restriction": broken, "cameo": cameo.pk},
            )
        result.append((cameo, decision.basis))
    return result


def cameo_uses_record_for_job(*, job, cameos_and_bases: list[tuple[Cameo, str]]) -> None:
    """Write the ledger rows of a new job (inside the job's transaction). The cameo rows are locked and consent
    decided again, so a narrowing committed since ``cameos_check_for_job`` either rolls this job back or sees
    (and stops) it."""
    ids = sorted(cameo.pk for cameo, _ in cameos_and_bases)
    locked = {c.pk: c for c in Cameo.objects.select_for_update().select_related("owner").filter(pk__in=ids).order_by("pk")}
    for cameo, _ in cameos_and_bases:
        current = locked.get(cameo.pk)
        if current is None:
            raise ApiError(f"There is no cameo {cameo.pk} you can use.", code="cameo_not_found", status_code=status.HTTP_404_NOT_FOUND)
        decision = cameo_use_decision(cameo=current, user=job.user)
        if not decision.allowed:
            raise ApiError(decision.reason, code="cameo_not_allowed", status_code=status.HTTP_403_FORBIDDEN, extra={"cameo": cameo.pk})
        CameoUse.objects.create(cameo=current, user=job.user, job=job, basis=decision.basis, prompt=job.prompt)
        if current.owner_id != job.user_id:
            _notify(
                recipient=current.owner,
                actor=job.user,
                kind="cameo_use",
                text=f"@{job.user.username} is making a clip with your cameo “{current.name}”.",
                data={"cameo": current.pk, "job": job.pk, "basis": decision.basis},
            )


def cameos_consent_problem(*, job) -> str | None:
    """Consent again, when the worker starts the job: a reason to stop, or None. Includes the semantic check of
    the owners' restrictions (the sentence-embedding model loads in the worker on first use). If that check
    cannot run, the job does not run either."""
    return _job_consent_problem(job=job, semantic=True)


def cameos_recheck_for_publish(*, job) -> None:
    """Consent when a draft is published (web process: phrase matching only; the meaning was checked when the
    job ran)."""
    problem = _job_consent_problem(job=job, semantic=False)
    if problem:
        raise ApiError(problem, code="cameo_not_allowed", status_code=status.HTTP_403_FORBIDDEN)


def _job_consent_problem(*, job, semantic: bool) -> str | None:
    removed = {
        use.cameo_id: use
        for use in CameoUse.objects.filter(job=job, removed_at__isnull=False).select_related("cameo__owner")
    }
    for cameo in job.cameos.select_related("owner").all():
        use = removed.get(cameo.pk)
        if use is not None:
            return use.removed_reason or f"@{cameo.owner.username} removed this use of the cameo “{cameo.name}”."
        try:
            problem = _consent_problem(cameo=cameo, user=job.user, prompt=job.prompt, semantic=semantic)
        except Exception:
            logger.exception("job %s: the restrictions of cameo %s could not be checked", job.pk, cameo.pk)
            return f"The restrictions of the cameo “{cameo.name}” could not be checked, so it was not used. Try again later."
        if problem:
            return problem
    return None


def cameo_uses_attach_post(*, job, post) -> None:
    """The draft became a post (inside the publishing transaction): the ledger rows still in force get the post.
    (feed.services.post_create_from_job tells the owners.)"""
    CameoUse.objects.filter(job=job, removed_at__isnull=True).update(post=post)


# --- stopping and removing uses -------------------------------------------------------------------------------


def _pending_use_ids(*, cameo_ids: list[int], user_id: int | None = None) -> list[int]:
    """Ledger rows whose job is queued or running or left an unpublished draft."""
    from generation.models import GenerationJob

    qs = CameoUse.objects.filter(cameo_id__in=cameo_ids, removed_at__isnull=True, job__isnull=False).filter(
        Q(job__status__in=GenerationJob.ACTIVE) | Q(job__status=GenerationJob.Status.SUCCEEDED, job__draft=GenerationJob.Draft.READY)
    )
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def _use_stop(*, use_id: int, reason: str, removed_by: User | None = None, take_down: bool = False, only_if_pending: bool = False) -> bool:
    """Record the removal of one use and undo what it produced: a queued job is cancelled, a running one stops at
    its next step, an unpublished draft is deleted, and with ``take_down`` a published post is taken down for
    everyone. ``only_if_pending`` leaves published uses alone (revocation does not touch posts). Runs inside the
    caller's transaction; False when there was nothing to do."""
    from feed.models import Post
    from feed.services import post_take_down
    from generation.models import GenerationJob
    from generation.services import job_delete_draft, job_request_stop

    job_id = CameoUse.objects.filter(pk=use_id).values_list("job_id", flat=True).first()
    job = GenerationJob.objects.select_for_update().filter(pk=job_id).first() if job_id else None
    use = CameoUse.objects.select_for_update().select_related("cameo__owner", "user", "post").filter(pk=use_id).first()
    if use is None or use.removed_at is not None:
        return False
    pending = job is not None and (job.status in GenerationJob.ACTIVE or job.draft == GenerationJob.Draft.READY)
    if only_if_pending and not pending:
        return False
    reason = reason[:300]
    use.removed_at = timezone.now()
    use.removed_by = removed_by
    use.removed_reason = reason
    use.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    what = "clip"
    if job is not None:
        if job_request_stop(job_ids=[job.pk], reason=reason):
            what = "generation"
        elif job.draft == GenerationJob.Draft.READY:
            job_delete_draft(job=job, reason=reason)
            what = "draft"
    if what != "clip" and use.user_id != (removed_by.pk if removed_by else None):
        verb = {"generation": "was stopped", "draft": "was deleted"}[what]
        _notify(
            recipient=use.user,
            actor=removed_by,
            kind="moderation",
            text=f"Your clip with the cameo “{use.cameo.name}” {verb}: {reason}",
            data={"cameo": use.cameo_id, "job": use.job_id, "use": use.pk},
        )
    post = use.post
    if take_down and post is not None and post.state == Post.State.PUBLISHED:
        post_take_down(post=post, reason=reason)  # hidden for everyone; its author is told
    return True


def cameo_consent_sweep(*, cameo_ids: list[int], user_id: int | None = None) -> int:
    """Stop every pending use of these cameos (by ``user_id`` only, if given) whose maker lost consent: after the
    owner lowered the level, removed an approval or added restrictions, or after a block or an unfollow.
    Returns how many were stopped."""
    stopped = 0
    for use_id in _pending_use_ids(cameo_ids=cameo_ids, user_id=user_id):
        use = CameoUse.objects.select_related("cameo__owner", "user", "job").get(pk=use_id)
        problem = _consent_problem(cameo=use.cameo, user=use.user, prompt=use.job.prompt)
        if problem:
            with transaction.atomic():
                stopped += _use_stop(use_id=use_id, reason=problem, only_if_pending=True)
    return stopped


def cameos_relationship_changed(*, user_a_id: int, user_b_id: int) -> int:
    """A block or an unfollow between two people can end consent both ways: re-check the pending uses each of
    them made of the other's cameos."""
    stopped = 0
    for owner_id, user_id in ((user_a_id, user_b_id), (user_b_id, user_a_id)):
        cameo_ids = list(Cameo.objects.filter(owner_id=owner_id).values_list("pk", flat=True))
        if cameo_ids:
            stopped += cameo_consent_sweep(cameo_ids=cameo_ids, user_id=user_id)
    return stopped


def cameo_use_remove(*, owner: User, cameo: Cameo, use_id: int) -> CameoUse:
    """The owner removes one use: a draft is deleted, a queued or running job stopped, a post taken down."""
    _require_owner(user=owner, cameo=cameo)
    use = CameoUse.objects.filter(pk=use_id, cameo=cameo).first()
    if use is None:
        raise ApiError("There is no such use of this cameo.", code="use_not_found", status_code=status.HTTP_404_NOT_FOUND)
    if use.removed_at is not None:
        raise ApiError("This use was already removed.", code="already_removed", status_code=status.HTTP_409_CONFLICT)
    reason = f"@{owner.username} removed their cameo “{cameo.name}” from this clip."
    with transaction.atomic():
        _use_stop(use_id=use.pk, reason=reason, removed_by=owner, take_down=True)
    use.refresh_from_db()
    return use


def cameo_uses_remove_for_user(*, owner: User, cameo: Cameo, username: str) -> int:
    """The owner removes every use one person made of the cameo (drafts, jobs and posts). Returns how many."""
    _require_owner(user=owner, cameo=cameo)
    target = _user_by_handle(username)
    reason = f"@{owner.username} removed their cameo “{cameo.name}” from @{target.username}'s clips."
    removed = 0
    with transaction.atomic():
        ids = list(
            CameoUse.objects.filter(cameo=cameo, user=target, removed_at__isnull=True).order_by("pk").values_list("pk", flat=True)
        )
        for use_id in ids:
            removed += _use_stop(use_id=use_id, reason=reason, removed_by=owner, take_down=True)
    return removed
