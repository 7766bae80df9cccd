"""Celery tasks. A message on the ``generation`` queue is a wake-up ("a job is waiting"), not a pin on one job:
the worker picks the next job from the database in fair order, so any worker serves any job and a lost
message loses nothing."""

import logging
import time

from celery import shared_task
from celery.signals import worker_init, worker_ready

logger = logging.getLogger("riff.worker")
_command_line_worker = False  # set in a `celery worker` process (not in in-process test workers)


@shared_task(name="generation.tasks.run_next_job", acks_late=True, ignore_result=True)
def run_next_job() -> int:
    from .worker import serve_queue

    return serve_queue()


@shared_task(name="generation.tasks.reap_stale_jobs", ignore_result=True)
def reap_stale_jobs() -> list[int]:
    from .services import job_reap_stale

    return job_reap_stale()


@worker_init.connect
def _load_backend_at_start(sender=None, **_kwargs) -> None:
    """Load the backend once, before the first job; a bad configuration stops the worker at once with a message.
    Only for the command-line worker (``celery worker``), not for in-process test workers."""
    import os

    from celery.apps.worker import Worker

    from .worker import get_backend

    if not isinstance(sender, Worker):
        return
    global _command_line_worker
    _command_line_worker = True
    from django.conf import settings

    if settings.WORKER_NICE:
        # Below the web's CPU priority: where workers share a machine with web processes (``make run``, a small
        # server), people browsing are answered first and clips take the CPU time left. On a GPU host of its
        # own a worker loses nothing by it.
        os.nice(settings.WORKER_NICE)

    try:
        get_backend()
    except Exception as exc:
        logger.critical("cannot start the generation worker: %s", exc)
        print(f"cannot start the generation worker: {exc}", flush=True)
        os._exit(3)


@worker_ready.connect
def _recover_at_start(sender=None, **_kwargs) -> None:
    """Jobs left running by a crashed worker go back to the queue as soon as their lease is stale: once now, then
    from a small thread in every worker process. A worker busy with a long job cannot take the beat's reaper task
    from the queue, so each worker also reaps on its own (the reaper is a compare-and-set, safe to run anywhere)."""
    import threading

    from django.conf import settings
    from django.db import close_old_connections

    from .services import job_reap_stale

    if not _command_line_worker:
        return

    def reap_forever() -> None:
        while True:
            try:
                job_reap_stale()
            except Exception:
                logger.warning("could not reap stale jobs", exc_info=True)
            finally:
                close_old_connections()
            time.sleep(settings.GENERATION_REAP_INTERVAL_S)

    threading.Thread(target=reap_forever, name="reaper", daemon=True).start()


@shared_task(name="generation.tasks.read_provenance", ignore_result=True)
def read_provenance(check_id: int) -> None:
    from .provenance_checks import provenance_check_run

    provenance_check_run(check_id=check_id)
