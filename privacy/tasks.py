"""Celery tasks of members' data (on the ``default`` queue). Each names a row; the row is the source of truth,
so a lost or repeated message loses or repeats nothing: the periodic sweep finds what is waiting or stalled."""

from celery import shared_task


@shared_task(name="privacy.tasks.build_export", acks_late=True, ignore_result=True)
def build_export(export_id: int) -> None:
    from .worker import export_run

    export_run(export_id=export_id)


@shared_task(name="privacy.tasks.erase_account", acks_late=True, ignore_result=True)
def erase_account(deletion_id: int) -> None:
    from .erasure import erasure_run

    erasure_run(deletion_id=deletion_id)


@shared_task(name="privacy.tasks.sweep", ignore_result=True)
def sweep() -> None:
    from .worker import sweep as run_sweep

    run_sweep()
