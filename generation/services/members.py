"""A member's account is closing or being erased (privacy runs these): their generations stop at once, and the
erasure deletes their jobs, drafts and the records the prompt policy kept about them."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_noop

from cameos.models import CameoUse

from ..models import GenerationJob, PolicyRefusal, ProvenanceCheck, PublicFigure
from .owner import job_request_stop

ACCOUNT_CLOSING = gettext_noop("The account was closed.")


def member_jobs_stop(*, user) -> int:
    """Queued jobs of the member are cancelled now, running ones at their next step."""
    ids = list(GenerationJob.objects.filter(user_id=user.pk, status__in=GenerationJob.ACTIVE).values_list("pk", flat=True))
    return job_request_stop(job_ids=ids, reason=ACCOUNT_CLOSING)


def member_jobs_running(*, user) -> bool:
    """A job of the member is still running (it stops at its next step): its files are not to be erased yet."""
    return GenerationJob.objects.filter(user_id=user.pk, status=GenerationJob.Status.RUNNING).exists()


def member_generation_erase(*, user) -> dict:
    """Delete the member's jobs (drafts, prompts), their uses of other people's cameos, the policy's records about
    them and their provenance checks; return how many, and the files named by the rows under ``"files"`` (the
    caller also deletes everything under their draft folder)."""
    with transaction.atomic():
        jobs = GenerationJob.objects.filter(user_id=user.pk)
        files = [name for pair in jobs.values_list("video", "poster") for name in pair if name]
        checks = ProvenanceCheck.objects.filter(requester_id=user.pk)
        files += [name for name in checks.values_list("upload", flat=True) if name]
        counts = {
            "cameo_uses": CameoUse.objects.filter(user_id=user.pk).delete()[1].get("cameos.CameoUse", 0),
            "policy_refusals": PolicyRefusal.objects.filter(user_id=user.pk).delete()[1].get("generation.PolicyRefusal", 0),
            "provenance_checks": checks.delete()[1].get("generation.ProvenanceCheck", 0),
            "jobs": jobs.delete()[1].get("generation.GenerationJob", 0),
        }
        # A public figure's entry stays on the list (the name stays protected); it no longer names the account.
        PublicFigure.objects.filter(user_id=user.pk).update(user=None)
        PublicFigure.objects.filter(added_by_id=user.pk).update(added_by=None)
    return {**counts, "files": files}

