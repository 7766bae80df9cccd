"""Where did this clip come from? A person uploads a clip; a worker reads its C2PA manifest and its invisible
watermark and finds the Riff post it belongs to (when the requester may see it). The web process only checks the
upload is a video (PyAV), stores it and answers at once; the heavy reading happens in the worker, the upload is
deleted when the report is written, and the requester is told over the websocket (``provenance.report``)."""

from __future__ import annotations

import logging
import os
import tempfile
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import Invalid, TooLarge
from core.events import send_to_user
from core.i18n import in_language_of, render
from feed.selectors import posts_visible_to

from .models import GenerationJob, ProvenanceCheck
from .tasks import read_provenance

logger = logging.getLogger(__name__)
SAMPLE_FRAMES = 48  # frames read for the watermark vote (every frame carries the mark)


def provenance_check_create(*, requester, upload) -> ProvenanceCheck:
    """Validate and store an uploaded clip, then queue the reading. Nothing is stored for a bad upload."""
    from core.video import MediaError, validate_video_upload  # PyAV loads on the first upload, not at start-up

    size = getattr(upload, "size", None) or 0
    if size > settings.MAX_UPLOAD_BYTES:
        raise TooLarge(
            _("The file is too large ({size} MB); the limit is {limit} MB.").format(
                size=size // (1024 * 1024), limit=settings.MAX_UPLOAD_BYTES // (1024 * 1024)
            ),
            code="file_too_large",
        )
    try:
        validate_video_upload(upload, max_bytes=settings.MAX_UPLOAD_BYTES)
    except MediaError as exc:
        raise Invalid(str(exc), code="not_a_video")
    upload.seek(0)
    name = default_storage.save(f"provenance-checks/{uuid.uuid4().hex}.mp4", upload)
    check = ProvenanceCheck.objects.create(
        requester=requester if requester is not None and requester.is_authenticated else None,
        upload=name,
        filename=(getattr(upload, "name", "") or "")[:200],
    )
    transaction.on_commit(lambda: read_provenance.apply_async(args=[check.pk], queue="default"))
    return check


def provenance_check_get(*, check_id: int, user) -> ProvenanceCheck | None:
    """A check, for the person who asked for it (a check asked for without an account is open to whoever has its
    id, as its upload was)."""
    check = ProvenanceCheck.objects.filter(pk=check_id).first()
    if check is None or (check.requester_id is not None and check.requester_id != getattr(user, "pk", None)):
        return None
    return check


def provenance_check_run(*, check_id: int) -> None:
    """Worker side: read the marks, match the post, delete the upload, write the report."""
    from core.video import decode_frames  # worker only: PyAV, and OpenCV for the watermark

    from .provenance import extract_payload, extract_v1, read_manifest

    check = ProvenanceCheck.objects.filter(pk=check_id, status=ProvenanceCheck.Status.PENDING).first()
    if check is None:
        return
    workdir = tempfile.mkdtemp(prefix="riff-provenance-")
    path = os.path.join(workdir, "clip.mp4")
    try:
        with default_storage.open(check.upload, "rb") as src, open(path, "wb") as out:
            out.write(src.read())
        anchor = _trust_anchor()
        manifest = read_manifest(path, trust_anchor_pem=anchor)
        try:
            frames = decode_frames(path, max_frames=SAMPLE_FRAMES)
            ident, stats = extract_payload(frames) if len(frames) else (None, {})
            if ident is None and len(frames):  # a clip published before the current mark carries the first one
                legacy, legacy_stats = extract_v1(frames)
                if legacy is not None:
                    ident, stats = legacy, legacy_stats
        except Exception as exc:  # an unreadable picture is a report, not a crash
            ident, stats = None, {"error": str(exc)}
        with in_language_of(check.requester):  # the stored sentences; readers get theirs (report_in_language)
            report = _report(check=check, manifest=manifest, ident=ident, stats=stats)
        status_value = ProvenanceCheck.Status.DONE
    except Exception as exc:
        logger.exception("provenance check %s failed", check_id)
        report = {
            "detail": render(gettext_noop("The clip could not be read: {error}"), {"error": str(exc)}),
            "messages": {"detail": [gettext_noop("The clip could not be read: {error}"), {"error": str(exc)}]},
        }
        status_value = ProvenanceCheck.Status.FAILED
    finally:
        try:
            os.remove(path)
            os.rmdir(workdir)
        except OSError:
            pass
    # The report becomes visible only once the upload is gone: the delete runs inside the transaction that writes it.
    with transaction.atomic():
        ProvenanceCheck.objects.filter(pk=check.pk).update(status=status_value, report=report, finished_at=timezone.now(), upload="")
        default_storage.delete(check.upload)
        if check.requester_id is not None:
            send_to_user(check.requester_id, {"type": "provenance.report", "check": check.pk, "status": status_value})


def _trust_anchor() -> str | None:
    try:
        with open(settings.C2PA_TRUST_ANCHOR) as handle:
            return handle.read()
    except OSError:
        return None


def _matching_post(*, check: ProvenanceCheck, ident: int | None, manifest: dict):
    """The post by watermark first (it survives re-encoding), else by the manifest's job id when it is intact."""
    job = None
    found_by = None
    if ident is not None:
        job = GenerationJob.objects.filter(provenance_id=ident).first()
        found_by = "watermark"
    if job is None and manifest.get("state") in ("valid", "trusted"):
        job_id = (manifest.get("riff") or {}).get("job_id")
        if job_id:
            job = GenerationJob.objects.filter(pk=job_id).first()
            found_by = "manifest"
    if job is None:
        return None, None, False
    post = getattr(job, "post", None) if hasattr(job, "post") else None
    try:
        post = job.post
    except GenerationJob.post.RelatedObjectDoesNotExist:
        post = None
    if post is None:
        return None, found_by, True  # a Riff clip that was never published (or whose post is gone)
    visible = posts_visible_to(user=check.requester).filter(pk=post.pk).exists() if check.requester else (
        post.visibility == post.Visibility.PUBLIC and post.state == post.State.PUBLISHED
    )
    return (post if visible else None), found_by, True


def _certainty(ident: int | None, stats: dict) -> tuple[str, dict]:
    """How sure the reading is, in words (a message id and its values): how many frames carried the mark and how
    many bits the code corrected."""
    if ident is None:
        return "", {}
    params = {"used": stats["frames_used"], "read": stats["frames_read"], "corrected": stats["bits_corrected"],
              "bits": stats["bits"]}
    if stats["bits_corrected"] == 0:
        return gettext_noop("{used} of {read} frames carry the mark; all {bits} bits read clean."), params
    return gettext_noop(
        "{used} of {read} frames carry the mark; {corrected} of {bits} bits were damaged and corrected by the "
        "error-correcting code."
    ), params


def report_in_language(report: dict) -> dict:
    """The stored report with its sentences in the active language (they are kept as message ids and values)."""
    messages = report.get("messages") or {}
    if not messages:
        return report
    shown = {**report, "watermark": dict(report.get("watermark") or {})}
    for key in ("summary", "detail"):
        if key in messages:
            shown[key] = render(*messages[key])
    if "certainty" in messages:
        shown["watermark"]["certainty"] = render(*messages["certainty"]) if messages["certainty"][0] else ""
    return shown


def _report(*, check: ProvenanceCheck, manifest: dict, ident: int | None, stats: dict) -> dict:
    post, found_by, riff_clip = _matching_post(check=check, ident=ident, manifest=manifest)
    c2pa_state = manifest.get("state", "none")
    params: dict = {}
    if c2pa_state == "none" and ident is None:
        summary = gettext_noop("No provenance found: this clip carries no C2PA manifest and no Riff watermark.")
    elif post is not None:
        params = {"author": post.author.username}
        summary = (
            gettext_noop("Made on Riff by @{author}; the signed manifest is intact.")
            if c2pa_state in ("valid", "trusted")
            else gettext_noop(
                "Made on Riff by @{author}; the manifest is missing or altered, but the invisible watermark "
                "identifies the clip."
            )
        )
    elif riff_clip:
        summary = gettext_noop("Made on Riff, but the post is not public or no longer available.")
    elif c2pa_state == "invalid":
        summary = gettext_noop(
            "This clip has a C2PA manifest that does not validate: it was changed after it was signed."
        )
    else:
        summary = gettext_noop("This clip has Content Credentials from another source.")
    certainty = _certainty(ident, stats)
    return {
        "summary": render(summary, params),
        "messages": {"summary": [summary, params], "certainty": list(certainty)},
        "c2pa": {
            "state": c2pa_state,
            "generator": manifest.get("generator"),
            "title": manifest.get("title"),
            "actions": manifest.get("actions", []),
            "ingredients": manifest.get("ingredients", []),
            "riff": manifest.get("riff"),
            "validation_errors": manifest.get("validation_errors", []),
        },
        "watermark": {"found": ident is not None, "payload": ident, "stats": stats, "certainty": render(*certainty) if certainty[0] else ""},
        "riff_clip": riff_clip,
        "found_by": found_by,
        "post": None if post is None else {"id": post.pk, "author": post.author.username, "url": f"/posts/{post.pk}/"},
    }
