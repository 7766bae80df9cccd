from django.db import models
from django.db.models import Q


class ModerationAction(models.Model):
    """A moderator's decision (moderation.services): on a post, a comment or a member, with the reports it answers.
    Rows are never edited except to record that an appeal reversed them."""

    class Action(models.TextChoices):
        DISMISS = "dismiss"  # the reports were reviewed: nothing breaks the rules
        TAKE_DOWN = "take_down"  # the post (or comment) is hidden everywhere
        WARN = "warn"
        SUSPEND = "suspend"  # no generating, publishing or commenting until ``until``

    APPEALABLE = (Action.TAKE_DOWN, Action.WARN, Action.SUSPEND)

    moderator = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="moderation_done")
    target = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="moderation_received")
    post = models.ForeignKey("feed.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="moderation_actions")
    comment = models.ForeignKey("feed.Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    comment_text = models.CharField(max_length=1000, blank=True)  # what the comment said (it is deleted on take-down)
    comment_parent_id = models.BigIntegerField(null=True, blank=True)
    comment_created_at = models.DateTimeField(null=True, blank=True)
    reports = models.ManyToManyField("feed.Report", blank=True, related_name="actions")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(max_length=500)
    until = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)  # an appeal was granted
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "feed_moderationaction"  # the table it was made with (the model moved here from feed)
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target", "-created_at"], name="moderation_target_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["dismiss", "take_down", "warn", "suspend"]), name="moderation_action_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="moderation_has_reason"),
            models.CheckConstraint(
                condition=~Q(action="suspend") | Q(until__isnull=False), name="moderation_suspend_has_until"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} of {self.target_id}"


class Appeal(models.Model):
    """The member a decision was about asks for it to be looked at again: once per decision."""

    class Status(models.TextChoices):
        PENDING = "pending"
        GRANTED = "granted"  # the decision is reversed
        DENIED = "denied"

    action = models.OneToOneField(ModerationAction, on_delete=models.CASCADE, related_name="appeal")
    author = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="appeals")
    text = models.CharField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decision_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "feed_appeal"  # the table it was made with (the model moved here from feed)
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "granted", "denied"]), name="appeal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | (Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="appeal_decision_recorded",
            ),
        ]
