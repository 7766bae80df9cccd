from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import F, Q


class HandleValidator(UnicodeUsernameValidator):
    regex = r"^[A-Za-z0-9_.]+\Z"
    message = "Use letters, digits, dots and underscores only."


class User(AbstractUser):
    """A Riff member. The username is the public @handle."""

    username = models.CharField(
        "handle",
        max_length=30,
        unique=True,
        validators=[HandleValidator(), MinLengthValidator(2)],
        error_messages={"unique": "That handle is already taken."},
        help_text="2–30 letters, digits, dots or underscores.",
    )
    display_name = models.CharField(max_length=50, blank=True)
    bio = models.CharField(max_length=300, blank=True)
    avatar = models.FileField(upload_to="avatars/", blank=True, max_length=200)
    birth_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

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
