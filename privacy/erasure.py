"""Erasing a deleted account, in the worker, step by step.

Each step is idempotent and is recorded in ``AccountDeletion.steps_done`` in the same transaction as the rows it
deletes, so a worker that dies mid-way leaves a deletion that the sweep (privacy.worker.sweep) resumes after its
lease, at the first step not done. The files named by deleted rows are kept on the deletion (``pending_files``)
until the ``files`` step has deleted them; storage errors fail the step, which is then tried again.

What stays, and why (also in the README): the user row as a tombstone (id only, handle ``deleted-<id>``) so the
moderation decisions the operator must keep point at an anonymous id; those decisions; the deletion record
itself (when, by whom, counts). Other people's remixes of the member's posts stay, with "a deleted clip" in their
lineage.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.services import member_accounts_erase, member_anonymise
from cameos.services import member_cameos_erase
from core.media import storage_delete_tree
from feed.services import member_feed_erase
from generation.services import member_generation_erase, member_jobs_running, member_jobs_stop
from moderation.services import member_moderation_erase

from .models import AccountDeletion, DataExport

logger = logging.getLogger("riff.worker")

STEPS = ("stop", "cameos", "generation", "feed", "exports", "moderation", "accounts", "files", "anonymise")
OUTSIDE_TRANSACTION = {"stop"}
RUNNING_JOB_WAIT_S = 60.0  # a running job stops at its next step; the erasure waits this long, then resumes later


class NotYet(Exception):
    """A step cannot run yet (a job of the member is still stopping); the sweep resumes the erasure later."""


def _claim(deletion_id: int) -> AccountDeletion | None:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PRIVACY_LEASE_S)
    with transaction.atomic():
        deletion = AccountDeletion.objects.select_for_update().filter(pk=deletion_id).select_related("user").first()
        if deletion is None:
            return None
        due = deletion.state == AccountDeletion.State.SCHEDULED and deletion.due_at <= now
        dead = deletion.state == AccountDeletion.State.ERASING and (deletion.heartbeat_at is None or deletion.heartbeat_at < stale)
        if not (due or dead):
            return None
        deletion.state, deletion.heartbeat_at, deletion.attempts = AccountDeletion.State.ERASING, now, deletion.attempts + 1
        deletion.save(update_fields=["state", "heartbeat_at", "attempts"])
    return deletion


def _record(deletion: AccountDeletion, step: str, counts: dict) -> None:
    """Inside the step's transaction: the step is done, with what it erased (numbers only) and the files still
    to delete."""
    files = counts.pop("files", [])
    erased = dict(deletion.erased or {})
    pending = erased.get("pending_files", [])
    erased["pending_files"] = sorted(set(pending) | set(files))
    for key, value in counts.items():
        erased[key] = erased.get(key, 0) + value if isinstance(value, int) else value
    deletion.erased = erased
    deletion.steps_done = [*deletion.steps_done, step]
    deletion.heartbeat_at = timezone.now()
    deletion.save(update_fields=["erased", "steps_done", "heartbeat_at"])


def _stop(deletion: AccountDeletion) -> dict:
    member_jobs_stop(user=deletion.user)
    deadline = time.monotonic() + RUNNING_JOB_WAIT_S
    while member_jobs_running(user=deletion.user):
        if time.monotonic() > deadline:
            raise NotYet("a job of the member is still running")
        time.sleep(0.5)
    return {}


def _exports(deletion: AccountDeletion) -> dict:
    exports = DataExport.objects.filter(user_id=deletion.user_id)
    files = [name for name in exports.values_list("archive", flat=True) if name]
    DataExport.objects.filter(requested_by_id=deletion.user_id).update(requested_by=None)  # made as staff for others
    return {"exports": exports.delete()[0], "files": files}


def _files(deletion: AccountDeletion) -> dict:
    uid = deletion.user_id
    pending = list((deletion.erased or {}).get("pending_files", []))
    for name in pending:
        default_storage.delete(name)  # raises on a storage error: the step is tried again
    trees = sum(storage_delete_tree(folder) for folder in (f"drafts/{uid}", f"exports/{uid}", f"avatars/{uid}"))
    deletion.erased = {**deletion.erased, "pending_files": []}
    return {"files_deleted": len(pending) + trees}


def _anonymise(deletion: AccountDeletion) -> dict:
    member_anonymise(user=deletion.user)
    return {}


ACTIONS = {
    "stop": _stop,
    "cameos": lambda d: member_cameos_erase(user=d.user),
    "generation": lambda d: member_generation_erase(user=d.user),
    "feed": lambda d: member_feed_erase(user=d.user),
    "exports": _exports,
    "moderation": lambda d: member_moderation_erase(user=d.user),
    "accounts": lambda d: member_accounts_erase(user=d.user),
    "files": _files,
    "anonymise": _anonymise,
}


def erasure_run(*, deletion_id: int, stop_after: str | None = None) -> AccountDeletion | None:
    """Run the erasure's remaining steps. ``stop_after``: end after that step, as a crash would (tests)."""
    deletion = _claim(deletion_id)
    if deletion is None:
        return None
    for step in STEPS:
        if step in deletion.steps_done:
            continue
        try:
            if step in OUTSIDE_TRANSACTION:  # the stop must commit for the worker running a job to see it
                counts = ACTIONS[step](deletion)
                with transaction.atomic():
                    _record(deletion, step, dict(counts))
            else:
                with transaction.atomic():
                    counts = ACTIONS[step](deletion)
                    _record(deletion, step, dict(counts))
        except NotYet:
            logger.info("erasure %s waits at %s", deletion_id, step)
            return deletion
        except Exception as exc:
            logger.exception("erasure %s failed at %s", deletion_id, step)
            AccountDeletion.objects.filter(pk=deletion.pk).update(error=f"{step}: {type(exc).__name__}: {exc}"[:500])
            return deletion
        if step == stop_after:
            return deletion
    erased = {k: v for k, v in deletion.erased.items() if k != "pending_files"}
    AccountDeletion.objects.filter(pk=deletion.pk).update(
        state=AccountDeletion.State.DONE, finished_at=timezone.now(), erased=erased, error=""
    )
    deletion.state = AccountDeletion.State.DONE
    logger.info("account %s erased: %s", deletion.user_id, erased)
    return deletion
