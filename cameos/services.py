from __future__ import annotations

from django.db import transaction
from rest_framework import status

from config.api import ApiError

from .models import Cameo, CameoUse
from .restrictions import restriction_violated
from .selectors import cameo_use_decision


def cameos_check_for_job(*, user, cameo_ids: list[int], prompt: str) -> list[tuple[Cameo, str]]:
    """Consent at job creation: every cameo must exist, be visible, allowed for this user now, and the prompt
    must respect the owner's restrictions. Returns [(cameo, basis)]."""
    if not cameo_ids:
        return []
    cameos = {c.pk: c for c in Cameo.objects.select_related("owner").filter(pk__in=cameo_ids)}
    result = []
    for cameo_id in cameo_ids:
        cameo = cameos.get(cameo_id)
        if cameo is None:
            raise ApiError(f"There is no cameo {cameo_id} you can use.", code="cameo_not_found", status_code=404)
        decision = cameo_use_decision(cameo=cameo, user=user)
        if not decision.allowed:
            raise ApiError(decision.reason, code="cameo_not_allowed", status_code=status.HTTP_403_FORBIDDEN)
        broken = restriction_violated(restrictions=cameo.restrictions, prompt=prompt) if cameo.owner_id != user.pk else None
        if broken:
            raise ApiError(
                f"@{cameo.owner.username} does not allow this use of “{cameo.name}”: “{broken}”.",
                code="cameo_restriction",
                status_code=status.HTTP_403_FORBIDDEN,
                extra={"restriction": broken},
            )
        result.append((cameo, decision.basis))
    return result


def cameo_uses_record_for_job(*, job, cameos_and_bases: list[tuple[Cameo, str]]) -> None:
    from feed.services import notification_create

    for cameo, basis in cameos_and_bases:
        CameoUse.objects.create(cameo=cameo, user=job.user, job=job, basis=basis)
        if cameo.owner_id != job.user_id:
            notification_create(
                recipient=cameo.owner,
                actor=job.user,
                kind="cameo_use",
                text=f"@{job.user.username} is making a clip with your cameo “{cameo.name}”.",
                data={"cameo": cameo.pk, "job": job.pk},
            )


def cameos_consent_problem(*, job) -> str | None:
    """Consent again, when the worker starts the job (and before publishing): a reason to stop, or None."""
    for cameo in job.cameos.select_related("owner").all():
        use = CameoUse.objects.filter(cameo=cameo, job=job).first()
        if use is not None and use.removed_at is not None:
            return f"@{cameo.owner.username} removed this use of the cameo “{cameo.name}”."
        decision = cameo_use_decision(cameo=cameo, user=job.user)
        if not decision.allowed:
            return f"Consent for the cameo “{cameo.name}” was withdrawn: {decision.reason}"
        if cameo.owner_id != job.user_id:
            broken = restriction_violated(restrictions=cameo.restrictions, prompt=job.prompt)
            if broken:
                return f"@{cameo.owner.username} does not allow this use of “{cameo.name}”: “{broken}”."
    return None


def cameos_recheck_for_publish(*, job) -> None:
    problem = cameos_consent_problem(job=job)
    if problem:
        raise ApiError(problem, code="cameo_not_allowed", status_code=status.HTTP_403_FORBIDDEN)


def cameo_uses_attach_post(*, job, post) -> None:
    with transaction.atomic():
        CameoUse.objects.filter(job=job).update(post=post)
