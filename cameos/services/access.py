"""Requests to use a cameo, and the owner's approvals."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import User
from accounts.selectors import is_blocked_between
from core.errors import Conflict, Forbidden, Invalid, NotFound

from ..models import Cameo, CameoApproval, CameoRequest
from ..selectors import cameo_use_decision
from .common import notify, require_owner, user_by_handle
from .consent import cameo_consent_narrowed

# --- requests and approvals -----------------------------------------------------------------------------------


def cameo_request_create(*, user: User, cameo: Cameo, message: str = "") -> tuple[CameoRequest, bool]:
    """Ask the owner for approval. Returns (request, created); asking twice returns the pending request."""
    if cameo.owner_id == user.pk:
        raise Invalid(gettext("This is your own cameo."), code="own_cameo")
    if len(message) > 300:
        raise Invalid(gettext("The message is too long (at most 300 characters)."), code="message_too_long")
    if cameo_use_decision(cameo=cameo, user=user).allowed:
        raise Conflict(gettext("You can already use this cameo."), code="already_allowed")
    existing = CameoRequest.objects.filter(cameo=cameo, user=user, state=CameoRequest.State.PENDING).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            request = CameoRequest.objects.create(cameo=cameo, user=user, message=message.strip())
            notify(
                recipient=cameo.owner,
                actor=user,
                kind="cameo_request",
                message=gettext_noop("@{actor} asks to use your cameo “{cameo}”."),
                params={"actor": user.username, "cameo": cameo.name},
                data={"cameo": cameo.pk, "request": request.pk},
            )
    except IntegrityError:
        return CameoRequest.objects.get(cameo=cameo, user=user, state=CameoRequest.State.PENDING), False
    return request, True


def cameo_request_close(*, user: User, cameo: Cameo, username: str) -> CameoRequest:
    """The owner declines someone's pending request, or the person who asked withdraws it."""
    target = user_by_handle(username)
    if user.pk not in (cameo.owner_id, target.pk):
        raise Forbidden(
            gettext("Only the cameo's owner or the person who asked can do that."),
            code="not_allowed",
        )
    with transaction.atomic():
        request = (
            CameoRequest.objects.select_for_update()
            .filter(cameo=cameo, user=target, state=CameoRequest.State.PENDING)
            .first()
        )
        if request is None:
            raise NotFound(
                gettext("@{username} has no pending request for this cameo.").format(username=target.username),
                code="no_request",
            )
        request.state = CameoRequest.State.DECLINED if user.pk == cameo.owner_id else CameoRequest.State.WITHDRAWN
        request.decided_at = timezone.now()
        request.save(update_fields=["state", "decided_at"])
    return request


def cameo_approval_create(*, owner: User, cameo: Cameo, username: str) -> tuple[CameoApproval, bool]:
    """Approve someone (whether or not they asked). Their pending request is marked approved and they are told."""
    require_owner(user=owner, cameo=cameo)
    target = user_by_handle(username)
    if target.pk == owner.pk:
        raise Invalid(gettext("You can always use your own cameo."), code="own_cameo")
    if is_blocked_between(owner.pk, target.pk):
        raise Forbidden(gettext("You cannot approve @{username}.").format(username=target.username), code="blocked")
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update().get(pk=cameo.pk)
        approval, created = CameoApproval.objects.get_or_create(cameo=cameo, user=target)
        CameoRequest.objects.filter(cameo=cameo, user=target, state=CameoRequest.State.PENDING).update(
            state=CameoRequest.State.APPROVED, decided_at=timezone.now()
        )
        if created:
            if cameo.permission == Cameo.Permission.ONLY_ME:
                message = gettext_noop("@{actor} approved you to use the cameo “{cameo}”. It is set to “only me” for now.")
            else:
                message = gettext_noop("@{actor} approved you to use the cameo “{cameo}”.")
            notify(
                recipient=target,
                actor=owner,
                kind="cameo_approved",
                message=message,
                params={"actor": owner.username, "cameo": cameo.name},
                data={"cameo": cameo.pk},
            )
    return approval, created


def cameo_approval_delete(*, owner: User, cameo: Cameo, username: str) -> bool:
    """Remove an approval. Pending uses by that person that lose consent stop at once."""
    require_owner(user=owner, cameo=cameo)
    target = user_by_handle(username)
    with transaction.atomic():
        cameo = Cameo.objects.select_for_update().get(pk=cameo.pk)
        deleted, _ = CameoApproval.objects.filter(cameo=cameo, user=target).delete()
        if deleted:
            cameo_consent_narrowed(cameo_ids=[cameo.pk], user_id=target.pk)
    return bool(deleted)
