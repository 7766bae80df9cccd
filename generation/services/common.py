"""What every job service shares: the job's status event and the wake-up of the workers."""

from __future__ import annotations

import logging

from core.events import send_on_commit, user_group

from ..models import GenerationJob
from ..tasks import run_next_job

logger = logging.getLogger("generation.services")


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


def notify_status(job: GenerationJob) -> None:
    """Send the job's state to its owner's sockets after commit."""
    send_on_commit(user_group(job.user_id), job_status_event(job))


def wake_workers() -> None:
    """Tell the generation queue a job is waiting. Any worker serves any job; a lost wake-up loses nothing
    (the periodic reaper wakes workers whenever jobs are waiting)."""
    try:
        run_next_job.apply_async(queue="generation")
    except Exception:
        logger.warning("could not send a wake-up to the generation queue", exc_info=True)
