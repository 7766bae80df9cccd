"""Writes for generation jobs. Every state change is guarded here and sends its event after commit.

States: queued -> running -> succeeded | failed | cancelled. A worker claims a job by a compare-and-set update,
so a redelivered wake-up never runs a job twice; a reaper returns jobs whose heartbeat went stale to the queue.

- ``create``: asking for a generation (validation, limits, the prompt policy, consent for the cameos);
- ``queue``: the worker's side (claim, heartbeat, progress, success, failure, the reaper);
- ``owner``: the owner's actions (cancel, discard, publish) and others' (stop for a reason, delete a draft);
- ``storyboards``: storyboards (several shots, one cast) and stitches of drafts;
- ``voices``: the author's choice of voices, checked against the catalogue and the prompt's speakers;
- ``cameo_uses``: jobs, drafts and posts that lost their cameo owner's consent, and the owner's removals.
"""

from .cameo_uses import (
    cameo_use_remove,
    cameo_use_stop,
    cameo_uses_remove_for_user,
    cameo_uses_stop_for_deleted_cameo,
    cameo_uses_stop_lost_consent,
)
from .common import job_status_event, notify_status, wake_workers
from .create import MAX_CAMEOS, MAX_PROMPT, MAX_SEED, job_create
from .members import member_generation_erase, member_jobs_running, member_jobs_stop
from .owner import job_cancel, job_delete_draft, job_discard, job_publish, job_request_stop
from .queue import (
    job_claim_next,
    job_fail,
    job_heartbeat,
    job_mark_cancelled,
    job_reap_stale,
    job_record_progress,
    job_succeed,
)
from .storyboards import stitch_create, storyboard_create
from .voices import cast_preview, voices_checked

__all__ = [
    "member_generation_erase",
    "member_jobs_running",
    "member_jobs_stop",
    "MAX_CAMEOS",
    "MAX_PROMPT",
    "MAX_SEED",
    "cameo_use_remove",
    "cameo_use_stop",
    "cameo_uses_remove_for_user",
    "cameo_uses_stop_for_deleted_cameo",
    "cameo_uses_stop_lost_consent",
    "cast_preview",
    "job_cancel",
    "job_claim_next",
    "job_create",
    "job_delete_draft",
    "job_discard",
    "job_fail",
    "job_heartbeat",
    "job_mark_cancelled",
    "job_publish",
    "job_reap_stale",
    "job_record_progress",
    "job_request_stop",
    "job_status_event",
    "job_succeed",
    "notify_status",
    "stitch_create",
    "storyboard_create",
    "voices_checked",
    "wake_workers",
]
