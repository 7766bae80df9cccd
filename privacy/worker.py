"""The worker's side of members' data: building an archive, and the periodic sweep."""

from __future__ import annotations

import logging

from django.db import close_old_connections

from . import services
from .erasure import erasure_run
from .export import build_archive

logger = logging.getLogger("riff.worker")


def export_run(*, export_id: int) -> None:
    export = services.export_claim(export_id=export_id)
    if export is None:
        return
    try:
        name, size, counts = build_archive(
            user=export.user,
            storage_name=services.export_storage_name(export),
            progress=lambda p: services.export_progress(export=export, progress=p * 0.99),
        )
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        services.export_fail(export=export, error=f"{type(exc).__name__}: {exc}")
        return
    services.export_finish(export=export, archive=name, size=size, counts=counts)


def sweep() -> None:
    """Every minute (Celery beat): erasures that are due or whose worker died, exports that wait or stalled,
    archives past their time."""
    close_old_connections()
    for deletion_id in services.deletions_due():
        erasure_run(deletion_id=deletion_id)
    for export_id in services.exports_stalled():
        export_run(export_id=export_id)
    services.exports_expire()
