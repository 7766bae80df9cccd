"""Celery tasks for cameos. They run on the ``generation`` queue, in the worker processes that may load face
models and decode video; the web process only sends them (after commit) with ids."""

from celery import shared_task


@shared_task(name="cameos.tasks.check_references", acks_late=True, ignore_result=True)
def check_references(cameo_id: int) -> str:
    """One face per photo of a person (and the optional reference clip), then the avatar."""
    from .worker import references_run

    return references_run(cameo_id=cameo_id)


@shared_task(name="cameos.tasks.verify_clip", acks_late=True, ignore_result=True)
def verify_clip(challenge_id: int) -> str:
    """The liveness check of a clip submitted for a challenge phrase."""
    from .worker import verification_run

    return verification_run(challenge_id=challenge_id)
