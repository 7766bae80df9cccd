"""Creating, changing and deleting cameos; recording the worker's verdicts; the verification challenge."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.errors import Conflict, Invalid
from core.media import storage_delete
from core.tasks import enqueue_on_commit
from core.uploads import ClipUpload, Photo

from .. import signals, tasks
from ..clips import upload_voiced_seconds
from ..models import Cameo, CameoChallenge, CameoReference
from ..phrases import challenge_phrase
from ..selectors import cameo_media_names
from .common import (
    CHALLENGE_TTL,
    MAX_CAMEOS_PER_USER,
    MAX_PHOTOS,
    MIN_CHARACTER_PHOTOS,
    MIN_UPLOAD_VOICE_S,
    clean_name,
    clean_permission,
    clean_restrictions,
    media_name,
    notify,
    require_owner,
)
from .consent import cameo_consent_narrowed

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
    name = clean_name(name)
    if kind not in Cameo.Kind.values:
        raise Invalid(_("The kind must be person or character."), code="kind_invalid")
    permission = clean_permission(permission)
    restrictions = clean_restrictions(restrictions)
    if not photos:
        raise Invalid(
            _("Add a reference photo."),
            code="reference_missing",
            extra={"errors": {"reference": [_("No file was submitted.")]}},
        )
    if len(photos) > MAX_PHOTOS:
        raise Invalid(
            _("Use at most {most} reference photos.").format(most=MAX_PHOTOS),
            code="too_many_references",
        )
    if kind == Cameo.Kind.CHARACTER and clip is None and len(photos) < MIN_CHARACTER_PHOTOS:
        raise Invalid(
            _("A character needs a short clip of it, or at least {least} photos of it from different "
              "sides, so that clips can show it the same way every time.").format(least=MIN_CHARACTER_PHOTOS),
            code="character_references_missing",
            extra={"errors": {"reference": [_("Add a clip or {least} photos.").format(least=MIN_CHARACTER_PHOTOS)]}},
        )
    stored: list[str] = []
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=owner.pk).first()  # the count below is read-then-write
            if Cameo.objects.filter(owner=owner).count() >= MAX_CAMEOS_PER_USER:
                raise Conflict(
                    _("You already have {most} cameos. Delete one to make another.").format(
                        most=MAX_CAMEOS_PER_USER
                    ),
                    code="too_many_cameos",
                )
            cameo = Cameo.objects.create(
                owner=owner,
                kind=kind,
                name=name,
                permission=permission,
                restrictions=restrictions,
                verification_state=(
                    Cameo.Verification.NONE if kind == Cameo.Kind.PERSON else Cameo.Verification.NOT_REQUIRED
                ),
            )
            for position, photo in enumerate(photos):
                stored.append(
                    default_storage.save(media_name(cameo.pk, f"photo{position + 1}", "jpg"), ContentFile(photo.data))
                )
                CameoReference.objects.create(
                    cameo=cameo,
                    kind=CameoReference.Kind.PHOTO,
                    file=stored[-1],
                    width=photo.width,
                    height=photo.height,
                    position=position,
                )
            if clip is not None:
                stored.append(
                    default_storage.save(media_name(cameo.pk, "clip", clip.extension), ContentFile(clip.data))
                )
                CameoReference.objects.create(
                    cameo=cameo, kind=CameoReference.Kind.CLIP, file=stored[-1], position=len(photos)
                )
            cameo.reference = stored[0]
            cameo.save(update_fields=["reference"])
            enqueue_on_commit(tasks.check_references, cameo.pk)
    except BaseException:
        storage_delete(stored)
        raise
    return cameo


def cameo_update(
    *, user: User, cameo: Cameo, name: str | None = None, permission: str | None = None, restrictions: str | None = None,
    voice_in_clips: bool | None = None,
) -> Cameo:
    """Rename, change the level or the restrictions, switch the kept voice on or off for clips. Narrowing (a lower level, new restrictions) takes effect at
    once: pending uses that lose consent are stopped in the same transaction."""
    require_owner(user=user, cameo=cameo)
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update(of=("self",)).select_related("owner").get(pk=cameo.pk)
        narrowed = False
        fields = ["updated_at"]
        if name is not None:
            cameo.name = clean_name(name)
            fields.append("name")
        if permission is not None:
            permission = clean_permission(permission)
            narrowed |= Cameo.LEVELS.index(permission) < Cameo.LEVELS.index(cameo.permission)
            cameo.permission = permission
            fields.append("permission")
        if restrictions is not None:
            restrictions = clean_restrictions(restrictions)
            narrowed |= bool(restrictions) and restrictions != cameo.restrictions
            cameo.restrictions = restrictions
            fields.append("restrictions")
        if voice_in_clips is not None:
            cameo.voice_in_clips = bool(voice_in_clips)
            fields.append("voice_in_clips")
        cameo.save(update_fields=fields)
        if narrowed:
            cameo_consent_narrowed(cameo_ids=[cameo.pk])
    return cameo


def cameo_delete(*, user: User, cameo: Cameo) -> None:
    """Delete a cameo, its stored media and every pending use (queued and running jobs stop, unpublished drafts
    are deleted). Published posts stay; their ledger rows go with the cameo."""
    require_owner(user=user, cameo=cameo)
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update(of=("self",)).select_related("owner").get(pk=cameo.pk)
        names = cameo_media_names(cameo=cameo)
        reason = (gettext_noop("@{owner} deleted the cameo “{cameo}”."), {"owner": cameo.owner.username, "cameo": cameo.name})
        signals.cameo_deleting.send(sender=Cameo, cameo_id=cameo.pk, removed_by=user, reason=reason)
        cameo.delete()
        transaction.on_commit(lambda: storage_delete(names))


# --- the worker's results -------------------------------------------------------------------------------------


def cameo_reference_check_record(
    *,
    cameo_id: int,
    passed: bool,
    reason: str = "",
    encodings: list[bytes | None] | None = None,
    avatar_jpeg: bytes | None = None,
    details: dict | None = None,
) -> Cameo | None:
    """Record the worker's reference check: ready with its avatar, or rejected with the reason. Returns None
    when the check was already recorded (a redelivered task) or the cameo is gone."""
    avatar_name = ""
    try:
        with transaction.atomic():
            cameo = (
                Cameo.objects.select_for_update(of=("self",))
                .select_related("owner")
                .filter(pk=cameo_id, reference_state=Cameo.ReferenceState.PENDING)
                .first()
            )
            if cameo is None:
                return None
            if passed:
                if not avatar_jpeg:
                    raise ValueError("a passed reference check needs the avatar")
                avatar_name = default_storage.save(media_name(cameo.pk, "avatar", "jpg"), ContentFile(avatar_jpeg))
                photos = list(cameo.references.filter(kind=CameoReference.Kind.PHOTO).order_by("position"))
                for photo, encoding in zip(photos, encodings or []):
                    if encoding is not None:
                        photo.face_encoding = encoding
                        photo.save(update_fields=["face_encoding"])
                cameo.avatar = avatar_name
                cameo.reference_state = Cameo.ReferenceState.READY
                cameo.reference_reason = ""
                message = gettext_noop("Your cameo “{cameo}” is ready.")
                if cameo.kind == Cameo.Kind.PERSON and cameo.verified_at is None:
                    message = gettext_noop("Your cameo “{cameo}” is ready. Verify it: until then nobody can use it, you included.")
            else:
                cameo.reference_state = Cameo.ReferenceState.REJECTED
                cameo.reference_reason = reason[:300]
                message = gettext_noop("The photos of your cameo “{cameo}” were not accepted: {reason}")
            cameo.save(update_fields=["avatar", "reference_state", "reference_reason", "updated_at"])
            notify(
                recipient=cameo.owner,
                kind="system",
                message=message,
                params={"cameo": cameo.name, "reason": reason},
                data={"cameo": cameo.pk, "reference_check": cameo.reference_state, "details": details or {}},
            )
    except BaseException:
        if avatar_name:
            storage_delete([avatar_name])
        raise
    return cameo


def cameo_verification_record(
    *, challenge_id: int, passed: bool, reason: str = "", details: dict | None = None, voice_wav: bytes | None = None,
    voice_profile: dict | None = None, voice_sample_wav: bytes | None = None,
) -> CameoChallenge | None:
    """Record the worker's verdict on a liveness clip and delete the clip. Returns None when it was already
    recorded. A verdict on an older clip does not override a newer submission. When the clip passed and its
    owner asked to keep their voice, ``voice_wav`` becomes the cameo's voice (replacing an earlier one), with its
    measured profile and a sample line spoken as the cameo will speak."""
    stored: list[str] = []  # files written by this call: deleted again if it fails
    try:
        return _verification_record(
            challenge_id=challenge_id, passed=passed, reason=reason, details=details, stored=stored,
            voice=(voice_wav, voice_profile, voice_sample_wav),
        )
    except BaseException:
        storage_delete(stored)
        raise


def _verification_record(*, challenge_id, passed, reason, details, voice, stored: list) -> CameoChallenge | None:
    voice_wav, voice_profile, voice_sample_wav = voice
    now = timezone.now()
    with transaction.atomic():
        challenge = (
            CameoChallenge.objects.select_for_update()
            .filter(pk=challenge_id, state=CameoChallenge.State.PENDING)
            .first()
        )
        if challenge is None:
            return None
        cameo = Cameo.objects.select_for_update(of=("self",)).select_related("owner").get(pk=challenge.cameo_id)
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
            cameo.save(
                update_fields=[
                    "verification_state",
                    "verification_reason",
                    "verification_checked_at",
                    "verified_at",
                    "updated_at",
                ]
            )
            if passed and challenge.keep_voice and voice_wav:
                stored.append(default_storage.save(media_name(cameo.pk, "voice", "wav"), ContentFile(voice_wav)))
                old_files = [n for n in (cameo.voice, cameo.voice_sample) if n]
                cameo.voice, cameo.voice_kept_at, cameo.voice_profile = stored[-1], now, voice_profile
                cameo.voice_sample = ""
                if voice_sample_wav:
                    sample = ContentFile(voice_sample_wav)
                    stored.append(default_storage.save(media_name(cameo.pk, "voice-sample", "wav"), sample))
                    cameo.voice_sample = stored[-1]
                cameo.save(update_fields=["voice", "voice_kept_at", "voice_profile", "voice_sample", "updated_at"])
                if old_files:
                    transaction.on_commit(lambda: storage_delete(old_files))
            message = (
                gettext_noop("Your cameo “{cameo}” is verified.")
                if passed
                else gettext_noop("Your cameo “{cameo}” was not verified: {reason}")
            )
            notify(
                recipient=cameo.owner,
                kind="system",
                message=message,
                params={"cameo": cameo.name, "reason": reason},
                data={"cameo": cameo.pk, "verification": cameo.verification_state, "reason": cameo.verification_reason},
            )
        if clip:
            transaction.on_commit(lambda: storage_delete([clip]))
    return challenge


# --- verification ---------------------------------------------------------------------------------------------


def _require_verifiable(cameo: Cameo) -> None:
    if cameo.kind != Cameo.Kind.PERSON:
        raise Conflict(_("Only person cameos are verified."), code="not_a_person")
    if cameo.reference_state != Cameo.ReferenceState.READY:
        raise Conflict(
            _("The cameo's photos must pass their check before it can be verified."),
            code="references_not_ready",
        )
    if cameo.verified_at is not None:
        raise Conflict(_("This cameo is already verified."), code="already_verified")


def cameo_challenge_issue(*, user: User, cameo: Cameo) -> CameoChallenge:
    """A new random phrase valid for ten minutes; earlier unused phrases of this cameo stop working."""
    require_owner(user=user, cameo=cameo)
    _require_verifiable(cameo)
    now = timezone.now()
    with transaction.atomic():
        Cameo.objects.select_for_update().filter(pk=cameo.pk).first()
        CameoChallenge.objects.filter(cameo=cameo, state=CameoChallenge.State.ISSUED, expires_at__gt=now).update(
            expires_at=now
        )
        return CameoChallenge.objects.create(cameo=cameo, phrase=challenge_phrase(), expires_at=now + CHALLENGE_TTL)


def cameo_verification_submit(
    *, user: User, cameo: Cameo, clip: ClipUpload, challenge_id: int | None = None, keep_voice: bool = False
) -> CameoChallenge:
    """Accept a liveness clip for a fresh, unused challenge (the latest one unless ``challenge_id`` names one) and
    hand it to the worker. The cameo's verification becomes ``pending``. A clip with no sound, or no voice in its
    sound, is refused here and leaves the challenge unused: a challenge is used up only by a clip the worker
    really checks. ``keep_voice``: the owner agrees that the clip's voice be kept as their cameo's voice."""
    require_owner(user=user, cameo=cameo)
    _require_verifiable(cameo)
    if not clip.has_audio:
        raise Invalid(_("The clip has no sound. Record yourself saying the phrase aloud."), code="clip_no_audio")
    if upload_voiced_seconds(clip.data) < MIN_UPLOAD_VOICE_S:
        raise Invalid(
            _("No voice was heard in the clip. Record yourself saying the phrase aloud, clearly."),
            code="clip_no_speech",
        )
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
                raise Invalid(
                    _("Ask for a challenge phrase first, then record yourself saying it."), code="challenge_missing"
                )
            if challenge.state != CameoChallenge.State.ISSUED:
                raise Conflict(
                    _("This challenge phrase was already used. Ask for a new one."),
                    code="challenge_used",
                )
            if challenge.expires_at <= now:
                raise Conflict(
                    _("This challenge phrase has expired (phrases last ten minutes). Ask for a new one."),
                    code="challenge_expired",
                )
            if CameoChallenge.objects.filter(cameo=cameo, clip_sha256=clip.sha256).exists():
                raise Conflict(
                    _("This clip was already submitted. Record a new one for this phrase."),
                    code="clip_reused",
                )
            stored = default_storage.save(media_name(cameo.pk, "verify", clip.extension), ContentFile(clip.data))
            challenge.state = CameoChallenge.State.PENDING
            challenge.submitted_at = now
            challenge.clip = stored
            challenge.clip_sha256 = clip.sha256
            challenge.keep_voice = keep_voice
            challenge.save(update_fields=["state", "submitted_at", "clip", "clip_sha256", "keep_voice"])
            cameo.verification_state = Cameo.Verification.PENDING
            cameo.verification_reason = ""
            cameo.save(update_fields=["verification_state", "verification_reason", "updated_at"])
            enqueue_on_commit(tasks.verify_clip, challenge.pk)
    except BaseException:
        if stored:
            storage_delete([stored])
        raise
    return challenge


def cameo_voice_delete(*, user: User, cameo: Cameo) -> bool:
    """The owner deletes the voice kept from their verification clip (file and all). Returns whether there was
    one."""
    require_owner(user=user, cameo=cameo)
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update().get(pk=cameo.pk)
        names = [n for n in (cameo.voice, cameo.voice_sample) if n]
        if not cameo.voice:
            return False
        cameo.voice, cameo.voice_kept_at, cameo.voice_profile, cameo.voice_sample = "", None, None, ""
        cameo.save(update_fields=["voice", "voice_kept_at", "voice_profile", "voice_sample", "updated_at"])
        transaction.on_commit(lambda: storage_delete(names))
    return True
