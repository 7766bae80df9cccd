"""Sending work to the worker queues."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, queue: str = "default") -> None:
    """Queue the Celery ``task`` with ``args`` once the surrounding transaction commits (at once outside one). A
    broker that cannot be reached is logged, never an error for the caller: the rows say what is to be done."""

    def send() -> None:
        try:
            task.apply_async(args=list(args), queue=queue)
        except Exception:
            logger.warning("could not queue %s%s", task.name, tuple(args), exc_info=True)

    transaction.on_commit(send)
