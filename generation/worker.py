"""The generation worker's runtime: one backend per process, a loop that claims jobs in fair order, heartbeats,
throttled progress events, cancellation, post-processing and storing the draft.

Only worker processes import this module (through the Celery task); it is where heavy libraries may load.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from cameos.services import ConsentRefusal, cameos_consent_refusal
from core.events import send_now, user_group
from core.i18n import in_language_of
from core.media import storage_delete

from . import services
from .backends.base import BackendError, CameoRef, GenerationRequest, JobCancelled, ParentClip, Shot
from .models import GenerationJob
from .postprocess import Ingredient, finish_clip
from .safety.policy import prompt_check
from .safety.services import policy_refusal_create, policy_restriction_refusal_create
from .stitch import Source, stitch_stream

logger = logging.getLogger("riff.worker")

_backend = None
_backend_lock = threading.Lock()
GENERATE_SHARE = 0.9  # progress 0..0.9 is the backend, the rest post-processing


class LeaseLost(Exception):
    """Another worker owns the job now (this one was too slow to heartbeat and got reaped)."""


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def load_backend(name: str | None = None):
    """Build the configured backend (settings.GENERATION_BACKENDS names each one's class; a dotted path of a class
    works too). Raises BackendConfigError (diffusers) with a clear message when it can't."""
    name = name or settings.GENERATION_BACKEND
    path = settings.GENERATION_BACKENDS.get(name) or (name if "." in name else None)
    if path is None:
        known = "', '".join(settings.GENERATION_BACKENDS)
        raise ValueError(f"Unknown GENERATION_BACKEND {name!r}: use '{known}' or the dotted path of a backend class.")
    return import_string(path).from_settings(settings)


def get_backend():
    global _backend
    with _backend_lock:
        if _backend is None:
            _backend = load_backend()
            logger.info("generation backend loaded: %s", getattr(_backend, "name", type(_backend).__name__))
    return _backend


class Heartbeat(threading.Thread):
    """Refreshes the job's lease every GENERATION_HEARTBEAT_S while a step may take long."""

    def __init__(self, job_id: int, wid: str):
        super().__init__(name=f"heartbeat-{job_id}", daemon=True)
        self.job_id, self.wid = job_id, wid
        self.stopped = threading.Event()
        self.lost = False

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.GENERATION_HEARTBEAT_S):
                try:
                    if not services.job_heartbeat(job_id=self.job_id, worker_id=self.wid):
                        self.lost = True
                        return
                except Exception:
                    logger.warning("heartbeat for job %s failed", self.job_id, exc_info=True)
                    close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


class ProgressReporter:
    """The backend's ``on_progress``: throttled ``job.progress`` events, a row write about every half second,
    and the place where a cancel (or withdrawn consent, or a lost lease) stops the backend at its next step."""

    def __init__(self, job: GenerationJob, wid: str, heartbeat: Heartbeat):
        self.job_id, self.user_id, self.wid, self.heartbeat = job.pk, job.user_id, wid, heartbeat
        self.interval = settings.GENERATION_PROGRESS_INTERVAL_S
        self.last_sent = 0.0
        self.last_written = time.monotonic()
        self.last_step = -1
        self.progress = 0.0
        self.shot: tuple[int, int] | None = None  # (index, count) of the storyboard shot being made

    def __call__(self, step: int, total: int, *, shot: tuple[int, int] | None = None) -> None:
        self.shot = shot
        total = max(int(total), 1)
        step = min(max(int(step), 0), total)
        self.progress = GENERATE_SHARE * step / total
        # Few, expensive steps (denoising): look for a cancel at every step, so it stops within one step.
        self._check(force=step >= total or (total <= 60 and step != self.last_step))
        now = time.monotonic()
        # Every step when there are few (denoising steps), otherwise a few events a second.
        if step != self.last_step and (total <= 60 or now - self.last_sent >= self.interval or step == total):
            self.last_sent, self.last_step = now, step
            self.send(step, total)

    def send(self, step: int, total: int) -> None:
        event = {"type": "job.progress", "job": self.job_id, "step": step, "total": total,
                 "progress": round(self.progress, 4), "sent_at": round(time.time(), 4)}
        if self.shot is not None:
            event["shot"], event["shots"] = self.shot
        send_now(user_group(self.user_id), event)

    def phase(self, progress: float) -> None:
        self.progress = progress
        self._check(force=True)
        send_now(user_group(self.user_id), {"type": "job.progress", "job": self.job_id, "step": None, "total": None, "progress": progress})

    def _check(self, *, force: bool = False) -> None:
        if self.heartbeat.lost:
            raise LeaseLost()
        now = time.monotonic()
        if not force and now - self.last_written < 0.5:
            return
        self.last_written = now
        owned, cancel, reason = services.job_record_progress(job_id=self.job_id, worker_id=self.wid, progress=self.progress)
        if not owned:
            raise LeaseLost()
        if cancel:
            raise JobCancelled(reason or "cancelled")


def _download(name: str, dest: Path) -> str:
    with default_storage.open(name, "rb") as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out)
    return str(dest)


def build_request(job: GenerationJob, workdir: Path) -> GenerationRequest:
    shots = [Shot(prompt=shot["prompt"], duration_s=float(shot["duration_s"]), framing=shot.get("framing") or "wide",
                  camera=shot.get("camera") or None, transition=shot.get("transition") or "cut")
             for shot in job.shots] if job.kind == GenerationJob.Kind.STORYBOARD else []
    parent = None
    if job.extends_id:
        source = job.extends
        video_path = _download(source.video, workdir / "parent.mp4") if source.video else None
        parent = ParentClip(post_id=None, scene_plan=source.scene_plan, video_path=video_path, seed=source.seed)
    elif job.remix_of_id:
        post = job.remix_of
        parent_job = post.job
        video_path = _download(post.video, workdir / "parent.mp4") if post.video else None
        parent = ParentClip(
            post_id=post.pk,
            scene_plan=parent_job.scene_plan if parent_job else None,
            video_path=video_path,
            seed=parent_job.seed if parent_job else None,
        )
    cameos = []
    for cameo in job.cameos.select_related("owner"):
        ref = _download(cameo.reference, workdir / f"cameo-{cameo.pk}{Path(cameo.reference).suffix}") if cameo.reference else ""
        # The owner's voice speaks the cameo's lines only when it was kept and is switched on, read as the job runs.
        profile = cameo.voice_profile if cameo.voice and cameo.voice_in_clips else None
        cameos.append(CameoRef(id=cameo.pk, name=cameo.name, kind=cameo.kind, reference_image=ref,
                               handle=cameo.owner.username, voice_profile=profile))
    return GenerationRequest(
        job_id=job.pk,
        kind=job.kind,
        prompt=job.prompt,
        duration_s=job.duration_s,
        aspect=job.aspect,
        seed=job.seed,
        short_side=settings.GENERATION_SHORT_SIDE,
        parent=parent,
        cameos=cameos,
        strength=job.strength,
        voices=dict(job.voices or {}),
        language=job.language or None,
        shots=shots,
        style=job.style or None,
    )


def stitch_sources(job: GenerationJob, workdir: Path) -> tuple[list[Source], list[Ingredient]]:
    """The drafts a stitch joins, downloaded in order, and their entries for the C2PA manifest. A source whose
    draft is gone (discarded since) fails the job with a readable message."""
    by_id = {source.pk: source for source in job.stitched.all()}
    sources, ingredients = [], []
    for k, part in enumerate(job.shots):
        draft = by_id.get(part["source"])
        if draft is None or not draft.video:
            raise BackendError(gettext("Clip {number} of this stitch is no longer available.").format(number=k + 1))
        path = Path(_download(draft.video, workdir / f"source-{k}.mp4"))
        sources.append(Source(path=path, transition=part.get("transition") or "cut"))
        ingredients.append(Ingredient(path=path, title=f"Riff draft {draft.pk} by @{job.user.username}"))
    return sources, ingredients


def consent_check_job(job: GenerationJob) -> ConsentRefusal | None:
    """Consent for the job's cameos again, now with the owners' restrictions checked by meaning too. When an
    owner's restriction is what refused it, the refusal is logged with the prompt policy's."""
    refusal = cameos_consent_refusal(
        job_id=job.pk,
        user=job.user,
        prompt=job.prompt,
        cameo_ids=list(job.cameos.values_list("pk", flat=True)),
        semantic=True,
    )
    if refusal is not None and refusal.clause:
        policy_restriction_refusal_create(
            user=job.user,
            text=job.prompt,
            detail=refusal.clause,
            context="remix" if job.remix_of_id else "prompt",
            stage="worker",
            job=job,
        )
    return refusal


class PolicyCheckFailed(Exception):
    """The prompt policy's check by meaning could not run (the sentence-embedding model did not load)."""


def policy_check_job(job: GenerationJob):
    """The prompt policy again, now with the check by meaning (sentence embeddings: worker only), and with the
    public-figure list and the member's age as they are now. A refusal is logged; the caller ends the job with
    it (failed, the readable refusal, no draft)."""
    context = "remix" if job.remix_of_id else "prompt"
    cameo_ids = list(job.cameos.values_list("pk", flat=True))
    try:
        verdict = prompt_check(text=job.prompt, user=job.user, cameo_ids=cameo_ids, context=context, semantic=True)
    except Exception as exc:
        logger.exception("job %s: the prompt policy could not run", job.pk)
        raise PolicyCheckFailed(
            gettext("The content check could not run ({error}); the job will be retried.").format(error=type(exc).__name__)
        ) from exc
    if not verdict.allowed:
        policy_refusal_create(user=job.user, text=job.prompt, verdict=verdict, stage="worker", job=job)
    return verdict


def run_job(job: GenerationJob, wid: str) -> None:
    """Run one claimed job to a final state (or back to the queue on a transient error). Consent for its cameos
    and the prompt policy (with the check by meaning) come first: either can end it before anything is made.
    What it writes to the member (a refusal, a failure) is in their language."""
    with in_language_of(job.user):
        _run(job, wid)


def _run(job: GenerationJob, wid: str) -> None:
    heartbeat = Heartbeat(job.pk, wid)
    heartbeat.start()  # before anything slow (the consent and policy checks may load the embedding model)
    reporter = ProgressReporter(job, wid, heartbeat)
    workdir = Path(tempfile.mkdtemp(prefix=f"riff-job-{job.pk}-"))
    stored: list[str] = []
    try:
        refusal = consent_check_job(job)
        if refusal is not None:
            raise JobCancelled(refusal.message)
        verdict = policy_check_job(job)
        if not verdict.allowed:
            services.job_fail(job_id=job.pk, worker_id=wid, message=verdict.message, transient=False)
            return
        ingredients = None
        if job.kind == GenerationJob.Kind.STITCH:
            sources, ingredients = stitch_sources(job, workdir)
            clip = stitch_stream(sources, reporter)
        else:
            clip = get_backend().stream(build_request(job, workdir), reporter)
        # The frames are made as they are encoded: the backend's progress runs up to GENERATE_SHARE meanwhile.
        result = finish_clip(job=job, clip=clip, workdir=workdir, ingredients=ingredients)
        reporter.phase(0.98)
        base = f"drafts/{job.user_id}/{job.pk}/a{job.attempts}"
        stored.append(_store(f"{base}/clip.mp4", result.video_path))
        stored.append(_store(f"{base}/poster.jpg", result.poster_path))
        done = services.job_succeed(
            job_id=job.pk,
            worker_id=wid,
            video=stored[0],
            poster=stored[1],
            scene_plan=clip.scene_plan,
            meta=result.meta,
        )
        if done is None:
            storage_delete(stored)
            services.job_mark_cancelled(job_id=job.pk, worker_id=wid)
        else:
            _delete_other_attempts(job, keep=base)
    except JobCancelled as exc:
        storage_delete(stored)
        services.job_mark_cancelled(job_id=job.pk, worker_id=wid, reason=exc.reason)
    except LeaseLost:
        storage_delete(stored)
        logger.warning("job %s: lease lost, another worker has it", job.pk)
    except PolicyCheckFailed as exc:
        services.job_fail(job_id=job.pk, worker_id=wid, message=str(exc), transient=True)
    except BackendError as exc:
        storage_delete(stored)
        services.job_fail(job_id=job.pk, worker_id=wid, message=str(exc), transient=exc.transient)
    except Exception as exc:  # contained: the job fails with a message, the worker keeps serving
        logger.exception("job %s failed", job.pk)
        storage_delete(stored)
        services.job_fail(
            job_id=job.pk,
            worker_id=wid,
            message=gettext("The generation failed: {error}: {detail}").format(error=type(exc).__name__, detail=exc)[:400],
            transient=True,
        )
    finally:
        heartbeat.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _store(name: str, path) -> str:
    with open(path, "rb") as handle:
        return default_storage.save(name, File(handle, name=os.path.basename(path)))


def _delete_other_attempts(job: GenerationJob, *, keep: str) -> None:
    root = f"drafts/{job.user_id}/{job.pk}"
    try:
        dirs, _ = default_storage.listdir(root)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for name in dirs:
        path = f"{root}/{name}"
        if path == keep:
            continue
        try:
            _, files = default_storage.listdir(path)
        except (FileNotFoundError, OSError):
            continue
        storage_delete([f"{path}/{f}" for f in files])


def serve_queue(*, max_jobs: int | None = None) -> int:
    """Claim and run jobs until none are waiting. Returns how many ran."""
    wid = worker_id()
    ran = 0
    while max_jobs is None or ran < max_jobs:
        close_old_connections()
        job = services.job_claim_next(worker_id=wid)
        if job is None:
            break
        logger.info("job %s: claimed by %s (attempt %s)", job.pk, wid, job.attempts)
        run_job(job, wid)
        ran += 1
    return ran
