"""A member's own data: the archives they download (``DataExport``) and the deletion of their account
(``AccountDeletion``). Both are worked by the worker (privacy.tasks) and resume after a crash."""

from django.db import models
from django.db.models import Q


class DataExport(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        READY = "ready"
        FAILED = "failed"
        EXPIRED = "expired"  # the archive was deleted after EXPORT_KEEP_HOURS

    ACTIVE = (State.QUEUED, State.RUNNING)

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="data_exports")
    # A staff member who ran it for the member (recorded, and shown to the member); null: the member.
    requested_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.FloatField(default=0.0)
    archive = models.CharField(max_length=300, blank=True)  # storage name of the zip
    size_bytes = models.BigIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # items per file in the archive
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(state__in=["queued", "running"]), name="export_one_at_a_time"),
        ]


class AccountDeletion(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled"  # the account is closed; erasure starts at due_at (the grace period)
        ERASING = "erasing"
        DONE = "done"
        CANCELLED = "cancelled"  # the member came back during the grace period

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="deletions")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    requested_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField()
    steps_done = models.JSONField(default=list, blank=True)  # the erasure's finished steps (it resumes after them)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What was erased, counted (files, rows per kind): the record the README promises, with no personal data.
    erased = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(state__in=["scheduled", "erasing"]), name="deletion_one_at_a_time"
            ),
        ]
