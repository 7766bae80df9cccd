"""A member's account is closing or being erased (privacy runs these): nobody may use their cameos from the
moment it closes (``cameo_use_decision`` refuses a closed account's likeness, and the uses in progress stop now),
and the erasure deletes the cameos with every stored file of the likeness and voice."""

from __future__ import annotations

from django.db import transaction

from core.media import storage_delete_tree

from ..models import Cameo, CameoApproval, CameoRequest
from .consent import cameo_consent_narrowed
from .lifecycle import cameo_delete


def member_cameos_closed(*, user) -> None:
    """The owner's account closed (its ``is_active`` is already off in this transaction): every use in progress
    of their cameos, by anyone, stops as on a revocation."""
    cameo_consent_narrowed(cameo_ids=list(Cameo.objects.filter(owner_id=user.pk).values_list("pk", flat=True)))


def member_cameos_erase(*, user) -> dict[str, int]:
    """Delete the member's cameos (each as its owner deleting it: uses in progress stop, the ledger goes with
    it) and every file under each cameo's folder (references, avatar, kept voice, verification clips), and the
    approvals and requests they hold for other people's cameos."""
    files = 0
    cameos = 0
    for cameo in Cameo.objects.filter(owner_id=user.pk):
        cameo_delete(user=user, cameo=cameo)
        files += storage_delete_tree(f"cameos/{cameo.pk}")
        cameos += 1
    with transaction.atomic():
        approvals = CameoApproval.objects.filter(user_id=user.pk).delete()[0]
        requests = CameoRequest.objects.filter(user_id=user.pk).delete()[0]
    return {"cameos": cameos, "cameo_files": files, "cameo_approvals": approvals, "cameo_requests": requests}
