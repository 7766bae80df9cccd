"""The worker's side of cameos: run the reference check and the liveness check on stored media and record the
verdicts through the services. Only worker processes import this module (through cameos.tasks); face models
and video decoding load here.
"""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
import wave
from pathlib import Path

import numpy as np
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from core.i18n import in_language_of

from . import checks, clips, faces, services
from .models import Cameo, CameoChallenge, CameoReference

logger = logging.getLogger("riff.worker")


def _download(name: str, dest: Path) -> str:
    with default_storage.open(name, "rb") as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out)
    return str(dest)


def _wav(audio, sample_rate: int) -> bytes:
    """Mono float samples as a 16-bit PCM WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes((np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes())
    return out.getvalue()


def references_run(*, cameo_id: int) -> str:
    """Check a new cameo's reference media and build its avatar. Returns the state it ended in."""
    cameo = Cameo.objects.select_related("owner").filter(pk=cameo_id, reference_state=Cameo.ReferenceState.PENDING).first()
    if cameo is None:
        return "skipped"
    with in_language_of(cameo.owner):  # the reasons are the owner's to read
        return _references_check(cameo)


def _references_check(cameo: Cameo) -> str:
    cameo_id = cameo.pk
    person = cameo.kind == Cameo.Kind.PERSON
    references = list(cameo.references.order_by("position"))
    photos = [r for r in references if r.kind == CameoReference.Kind.PHOTO]
    clip = next((r for r in references if r.kind == CameoReference.Kind.CLIP), None)
    with tempfile.TemporaryDirectory(prefix=f"riff-cameo-{cameo_id}-") as tmp:
        try:
            paths = [_download(r.file, Path(tmp) / f"photo-{r.position}.jpg") for r in photos]
            result = checks.check_reference_photos(paths, person=person)
            if clip is not None:
                clip_path = _download(clip.file, Path(tmp) / f"clip{Path(clip.file).suffix}")
                if person:
                    result.details["clip"] = checks.check_reference_clip(clip_path, references=list(result.encodings))
                else:
                    photos_rgb = [checks.load_rgb(path) for path in paths]
                    result.details["clip"] = checks.check_character_clip(clip_path, photos=photos_rgb)
        except checks.CheckFailed as exc:
            services.cameo_reference_check_record(
                cameo_id=cameo_id, passed=False, reason=exc.reason, details=exc.details
            )
            return Cameo.ReferenceState.REJECTED
        except Exception:
            logger.exception("cameo %s: the reference check failed", cameo_id)
            services.cameo_reference_check_record(
                cameo_id=cameo_id,
                passed=False,
                reason=_(
                    "The photos could not be checked because of a problem on our side. Delete the cameo and try again "
                    "later."
                ),
            )
            return Cameo.ReferenceState.REJECTED
    avatar = io.BytesIO()
    result.avatar.save(avatar, format="JPEG", quality=88)
    services.cameo_reference_check_record(
        cameo_id=cameo_id,
        passed=True,
        encodings=[faces.to_bytes(e) if e is not None else None for e in result.encodings],
        avatar_jpeg=avatar.getvalue(),
        details=result.details,
    )
    return Cameo.ReferenceState.READY


def verification_run(*, challenge_id: int) -> str:
    """Check a submitted liveness clip. Returns the challenge's final state."""
    challenge = (
        CameoChallenge.objects.select_related("cameo__owner")
        .filter(pk=challenge_id, state=CameoChallenge.State.PENDING)
        .first()
    )
    if challenge is None:
        return "skipped"
    with in_language_of(challenge.cameo.owner):  # the reasons are the owner's to read
        return _verification_check(challenge)


def _verification_check(challenge: CameoChallenge) -> str:
    challenge_id = challenge.pk
    encodings = [
        faces.from_bytes(data)
        for data in challenge.cameo.references.filter(kind=CameoReference.Kind.PHOTO, face_encoding__isnull=False)
        .order_by("position")
        .values_list("face_encoding", flat=True)
    ]
    passed, reason, details, voice, profile, sample = False, "", {}, None, None, None
    with tempfile.TemporaryDirectory(prefix=f"riff-verify-{challenge_id}-") as tmp:
        try:
            if not encodings:
                raise checks.CheckFailed(_("The cameo's photos have no face on record to compare with."))
            path = _download(challenge.clip, Path(tmp) / f"clip{Path(challenge.clip).suffix}")
            liveness = checks.check_liveness_clip(
                path,
                phrase=challenge.phrase,
                references=encodings,
                issued_at=challenge.created_at,
                submitted_at=challenge.submitted_at,
            )
            details, passed = liveness.details, True
            if challenge.keep_voice:
                voice = _wav(liveness.audio, clips.SAMPLE_RATE)
                profile, sample = _voice_profile_and_sample(liveness.audio, clips.SAMPLE_RATE)
        except checks.CheckFailed as exc:
            reason, details = exc.reason, exc.details
        except Exception:
            logger.exception("challenge %s: the liveness check failed", challenge_id)
            reason = _(
                "The clip could not be checked because of a problem on our side. Ask for a new phrase and try again."
            )
    services.cameo_verification_record(
        challenge_id=challenge_id, passed=passed, reason=reason, details=details, voice_wav=voice,
        voice_profile=profile, voice_sample_wav=sample,
    )
    return CameoChallenge.State.PASSED if passed else CameoChallenge.State.FAILED


SAMPLE_LINE = "Hello! This is how I sound when I speak in a Riff clip."


def _voice_profile_and_sample(audio, sample_rate: int) -> tuple[dict | None, bytes | None]:
    """The kept voice measured (pitch and spectral envelope), and a sample line spoken as the cameo will speak in
    clips, for its owner to hear. A voice too short to measure is still kept, without a profile."""
    from core.voices import voiceprint
    from core.voices.speech import speak_as

    try:
        profile = voiceprint.measure(audio, sample_rate)
    except voiceprint.NoVoice:
        return None, None
    try:
        sample = _wav(speak_as(SAMPLE_LINE, profile, sample_rate=sample_rate), sample_rate)
    except Exception:
        logger.exception("the voice sample could not be made")
        sample = None
    return profile, sample
