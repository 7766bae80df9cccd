"""Consent when a job is created, when the worker starts it and when it is published; telling the layer above when
consent narrows; the ledger rows' writes.

A refused use is a ``ConsentRefusal``: which cameo, which rule refused it (``Refusal``), the sentence the person
reads, and the owner's restriction clause when a restriction refused it. Services raise it as ``ConsentRefused``
(a 403 at the API); the worker gets it as a value.

Stopping what a use produced (a job, a draft, a post) is generation's: when consent narrows, this layer sends
``cameos.signals.consent_narrowed`` inside the transaction, and generation's receiver stops the uses that lost it
(generation.services.cameo_uses). Locks are taken in one order everywhere: generation job, then ledger row
(publishing locks the job and then writes the ledger), and the cameo row before either when the cameo itself
changes.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import User
from core.errors import Forbidden, NotFound

from .. import signals
from ..models import Cameo, CameoUse
from ..policy import restriction_violated_semantically
from ..restrictions import restriction_violated
from ..selectors import cameo_use_decision, cameos_visible_to, verify_url
from .common import notify

logger = logging.getLogger("cameos.services")


class Refusal(enum.Enum):
    NOT_VERIFIED = "cameo_not_verified"  # a person cameo whose owner has not verified their likeness yet
    NOT_ALLOWED = "cameo_not_allowed"  # the owner's permission does not (or no longer) cover this person
    RESTRICTED = "cameo_restriction"  # the prompt breaks one of the owner's restrictions
    REMOVED = "cameo_use_removed"  # the owner removed this use from the ledger
    UNCHECKABLE = "cameo_restriction_unchecked"  # the restrictions' check by meaning could not run


@dataclass(frozen=True)
class ConsentRefusal:
    cameo_id: int
    refusal: Refusal
    message: str  # a sentence for the person
    clause: str = ""  # the owner's restriction, as written, when one refused the prompt
    verify_url: str = ""  # where the owner verifies the cameo (NOT_VERIFIED, for the owner)


class ConsentRefused(Forbidden):
    """A use refused at job creation or at publishing (403); ``refusal`` says which rule."""

    def __init__(self, refusal: ConsentRefusal):
        extra = {"cameo": refusal.cameo_id}
        if refusal.clause:
            extra["restriction"] = refusal.clause
        if refusal.verify_url:
            extra["verify_url"] = refusal.verify_url
        code = Refusal.NOT_ALLOWED.value if refusal.refusal == Refusal.REMOVED else refusal.refusal.value
        super().__init__(refusal.message, code=code, extra=extra)
        self.refusal = refusal


# --- consent at creation, at the worker, at publishing -------------------------------------------------------


def _restriction_refusal(*, cameo: Cameo, user, prompt: str, semantic: bool) -> ConsentRefusal | None:
    """The owner's restrictions against the prompt (phrases; with ``semantic``, also by meaning). The owner is never
    bound by their own restrictions."""
    if cameo.owner_id == user.pk:
        return None
    clause = restriction_violated(restrictions=cameo.restrictions, prompt=prompt)
    if clause is None and semantic:
        try:
            clause = restriction_violated_semantically(restrictions=cameo.restrictions, prompt=prompt)
        except Exception:  # the model could not load or run: the job does not run without the owner's rules
            logger.exception("the restrictions of cameo %s could not be checked", cameo.pk)
            return ConsentRefusal(
                cameo.pk,
                Refusal.UNCHECKABLE,
                gettext("The restrictions of the cameo “{name}” could not be checked, so it was not used. Try again later.").format(
                    name=cameo.name),
            )
    if clause:
        message = gettext("@{handle} does not allow this use of “{name}”: “{clause}”.").format(
            handle=cameo.owner.username, name=cameo.name, clause=clause)
        return ConsentRefusal(cameo.pk, Refusal.RESTRICTED, message, clause=clause)
    return None


def _consent(
    *, cameo: Cameo, user, prompt: str, semantic: bool = False, withdrawn: bool = False, prefix: str = ""
) -> tuple[str, ConsentRefusal | None]:
    """May ``user`` use ``cameo`` for ``prompt`` now? (the basis that allows it, None) or ("", why not). With
    ``withdrawn`` the refusal says that consent was withdrawn (the use had it when it began)."""
    decision = cameo_use_decision(cameo=cameo, user=user)
    if decision.unverified:
        url = verify_url(cameo) if cameo.owner_id == user.pk else ""
        return "", ConsentRefusal(cameo.pk, Refusal.NOT_VERIFIED, prefix + decision.reason, verify_url=url)
    if not decision.allowed:
        message = prefix + decision.reason
        if withdrawn:
            message = gettext("Consent for the cameo “{name}” was withdrawn: {reason}").format(name=cameo.name, reason=decision.reason)
        return "", ConsentRefusal(cameo.pk, Refusal.NOT_ALLOWED, message)
    refusal = _restriction_refusal(cameo=cameo, user=user, prompt=prompt, semantic=semantic)
    return ("", refusal) if refusal is not None else (decision.basis, None)


def cameos_check_for_job(
    *, user, cameo_ids: list[int], prompt: str, inherited_ids: list[int] | tuple[int, ...] = ()
) -> list[tuple[Cameo, str]]:
    """Consent at job creation: every cameo must be one this user can see, allowed for them now, and the prompt
    must respect the owner's restrictions (phrases here; the meaning is checked by the worker). Returns
    [(cameo, basis)]; raises NotFound or ConsentRefused. ``inherited_ids`` are the cameos of the clip being
    remixed: the user sees them in that clip, so they need no other visibility, but their owners' consent all the
    same."""
    inherited_ids = [cid for cid in inherited_ids if cid not in cameo_ids]
    if not cameo_ids and not inherited_ids:
        return []
    visible = {c.pk: c for c in cameos_visible_to(user=user).filter(pk__in=cameo_ids)}
    visible.update({c.pk: c for c in Cameo.objects.select_related("owner").filter(pk__in=inherited_ids)})
    result = []
    for cameo_id in [*cameo_ids, *inherited_ids]:
        cameo = visible.get(cameo_id)
        if cameo is None:
            raise NotFound(gettext("There is no cameo {id} you can use.").format(id=cameo_id), code="cameo_not_found")
        prefix = gettext("The clip you are remixing features a cameo.") + " " if cameo_id in inherited_ids else ""
        basis, refusal = _consent(cameo=cameo, user=user, prompt=prompt, prefix=prefix)
        if refusal is not None:
            raise ConsentRefused(refusal)
        result.append((cameo, basis))
    return result


def cameo_uses_record_for_job(*, job_id: int, user, prompt: str, cameos_and_bases: list[tuple[Cameo, str]]) -> None:
    """Write the ledger rows of a new job (inside the job's transaction). The cameo rows are locked and consent
    decided again, so a narrowing committed since ``cameos_check_for_job`` either rolls this job back or sees
    (and stops) it."""
    ids = sorted(cameo.pk for cameo, _ in cameos_and_bases)
    locked = {
        c.pk: c
        for c in Cameo.objects.select_for_update(of=("self",)).select_related("owner").filter(pk__in=ids).order_by("pk")
    }
    for cameo, _ in cameos_and_bases:
        current = locked.get(cameo.pk)
        if current is None:
            raise NotFound(gettext("There is no cameo {id} you can use.").format(id=cameo.pk), code="cameo_not_found")
        basis, refusal = _consent(cameo=current, user=user, prompt=prompt)
        if refusal is not None:
            raise ConsentRefused(refusal)
        CameoUse.objects.create(cameo=current, user=user, job_id=job_id, basis=basis, prompt=prompt)
        if current.owner_id != user.pk:
            notify(
                recipient=current.owner,
                actor=user,
                kind="cameo_use",
                message=gettext_noop("@{actor} is making a clip with your cameo “{cameo}”."),
                params={"actor": user.username, "cameo": current.name},
                data={"cameo": current.pk, "job": job_id, "basis": basis},
            )


def cameos_consent_refusal(
    *, job_id: int, user, prompt: str, cameo_ids: list[int], semantic: bool
) -> ConsentRefusal | None:
    """Consent again for a job's cameos: the first refusal, or None. A use the owner removed from the ledger stays
    removed. With ``semantic`` (the worker, when it starts the job) the owners' restrictions are also checked by
    meaning (the sentence-embedding model loads on first use); if that check cannot run, the job does not run
    either."""
    removed = {
        use.cameo_id: use
        for use in CameoUse.objects.filter(job_id=job_id, removed_at__isnull=False).select_related("cameo__owner")
    }
    for cameo in Cameo.objects.select_related("owner").filter(pk__in=cameo_ids).order_by("pk"):
        use = removed.get(cameo.pk)
        if use is not None:
            message = use.removed_reason or f"@{cameo.owner.username} removed this use of the cameo “{cameo.name}”."
            return ConsentRefusal(cameo.pk, Refusal.REMOVED, message)
        _, refusal = _consent(cameo=cameo, user=user, prompt=prompt, semantic=semantic, withdrawn=True)
        if refusal is not None:
            return refusal
    return None


def cameos_recheck_for_publish(*, job_id: int, user, prompt: str, cameo_ids: list[int]) -> None:
    """Consent when a draft is published (web process: phrase matching only; the meaning was checked when the
    job ran). Raises ConsentRefused."""
    refusal = cameos_consent_refusal(job_id=job_id, user=user, prompt=prompt, cameo_ids=cameo_ids, semantic=False)
    if refusal is not None:
        raise ConsentRefused(refusal)


def cameo_use_consent_refusal(*, use: CameoUse) -> ConsentRefusal | None:
    """Why the maker of this use may no longer use the cameo for its prompt, or None (a sweep after a narrowing)."""
    return _consent(cameo=use.cameo, user=use.user, prompt=use.prompt, withdrawn=True)[1]


def cameo_uses_attach_post(*, job_id: int, post) -> None:
    """The draft became a post (inside the publishing transaction): the ledger rows still in force get the post."""
    CameoUse.objects.filter(job_id=job_id, removed_at__isnull=True).update(post=post)


def cameo_use_mark_removed(*, use_id: int, reason: str, removed_by: User | None = None) -> CameoUse | None:
    """Record that a use was removed or stopped, once (inside the caller's transaction, after it locked the use's
    job: lock order job, then ledger row). None when it was already removed."""
    use = (
        CameoUse.objects.select_for_update(of=("self",))
        .select_related("cameo__owner", "user", "post")
        .filter(pk=use_id, removed_at__isnull=True)
        .first()
    )
    if use is None:
        return None
    use.removed_at = timezone.now()
    use.removed_by = removed_by
    use.removed_reason = reason[:300]
    use.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    return use


# --- narrowing ------------------------------------------------------------------------------------------------


def cameo_consent_narrowed(*, cameo_ids: list[int], user_id: int | None = None) -> None:
    """Consent to these cameos narrowed (for ``user_id`` only, if given): the uses in progress that lost it stop
    in this transaction (generation's receiver of ``consent_narrowed``)."""
    if cameo_ids:
        signals.consent_narrowed.send(sender=Cameo, cameo_ids=list(cameo_ids), user_id=user_id)


def cameos_relationship_changed(*, user_a_id: int, user_b_id: int) -> None:
    """A block or an unfollow between two people can end consent both ways (accounts.signals.relationship_ended):
    the uses each of them made of the other's cameos are checked again."""
    for owner_id, user_id in ((user_a_id, user_b_id), (user_b_id, user_a_id)):
        cameo_ids = list(Cameo.objects.filter(owner_id=owner_id).values_list("pk", flat=True))
        cameo_consent_narrowed(cameo_ids=cameo_ids, user_id=user_id)


def cameos_owner_narrowed(*, owner_id: int) -> None:
    """Who may use any of this member's cameos narrowed (accounts.signals.cameo_use_narrowed: a guardian chose
    "only me")."""
    cameo_consent_narrowed(cameo_ids=list(Cameo.objects.filter(owner_id=owner_id).values_list("pk", flat=True)))
