from __future__ import annotations

from dataclasses import dataclass

from accounts.selectors import are_mutuals, is_blocked_between

from .models import Cameo, CameoApproval


@dataclass(frozen=True)
class UseDecision:
    allowed: bool
    basis: str = ""  # owner | approved | mutuals | everyone
    reason: str = ""  # why not, in words a person understands


def cameo_use_decision(*, cameo: Cameo, user) -> UseDecision:
    """May ``user`` use ``cameo`` right now? Called when a job is created and again when a worker starts it."""
    if cameo.owner_id == user.pk:
        return UseDecision(True, "owner")
    if is_blocked_between(cameo.owner_id, user.pk):
        return UseDecision(False, reason=f"You cannot use the cameo “{cameo.name}”.")
    if cameo.kind == Cameo.Kind.PERSON and cameo.verified_at is None:
        return UseDecision(False, reason=f"The cameo “{cameo.name}” is not verified yet, so only its owner can use it.")
    approved = CameoApproval.objects.filter(cameo=cameo, user_id=user.pk).exists()
    level = cameo.permission
    if level == Cameo.Permission.EVERYONE:
        return UseDecision(True, "everyone")
    if level == Cameo.Permission.MUTUALS and are_mutuals(cameo.owner_id, user.pk):
        return UseDecision(True, "mutuals")
    if level in (Cameo.Permission.APPROVED, Cameo.Permission.MUTUALS) and approved:
        return UseDecision(True, "approved")
    return UseDecision(False, reason=f"@{cameo.owner.username} has not allowed you to use the cameo “{cameo.name}”.")
