"""Consent when a job is created, when the worker starts it and when it is published; stopping the uses that
lost it (sweeps after a narrowing, a block or an unfollow); the owner's removals from the ledger.

Locks are taken in one order everywhere: generation job, then ledger row (publishing locks the job and then
writes the ledger), and the cameo row before either when the cameo itself changes.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework import status

from accounts.models import User
from config.api import ApiError

from ..models import Cameo, CameoUse
from ..restrictions import restriction_violated
from ..selectors import cameo_use_decision, cameos_visible_to
from .common import notify, require_owner, user_by_handle

logger = logging.getLogger("cameos.services")


# --- consent at creation, at the worker, at publishing -------------------------------------------------------


def _consent_problem(*, cameo: Cameo, user, prompt: str, semantic: bool = False) -> str | None:
    """Why ``user`` may not use ``cameo`` for ``prompt`` now, or None."""
    decision = cameo_use_decision(cameo=cameo, user=user)
    if not decision.allowed:
        return f"Consent for the cameo “{cameo.name}” was withdrawn: {decision.reason}"
    if cameo.owner_id == user.pk:
        return None
    broken = restriction_violated(restrictions=cameo.restrictions, prompt=prompt)
    if broken is None and semantic:
        from ..policy import restriction_violated_semantically

        try:
            broken = restriction_violated_semantically(restrictions=cameo.restrictions, prompt=prompt)
        except Exception:  # the model could not load or run: the job does not run without the owner's rules
            logger.exception("the restrictions of cameo %s could not be checked", cameo.pk)
            return f"The restrictions of the cameo “{cameo.name}” could not be checked, so it was not used. Try again later."
    if broken:
        return f"@{cameo.owner.username} does not allow this use of “{cameo.name}”: “{broken}”."
    return None


def _refuse_restricted(*, cameo: Cameo, user, prompt: str) -> None:
    """Refuse a prompt that names what the owner's restrictions forbid (the owner is never bound by them)."""
    if cameo.owner_id == user.pk:
        return
    broken = restriction_violated(restrictions=cameo.restrictions, prompt=prompt)
    if broken:
        raise ApiError(
            f"@{cameo.owner.username} does not allow this use of “{cameo.name}”: “{broken}”.",
            code="cameo_restriction",
            status_code=status.HTTP_403_FORBIDDEN,
            extra={"restriction": broken, "cameo": cameo.pk},
        )


def cameos_check_for_job(
    *, user, cameo_ids: list[int], prompt: str, inherited_ids: list[int] | tuple[int, ...] = ()
) -> list[tuple[Cameo, str]]:
    """Consent at job creation: every cameo must be one this user can see, allowed for them now, and the prompt
    must respect the owner's restrictions (phrases here; the meaning is checked by the worker). Returns
    [(cameo, basis)]. ``inherited_ids`` are the cameos of the clip being remixed: the user sees them in that clip,
    so they need no other visibility, but their owners' consent all the same."""
    inherited_ids = [cid for cid in inherited_ids if cid not in cameo_ids]
    if not cameo_ids and not inherited_ids:
        return []
    visible = {c.pk: c for c in cameos_visible_to(user=user).filter(pk__in=cameo_ids)}
    visible.update({c.pk: c for c in Cameo.objects.select_related("owner").filter(pk__in=inherited_ids)})
    result = []
    for cameo_id in [*cameo_ids, *inherited_ids]:
        cameo = visible.get(cameo_id)
        if cameo is None:
            raise ApiError(
                f"There is no cameo {cameo_id} you can use.",
                code="cameo_not_found",
                status_code=status.HTTP_404_NOT_FOUND,
            )
        decision = cameo_use_decision(cameo=cameo, user=user)
        if not decision.allowed:
            prefix = "The clip you are remixing features a cameo. " if cameo_id in inherited_ids else ""
            raise ApiError(
                prefix + decision.reason,
                code="cameo_not_allowed",
                status_code=status.HTTP_403_FORBIDDEN,
                extra={"cameo": cameo.pk},
            )
        _refuse_restricted(cameo=cameo, user=user, prompt=prompt)
        result.append((cameo, decision.basis))
    return result


def cameo_uses_record_for_job(*, job, cameos_and_bases: list[tuple[Cameo, str]]) -> None:
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
            raise ApiError(
                f"There is no cameo {cameo.pk} you can use.",
                code="cameo_not_found",
                status_code=status.HTTP_404_NOT_FOUND,
            )
        decision = cameo_use_decision(cameo=current, user=job.user)
        if not decision.allowed:
            raise ApiError(
                decision.reason,
                code="cameo_not_allowed",
                status_code=status.HTTP_403_FORBIDDEN,
                extra={"cameo": cameo.pk},
            )
        _refuse_restricted(cameo=current, user=job.user, prompt=job.prompt)
        CameoUse.objects.create(cameo=current, user=job.user, job=job, basis=decision.basis, prompt=job.prompt)
        if current.owner_id != job.user_id:
            notify(
                recipient=current.owner,
                actor=job.user,
                kind="cameo_use",
                text=f"@{job.user.username} is making a clip with your cameo “{current.name}”.",
                data={"cameo": current.pk, "job": job.pk, "basis": decision.basis},
            )


def cameos_consent_problem(*, job) -> str | None:
    """Consent again, when the worker starts the job: a reason to stop, or None. Includes the semantic check of
    the owners' restrictions (the sentence-embedding model loads in the worker on first use). If that check
    cannot run, the job does not run either."""
    return _job_consent_problem(job=job, semantic=True)


def cameos_recheck_for_publish(*, job) -> None:
    """Consent when a draft is published (web process: phrase matching only; the meaning was checked when the
    job ran)."""
    problem = _job_consent_problem(job=job, semantic=False)
    if problem:
        raise ApiError(problem, code="cameo_not_allowed", status_code=status.HTTP_403_FORBIDDEN)


def _job_consent_problem(*, job, semantic: bool) -> str | None:
    removed = {
        use.cameo_id: use
        for use in CameoUse.objects.filter(job=job, removed_at__isnull=False).select_related("cameo__owner")
    }
    for cameo in job.cameos.select_related("owner").all():
        use = removed.get(cameo.pk)
        if use is not None:
            return use.removed_reason or f"@{cameo.owner.username} removed this use of the cameo “{cameo.name}”."
        problem = _consent_problem(cameo=cameo, user=job.user, prompt=job.prompt, semantic=semantic)
        if problem:
            return problem
    return None


def cameo_uses_attach_post(*, job, post) -> None:
    """The draft became a post (inside the publishing transaction): the ledger rows still in force get the post.
    (feed.services.post_create_from_job tells the owners.)"""
    CameoUse.objects.filter(job=job, removed_at__isnull=True).update(post=post)


# --- stopping and removing uses -------------------------------------------------------------------------------


def pending_use_ids(*, cameo_ids: list[int], user_id: int | None = None) -> list[int]:
    """Ledger rows whose job is queued or running or left an unpublished draft."""
    from generation.models import GenerationJob

    qs = CameoUse.objects.filter(cameo_id__in=cameo_ids, removed_at__isnull=True, job__isnull=False).filter(
        Q(job__status__in=GenerationJob.ACTIVE)
        | Q(job__status=GenerationJob.Status.SUCCEEDED, job__draft=GenerationJob.Draft.READY)
    )
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def use_stop(
    *, use_id: int, reason: str, removed_by: User | None = None, take_down: bool = False, only_if_pending: bool = False
) -> bool:
    """Record the removal of one use and undo what it produced: a queued job is cancelled, a running one stops at
    its next step, an unpublished draft is deleted, and with ``take_down`` a published post is taken down for
    everyone. ``only_if_pending`` leaves published uses alone (revocation does not touch posts). Runs inside the
    caller's transaction; False when there was nothing to do."""
    from feed.models import Post
    from feed.services import post_take_down
    from generation.models import GenerationJob
    from generation.services import job_delete_draft, job_request_stop

    job_id = CameoUse.objects.filter(pk=use_id).values_list("job_id", flat=True).first()
    job = GenerationJob.objects.select_for_update().filter(pk=job_id).first() if job_id else None
    use = (
        CameoUse.objects.select_for_update(of=("self",))
        .select_related("cameo__owner", "user", "post")
        .filter(pk=use_id)
        .first()
    )
    if use is None or use.removed_at is not None:
        return False
    pending = job is not None and (job.status in GenerationJob.ACTIVE or job.draft == GenerationJob.Draft.READY)
    if only_if_pending and not pending:
        return False
    reason = reason[:300]
    use.removed_at = timezone.now()
    use.removed_by = removed_by
    use.removed_reason = reason
    use.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    what = "clip"
    if job is not None:
        if job_request_stop(job_ids=[job.pk], reason=reason):
            what = "generation"
        elif job.draft == GenerationJob.Draft.READY:
            job_delete_draft(job=job, reason=reason)
            what = "draft"
    if what != "clip" and use.user_id != (removed_by.pk if removed_by else None):
        verb = {"generation": "was stopped", "draft": "was deleted"}[what]
        notify(
            recipient=use.user,
            actor=removed_by,
            kind="moderation",
            text=f"Your clip with the cameo “{use.cameo.name}” {verb}: {reason}",
            data={"cameo": use.cameo_id, "job": use.job_id, "use": use.pk},
        )
    post = use.post
    if take_down and post is not None and post.state == Post.State.PUBLISHED:
        post_take_down(post=post, reason=reason)  # hidden for everyone; its author is told
    return True


def cameo_consent_sweep(*, cameo_ids: list[int], user_id: int | None = None) -> int:
    """Stop every pending use of these cameos (by ``user_id`` only, if given) whose maker lost consent: after the
    owner lowered the level, removed an approval or added restrictions, or after a block or an unfollow.
    Returns how many were stopped."""
    stopped = 0
    for use_id in pending_use_ids(cameo_ids=cameo_ids, user_id=user_id):
        use = CameoUse.objects.select_related("cameo__owner", "user", "job").get(pk=use_id)
        problem = _consent_problem(cameo=use.cameo, user=use.user, prompt=use.job.prompt)
        if problem:
            with transaction.atomic():
                stopped += use_stop(use_id=use_id, reason=problem, only_if_pending=True)
    return stopped


def cameos_relationship_changed(*, user_a_id: int, user_b_id: int) -> int:
    """A block or an unfollow between two people can end consent both ways: re-check the pending uses each of
    them made of the other's cameos."""
    stopped = 0
    for owner_id, user_id in ((user_a_id, user_b_id), (user_b_id, user_a_id)):
        cameo_ids = list(Cameo.objects.filter(owner_id=owner_id).values_list("pk", flat=True))
        if cameo_ids:
            stopped += cameo_consent_sweep(cameo_ids=cameo_ids, user_id=user_id)
    return stopped


def cameo_use_remove(*, owner: User, cameo: Cameo, use_id: int) -> CameoUse:
    """The owner removes one use: a draft is deleted, a queued or running job stopped, a post taken down."""
    require_owner(user=owner, cameo=cameo)
    use = CameoUse.objects.filter(pk=use_id, cameo=cameo).first()
    if use is None:
        raise ApiError(
            "There is no such use of this cameo.", code="use_not_found", status_code=status.HTTP_404_NOT_FOUND
        )
    if use.removed_at is not None:
        raise ApiError("This use was already removed.", code="already_removed", status_code=status.HTTP_409_CONFLICT)
    reason = f"@{owner.username} removed their cameo “{cameo.name}” from this clip."
    with transaction.atomic():
        use_stop(use_id=use.pk, reason=reason, removed_by=owner, take_down=True)
    use.refresh_from_db()
    return use


def cameo_uses_remove_for_user(*, owner: User, cameo: Cameo, username: str) -> int:
    """The owner removes every use one person made of the cameo (drafts, jobs and posts). Returns how many."""
    require_owner(user=owner, cameo=cameo)
    target = user_by_handle(username)
    reason = f"@{owner.username} removed their cameo “{cameo.name}” from @{target.username}'s clips."
    removed = 0
    with transaction.atomic():
        ids = list(
            CameoUse.objects.filter(cameo=cameo, user=target, removed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for use_id in ids:
            removed += use_stop(use_id=use_id, reason=reason, removed_by=owner, take_down=True)
    return removed
