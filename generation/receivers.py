"""What generation does when a layer below tells it something (cameos.signals). Connected in
``GenerationConfig.ready()``; each receiver calls one service."""

from .services import cameo_uses_stop_for_deleted_cameo, cameo_uses_stop_lost_consent


def consent_narrowed(sender, *, cameo_ids, user_id=None, **kwargs) -> None:
    cameo_uses_stop_lost_consent(cameo_ids=cameo_ids, user_id=user_id)


def cameo_deleting(sender, *, cameo_id: int, removed_by, reason, **kwargs) -> None:
    cameo_uses_stop_for_deleted_cameo(cameo_id=cameo_id, removed_by=removed_by, reason=reason)
