"""What cameos does when the layer below tells it something (accounts.signals). Connected in
``CameosConfig.ready()``; each receiver calls one service."""

from .services import cameos_owner_narrowed, cameos_relationship_changed


def relationship_ended(sender, *, user_a_id: int, user_b_id: int, **kwargs) -> None:
    cameos_relationship_changed(user_a_id=user_a_id, user_b_id=user_b_id)


def cameo_use_narrowed(sender, *, user_id: int, **kwargs) -> None:
    cameos_owner_narrowed(owner_id=user_id)
