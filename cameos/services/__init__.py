"""Writes for cameos: creation and settings, verification, requests and approvals, and consent.

Consent is checked when a job is created (``cameos_check_for_job``, then again under a lock on the cameo rows
while the job row is written: ``cameo_uses_record_for_job``), when a worker starts the job
(``cameos_consent_refusal`` with the semantic restriction check), and when a draft is published
(``cameos_recheck_for_publish``). Whenever the owner narrows who may use a cameo, or a block or an unfollow
ends a relationship, ``cameos.signals.consent_narrowed`` tells generation, which stops the uses that lost consent
in the same transaction: queued jobs are cancelled, running ones stop at their next step, unpublished drafts are
deleted. Published posts stay until the owner removes them from the ledger (generation.services.cameo_uses).

Locks are taken in one order everywhere: generation job, then ledger row (publishing locks the job and then
writes the ledger), and the cameo row before either when the cameo itself changes.
"""

from .access import cameo_approval_create, cameo_approval_delete, cameo_request_close, cameo_request_create
from .common import CHALLENGE_TTL, MAX_CAMEOS_PER_USER, MAX_PHOTOS, require_owner, user_by_handle
from .consent import (
    ConsentRefusal,
    ConsentRefused,
    Refusal,
    cameo_consent_narrowed,
    cameo_use_consent_refusal,
    cameo_use_mark_removed,
    cameo_uses_attach_post,
    cameo_uses_record_for_job,
    cameos_check_for_job,
    cameos_consent_refusal,
    cameos_owner_narrowed,
    cameos_recheck_for_publish,
    cameos_relationship_changed,
)
from .lifecycle import (
    cameo_challenge_issue,
    cameo_create,
    cameo_delete,
    cameo_reference_check_record,
    cameo_update,
    cameo_verification_record,
    cameo_verification_submit,
    cameo_voice_delete,
)
from .members import member_cameos_closed, member_cameos_erase

__all__ = [
    "member_cameos_closed",
    "member_cameos_erase",
    "CHALLENGE_TTL",
    "MAX_CAMEOS_PER_USER",
    "MAX_PHOTOS",
    "ConsentRefusal",
    "ConsentRefused",
    "Refusal",
    "cameo_approval_create",
    "cameo_approval_delete",
    "cameo_challenge_issue",
    "cameo_consent_narrowed",
    "cameo_create",
    "cameo_delete",
    "cameo_reference_check_record",
    "cameo_request_close",
    "cameo_request_create",
    "cameo_update",
    "cameo_use_consent_refusal",
    "cameo_use_mark_removed",
    "cameo_uses_attach_post",
    "cameo_uses_record_for_job",
    "cameo_verification_record",
    "cameo_verification_submit",
    "cameo_voice_delete",
    "cameos_check_for_job",
    "cameos_consent_refusal",
    "cameos_owner_narrowed",
    "cameos_recheck_for_publish",
    "cameos_relationship_changed",
    "require_owner",
    "user_by_handle",
]
