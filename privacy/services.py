"""Members' own data: the archive of everything they made (export) and the deletion of their account.

Export: ``export_start`` records a queued ``DataExport`` (one at a time per member, EXPORTS_PER_DAY a day) and
wakes a worker, which builds the zip (privacy.export) with progress on the member's socket; the download is an
owner-only link signed for EXPORT_LINK_TTL_S; the archive is deleted EXPORT_KEEP_HOURS after it is ready.

Deletion: ``account_delete_request`` closes the account at once, in one transaction (no sign-in, tokens and
sessions revoked, sockets closed, posts withdrawn from everywhere, the member's generations stopped, their cameos
unusable with every use in progress stopped) and schedules the erasure ACCOUNT_DELETION_GRACE_DAYS later (0: at
once). Until then the member may cancel by signing in again (``account_deletion_cancel``). The erasure
(privacy.erasure) runs in the worker, step by step, and resumes where it stopped after a crash.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import member_close, member_reopen
from cameos.services import member_cameos_closed
from core.errors import Conflict, Forbidden, LimitReached, NotFound
from core.events import send_to_user
from core.media import storage_delete
from core.tasks import enqueue_on_commit
from feed.services import posts_return_for_author, posts_withdraw_for_author
from generation.services import member_jobs_stop

from . import tasks
from .models import AccountDeletion, DataExport

logger = logging.getLogger(__name__)


# --- export ---------------------------------------------------------------------------------------------------


def export_start(*, user: User, requested_by: User | None = None) -> DataExport:
    """Queue an archive of the member's data. A second one while one is being made is refused (409)."""
    if DataExport.objects.filter(user=user, state__in=DataExport.ACTIVE).exists():
        raise Conflict(_("An archive of your data is already being made."), code="export_running")
    since = timezone.now() - timedelta(days=1)
    if requested_by is None and DataExport.objects.filter(user=user, requested_by__isnull=True, created_at__gte=since).count() >= settings.EXPORTS_PER_DAY:
        raise LimitReached(
            _("You can ask for {n} archives a day. Try again tomorrow.").format(n=settings.EXPORTS_PER_DAY),
            code="export_quota",
        )
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user, requested_by=requested_by)
            enqueue_on_commit(tasks.build_export, export.pk)
    except IntegrityError:  # a concurrent request made one first
        raise Conflict(_("An archive of your data is already being made."), code="export_running")
    return export


def _export_event(export: DataExport, kind: str) -> None:
    send_to_user(export.user_id, {"type": kind, "export": export.pk, "state": export.state, "progress": export.progress})


def export_claim(*, export_id: int) -> DataExport | None:
    """The worker takes a queued export (or one whose worker died: a stale heartbeat)."""
    stale = timezone.now() - timedelta(seconds=settings.PRIVACY_LEASE_S)
    with transaction.atomic():
        export = DataExport.objects.select_for_update().filter(pk=export_id).select_related("user").first()
        if export is None or not (
            export.state == DataExport.State.QUEUED
            or (export.state == DataExport.State.RUNNING and (export.heartbeat_at is None or export.heartbeat_at < stale))
        ):
            return None
        export.state, export.heartbeat_at, export.attempts = DataExport.State.RUNNING, timezone.now(), export.attempts + 1
        export.save(update_fields=["state", "heartbeat_at", "attempts"])
        _export_event(export, "export.progress")
    return export


def export_progress(*, export: DataExport, progress: float) -> None:
    export.progress = round(min(max(progress, 0.0), 1.0), 3)
    DataExport.objects.filter(pk=export.pk).update(progress=export.progress, heartbeat_at=timezone.now())
    _export_event(export, "export.progress")


def export_finish(*, export: DataExport, archive: str, size: int, counts: dict) -> None:
    now = timezone.now()
    with transaction.atomic():
        updated = DataExport.objects.filter(pk=export.pk, state=DataExport.State.RUNNING).update(
            state=DataExport.State.READY, archive=archive, size_bytes=size, counts=counts, progress=1.0, finished_at=now,
            expires_at=now + timedelta(hours=settings.EXPORT_KEEP_HOURS),
        )
        if not updated:  # the member's account was erased meanwhile, or another worker finished it
            transaction.on_commit(lambda: storage_delete([archive]))
            return
        export.state, export.progress = DataExport.State.READY, 1.0
        _export_event(export, "export.ready")


def export_fail(*, export: DataExport, error: str) -> None:
    DataExport.objects.filter(pk=export.pk).update(state=DataExport.State.FAILED, error=error[:500], finished_at=timezone.now())
    export.state = DataExport.State.FAILED
    with transaction.atomic():
        _export_event(export, "export.failed")


def export_storage_name(export: DataExport) -> str:
    return f"exports/{export.user_id}/{export.pk}-{uuid.uuid4().hex}.zip"


def exports_expire(*, now=None) -> int:
    """Delete the archives past their time (the sweep)."""
    now = now or timezone.now()
    expired = 0
    for export in DataExport.objects.filter(state=DataExport.State.READY, expires_at__lte=now):
        storage_delete([export.archive])
        expired += DataExport.objects.filter(pk=export.pk, state=DataExport.State.READY).update(
            state=DataExport.State.EXPIRED, archive=""
        )
    return expired


def _download_signature(export_id: int, exp: int) -> str:
    key = hashlib.sha256(b"riff.export" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{export_id}\n{exp}".encode(), "sha256").hexdigest()[:40]


def export_download_url(export: DataExport) -> str:
    """A link that works for EXPORT_LINK_TTL_S, and only for the member (the view also checks who asks)."""
    exp = int(time.time()) + settings.EXPORT_LINK_TTL_S
    path = reverse("api-me-export-download", kwargs={"export_id": export.pk})
    return f"{path}?exp={exp}&sig={_download_signature(export.pk, exp)}"


def export_for_download(*, user: User, export_id: int, exp: str, sig: str) -> DataExport:
    """The archive behind a download link: the member's own, ready, and the link not expired or altered."""
    export = DataExport.objects.filter(pk=export_id, user=user).first()
    if export is None:
        raise NotFound(_("There is no such archive."), code="not_found")
    try:
        expires = int(exp)
    except (TypeError, ValueError):
        expires = 0
    if not hmac.compare_digest(_download_signature(export.pk, expires), sig or ""):
        raise Forbidden(_("This download link is not valid."), code="bad_link")
    if expires < time.time():
        raise Forbidden(_("This download link has expired: open your data page for a new one."), code="link_expired")
    if export.state == DataExport.State.EXPIRED:
        raise Conflict(_("This archive was deleted after {hours} hours: ask for a new one.").format(
            hours=f"{settings.EXPORT_KEEP_HOURS:g}"), code="export_expired")
    if export.state != DataExport.State.READY:
        raise Conflict(_("This archive is not ready yet."), code="export_not_ready")
    return export


# --- deletion -------------------------------------------------------------------------------------------------


def account_delete_request(*, user: User, password: str | None = None, requested_by: User | None = None) -> AccountDeletion:
    """Close the account now and schedule the erasure. The member confirms with their password; staff
    (``requested_by``) do not, and their action is recorded."""
    if requested_by is None and not user.check_password(password or ""):
        raise ValidationError({"password": [_("The password is not right.")]})
    if requested_by is not None and not requested_by.is_staff:
        raise Forbidden(_("Only staff can delete another member's account."), code="not_staff")
    due = timezone.now() + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=user.pk)
            if AccountDeletion.objects.filter(user=user, state__in=["scheduled", "erasing"]).exists():
                raise Conflict(_("This account is already being deleted."), code="deletion_running")
            member_close(user=user)  # is_active off first: the consent checks below see a closed account
            posts_withdraw_for_author(user=user)
            member_jobs_stop(user=user)
            member_cameos_closed(user=user)
            deletion = AccountDeletion.objects.create(user=user, requested_by=requested_by, due_at=due)
            if settings.ACCOUNT_DELETION_GRACE_DAYS <= 0:
                enqueue_on_commit(tasks.erase_account, deletion.pk)
    except IntegrityError:
        raise Conflict(_("This account is already being deleted."), code="deletion_running")
    logger.info("account %s closed; erasure due %s", user.pk, due.isoformat())
    return deletion


def account_deletion_cancel(*, request, username: str, password: str) -> User:
    """The member signs in during the grace period to keep their account: it opens again as it was."""
    user = User.objects.filter(username__iexact=username, is_active=False).first()
    if user is None or not user.check_password(password or ""):
        raise ValidationError({"password": [_("Wrong handle or password.")]})
    with transaction.atomic():
        deletion = AccountDeletion.objects.select_for_update().filter(user=user, state=AccountDeletion.State.SCHEDULED).first()
        if deletion is None or deletion.due_at <= timezone.now():
            raise Conflict(_("This account's deletion can no longer be cancelled."), code="deletion_started")
        deletion.state, deletion.finished_at = AccountDeletion.State.CANCELLED, timezone.now()
        deletion.save(update_fields=["state", "finished_at"])
        member_reopen(user=user)
        posts_return_for_author(user=user)
    return authenticate(request, username=user.username, password=password) or user


def deletion_pending(*, user: User) -> AccountDeletion | None:
    return AccountDeletion.objects.filter(user=user, state__in=["scheduled", "erasing"]).first()


def deletions_due(*, now=None) -> list[int]:
    """Deletions whose grace period is over, and erasures whose worker died (a stale heartbeat)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.PRIVACY_LEASE_S)
    due = AccountDeletion.objects.filter(state=AccountDeletion.State.SCHEDULED, due_at__lte=now)
    dead = AccountDeletion.objects.filter(state=AccountDeletion.State.ERASING, heartbeat_at__lt=stale)
    return sorted({*due.values_list("pk", flat=True), *dead.values_list("pk", flat=True)})


def exports_stalled(*, now=None) -> list[int]:
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.PRIVACY_LEASE_S)
    running = DataExport.objects.filter(state=DataExport.State.RUNNING, heartbeat_at__lt=stale)
    waiting = DataExport.objects.filter(state=DataExport.State.QUEUED, created_at__lt=now - timedelta(seconds=60))
    return sorted({*running.values_list("pk", flat=True), *waiting.values_list("pk", flat=True)})
