"""Reads for cameos: who may see and use a cameo, lists, requests, approvals and the ledger.

The consent rule lives in two forms that must agree (the consent-matrix tests check both): ``cameo_use_decision``
for one cameo and one user (job creation, worker start, publishing), and ``cameo_usable_q`` for lists in one
SQL query.

- Nobody, the owner included, may use a cameo before its reference check passed, nor a person cameo before the
  person verified it (a liveness clip: see cameos.checks): a photo of someone else proves nothing.
- The owner may use their cameo once that is so. Nobody else may when either has blocked the other.
- ``everyone``: anyone else. ``mutuals``: people the owner follows and who follow the owner, and approved users.
  ``approved``: approved users. ``only_me``: nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext

from accounts.models import Follow, User
from accounts.selectors import are_mutuals, blocked_user_ids, is_blocked_between, teen_birth_date_after, user_is_teen

from .models import Cameo, CameoApproval, CameoRequest, CameoUse


@dataclass(frozen=True)
class UseDecision:
    allowed: bool
    basis: str = ""  # owner | approved | mutuals | everyone
    reason: str = ""  # why not, in words a person understands
    unverified: bool = False  # refused because the person has not verified their likeness yet


def verify_url(cameo: Cameo) -> str:
    """Where the owner verifies a person cameo (the cameo's page records the clip)."""
    return f"/cameos/{cameo.pk}/#verify"


def _only(cameo: Cameo) -> str:
    return gettext("Only @{handle} can use the cameo “{name}”.").format(handle=cameo.owner.username, name=cameo.name)


def cameo_use_decision(*, cameo: Cameo, user) -> UseDecision:
    """May ``user`` use ``cameo`` right now? Called when a job is created, when a worker starts it, when it is
    published and whenever the owner narrows who may use the cameo."""
    if not cameo.owner.is_active:  # the account is closed (or being deleted): nobody may use its likeness
        return UseDecision(False, reason=gettext("The cameo “{name}” is no longer available.").format(name=cameo.name))
    if not cameo.is_ready:
        if cameo.reference_state == Cameo.ReferenceState.REJECTED:
            return UseDecision(
                False, reason=gettext("The photos of the cameo “{name}” did not pass the check: {reason}").format(
                    name=cameo.name, reason=cameo.reference_reason)
            )
        return UseDecision(
            False, reason=gettext("The photos of the cameo “{name}” are still being checked. Try again in a moment.").format(
                name=cameo.name)
        )
    if cameo.kind == Cameo.Kind.PERSON and cameo.verified_at is None:
        if cameo.owner_id == user.pk:
            reason = gettext(
                "Your cameo “{name}” is not verified yet: record the short clip that proves it is you ({url}) before it "
                "is used in any clip, yours included."
            ).format(name=cameo.name, url=verify_url(cameo))
        else:
            reason = gettext("The cameo “{name}” is not verified yet, so nobody can use it.").format(name=cameo.name)
        return UseDecision(False, reason=reason, unverified=True)
    if cameo.owner_id == user.pk:
        return UseDecision(True, CameoUse.Basis.OWNER)
    if is_blocked_between(cameo.owner_id, user.pk):
        return UseDecision(False, reason=gettext("You cannot use the cameo “{name}”.").format(name=cameo.name))
    if user_is_teen(cameo.owner):
        # A member under 18: only people they approved, whatever the level (and nobody if their guardian chose so).
        if cameo.owner.teen_cameo_use == "only_me":
            return UseDecision(False, reason=_only(cameo))
        if CameoApproval.objects.filter(cameo_id=cameo.pk, user_id=user.pk).exists():
            return UseDecision(True, CameoUse.Basis.APPROVED)
        return UseDecision(
            False,
            reason=gettext("The cameo “{name}” belongs to a member under 18: only people @{handle} approved can use "
                           "it.").format(name=cameo.name, handle=cameo.owner.username),
        )
    level = cameo.permission
    if level == Cameo.Permission.EVERYONE:
        return UseDecision(True, CameoUse.Basis.EVERYONE)
    if level == Cameo.Permission.MUTUALS and are_mutuals(cameo.owner_id, user.pk):
        return UseDecision(True, CameoUse.Basis.MUTUALS)
    if (
        level in (Cameo.Permission.APPROVED, Cameo.Permission.MUTUALS)
        and CameoApproval.objects.filter(cameo_id=cameo.pk, user_id=user.pk).exists()
    ):
        return UseDecision(True, CameoUse.Basis.APPROVED)
    if level == Cameo.Permission.ONLY_ME:
        return UseDecision(False, reason=_only(cameo))
    return UseDecision(
        False,
        reason=gettext("@{handle} has not allowed you to use the cameo “{name}”. You can ask for approval.").format(
            handle=cameo.owner.username, name=cameo.name),
    )


def _open_to_others_q(user) -> Q:
    """Cameos of other people that ``user`` may see (and ask to use): checked, verified if a person, not
    blocked, and not private."""
    q = (
        Q(reference_state=Cameo.ReferenceState.READY, owner__is_active=True)
        & (Q(kind=Cameo.Kind.CHARACTER) | Q(verified_at__isnull=False))
        & ~Q(permission=Cameo.Permission.ONLY_ME)
        & ~Q(owner_id=user.pk)
    )
    blocked = blocked_user_ids(user_id=user.pk)
    if blocked:
        q &= ~Q(owner_id__in=blocked)
    return q


def cameo_usable_q(user) -> Q:
    """The SQL form of ``cameo_use_decision(...).allowed`` for ``user``."""
    approved = Q(Exists(CameoApproval.objects.filter(cameo_id=OuterRef("pk"), user_id=user.pk)))
    mutual = Q(Exists(Follow.objects.filter(follower_id=user.pk, followee_id=OuterRef("owner_id")))) & Q(
        Exists(Follow.objects.filter(follower_id=OuterRef("owner_id"), followee_id=user.pk))
    )
    by_level = (
        Q(permission=Cameo.Permission.EVERYONE)
        | (Q(permission=Cameo.Permission.MUTUALS) & (mutual | approved))
        | (Q(permission=Cameo.Permission.APPROVED) & approved)
    )
    # Members under 18: approved people only, whatever the level; nobody when their guardian chose "only me".
    teen_owner = Q(owner__birth_date__gt=teen_birth_date_after())
    by_level = (~teen_owner & by_level) | (teen_owner & ~Q(owner__teen_cameo_use="only_me") & approved)
    usable_by_anyone = Q(reference_state=Cameo.ReferenceState.READY, owner__is_active=True) & (
        Q(kind=Cameo.Kind.CHARACTER) | Q(verified_at__isnull=False)
    )
    return usable_by_anyone & (Q(owner_id=user.pk) | (_open_to_others_q(user) & by_level))


def _with_viewer(qs: QuerySet[Cameo], user) -> QuerySet[Cameo]:
    return (
        qs.select_related("owner")
        .annotate(
            can_use=Case(
                When(cameo_usable_q(user), then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            my_request=Subquery(
                CameoRequest.objects.filter(
                    cameo_id=OuterRef("pk"), user_id=user.pk, state=CameoRequest.State.PENDING
                ).values("state")[:1]
            ),
        )
        .prefetch_related("references")
    )


def cameos_visible_to(*, user) -> QuerySet[Cameo]:
    """Every cameo ``user`` may see: their own (whatever their state) and other people's open ones."""
    return _with_viewer(Cameo.objects.filter(Q(owner_id=user.pk) | _open_to_others_q(user)), user)


def cameos_for_list(*, user, owner: User | None = None) -> QuerySet[Cameo]:
    """``GET /api/cameos``: mine and those I may use; with ``owner``, that person's cameos I may see."""
    if owner is not None:
        return cameos_visible_to(user=user).filter(owner_id=owner.pk)
    return _with_viewer(Cameo.objects.filter(Q(owner_id=user.pk) | cameo_usable_q(user)), user)


def cameo_get_visible(*, user, cameo_id: int) -> Cameo | None:
    return cameos_visible_to(user=user).filter(pk=cameo_id).first()


def cameo_requests_pending(*, cameo: Cameo) -> QuerySet[CameoRequest]:
    return CameoRequest.objects.filter(cameo=cameo, state=CameoRequest.State.PENDING).select_related("user")


def cameo_approvals(*, cameo: Cameo) -> QuerySet[CameoApproval]:
    return CameoApproval.objects.filter(cameo=cameo).select_related("user")


def cameo_uses(*, cameo: Cameo, user: User | None = None) -> QuerySet[CameoUse]:
    """The ledger of one cameo, newest first (every job and post, whoever made it, drafts included)."""
    qs = CameoUse.objects.filter(cameo=cameo).select_related("user", "job", "post", "removed_by")
    if user is not None:
        qs = qs.filter(user=user)
    return qs


def cameo_media_names(*, cameo: Cameo) -> list[str]:
    """Every stored file of a cameo: reference photos and clip, the avatar, the kept voice and its sample,
    verification clips
    awaiting a check."""
    names = [r.file for r in cameo.references.all() if r.file]
    names += [n for n in cameo.challenges.exclude(clip="").values_list("clip", flat=True)]
    names += [n for n in (cameo.avatar, cameo.reference, cameo.voice, cameo.voice_sample) if n]
    return sorted(set(names))
