import secrets

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class HandleValidator(UnicodeUsernameValidator):
    regex = r"^[A-Za-z0-9_.]+\Z"
    message = _("Use letters, digits, dots and underscores only.")


def new_feed_version() -> int:
    return secrets.randbits(62)


class User(AbstractUser):
    """A Riff member. The username is the public @handle."""

    username = models.CharField(
        _("handle"),
        max_length=30,
        unique=True,
        validators=[HandleValidator(), MinLengthValidator(2)],
        error_messages={"unique": _("That handle is already taken.")},
        help_text=_("2–30 letters, digits, dots or underscores."),
    )
    display_name = models.CharField(max_length=50, blank=True)
    bio = models.CharField(max_length=300, blank=True)
    avatar = models.FileField(upload_to="avatars/", blank=True, max_length=200)
    birth_date = models.DateField(null=True, blank=True)
    # The interface language the member chose ("en", "fr"); blank: the browser's.
    language = models.CharField(max_length=8, blank=True, choices=[("en", "English"), ("fr", "Français")])
    created_at = models.DateTimeField(auto_now_add=True)
    # Moderation: no generating, publishing or commenting until this time (moderation.services).
    suspended_until = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)
    # Members under 18: the limits a linked guardian may lower (never above the defaults in settings).
    teen_watch_limit_min = models.PositiveSmallIntegerField(null=True, blank=True)
    teen_cameo_use = models.CharField(
        max_length=10, choices=[("approved", "approved people"), ("only_me", "only me")], default="approved"
    )
    # The version of what the For-you ranking reads about this member (feed.for_you.stored, "Serving"): a new random value
    # with every like, first view or completion, follow, block and steering change, written in the transaction
    # that makes the change (feed.services.feed_signals_changed). On the user row because every request reads it.
    feed_version = models.BigIntegerField(default=new_feed_version, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(teen_cameo_use__in=["approved", "only_me"]), name="user_teen_cameo_use_valid"),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"

    @property
    def name(self) -> str:
        return self.display_name or self.username


class Follow(models.Model):
    follower = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="following_set")
    followee = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="follower_set")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="follow_not_self"),
        ]
        indexes = [models.Index(fields=["followee", "created_at"])]


class Block(models.Model):
    blocker = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="blocking_set")
    blocked = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="blocked_by_set")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]


class Guardianship(models.Model):
    """A parent or guardian linked to a member under 18: the member invites, the guardian accepts, and then sees
    and may lower the member's limits."""

    class State(models.TextChoices):
        PENDING = "pending"
        ACTIVE = "active"
        ENDED = "ended"

    teen = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="guardianships")
    guardian = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="wards")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One guardian link in force (pending or active) per member.
            models.UniqueConstraint(
                fields=["teen"], condition=Q(state__in=["pending", "active"]), name="guardianship_one_per_teen"
            ),
            models.CheckConstraint(condition=~Q(teen=F("guardian")), name="guardianship_not_self"),
            models.CheckConstraint(
                condition=~Q(state="active") | Q(accepted_at__isnull=False), name="guardianship_active_accepted"
            ),
        ]


class WatchDay(models.Model):
    """Seconds a member under 18 watched on one UTC day (the feed's break reminder and the guardian's view of
    today's watching: accounts.selectors.watched_today_s)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="watch_days")
    day = models.DateField()
    watch_s = models.FloatField(default=0)

    class Meta:
        db_table = "feed_watchday"  # the table it was made with (the model moved here from feed)
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="watch_day_once")]


class Notification(models.Model):
    """Something a member is told: in the list of notifications, and live on their sockets when it happens. Every
    app tells people things through ``accounts.services.notification_create``."""

    class Kind(models.TextChoices):
        FOLLOW = "follow"
        LIKE = "like"
        COMMENT = "comment"
        REMIX = "remix"
        CAMEO_USE = "cameo_use"
        CAMEO_REQUEST = "cameo_request"
        CAMEO_APPROVED = "cameo_approved"
        MODERATION = "moderation"
        SYSTEM = "system"

    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey("accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    post = models.ForeignKey("feed.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "feed_notification"  # the table it was made with (the model moved here from feed)
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="feed_notifi_recipie_18f820_idx"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]


class ApiToken(models.Model):
    """An API key (``Authorization: Token <key>``) of one device or program. Only the key's SHA-256 is stored:
    the key itself is shown once, when it is made. A member may hold several and revoke any of them."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)  # the key's first characters, to tell keys apart in the list
    label = models.CharField(max_length=200, blank=True)  # the device's user agent, or a name the member gave
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)  # kept to the minute

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]


class MemberSession(models.Model):
    """A signed-in browser: the Django session it holds, with what the member needs to recognise it. Made at
    sign-in, removed at sign-out or when revoked (accounts.services.credentials)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="member_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)  # kept to the minute

    class Meta:
        ordering = ["-created_at", "-id"]
