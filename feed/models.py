from django.db import models
from django.db.models import F, Q


class Post(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public"
        FOLLOWERS = "followers"
        PRIVATE = "private"

    class State(models.TextChoices):
        PUBLISHED = "published"
        TAKEN_DOWN = "taken_down"  # by a moderator or a cameo owner: hidden everywhere
        DELETED = "deleted"  # by its author

    author = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="posts")
    job = models.OneToOneField("generation.GenerationJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="post")
    video = models.CharField(max_length=300)  # storage name
    poster = models.CharField(max_length=300, blank=True)
    caption = models.CharField(max_length=500, blank=True)
    prompt = models.TextField(blank=True)
    prompt_public = models.BooleanField(default=True)
    remix_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="remixes")
    root = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="descendants")
    depth = models.PositiveIntegerField(default=0)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PUBLISHED)
    state_reason = models.CharField(max_length=300, blank=True)
    duration_s = models.FloatField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    remix_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    embedding = models.BinaryField(null=True, blank=True)  # float32 sentence embedding of prompt + caption
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "visibility", "-created_at"]),
            models.Index(fields=["author", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} by {self.author_id}"


class Like(models.Model):
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="likes")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="like_once")]


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    text = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class View(models.Model):
    """One row per viewer and post: total watch time and whether it was watched to the end."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="views")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="views")
    watch_s = models.FloatField(default=0)
    completed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="view_once")]


class Report(models.Model):
    class Kind(models.TextChoices):
        POST = "post"
        COMMENT = "comment"
        LIKENESS = "likeness"  # "this clip uses my likeness"

    class Status(models.TextChoices):
        OPEN = "open"
        DISMISSED = "dismissed"
        ACTIONED = "actioned"

    reporter = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="reports_made")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.POST)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    reason = models.CharField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)


class Notification(models.Model):
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
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"])]


class FeedPreference(models.Model):
    """What a user wrote about what they want more or less of, and the directions derived from it."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="feed_preference")
    text = models.CharField(max_length=500, blank=True)
    more_terms = models.JSONField(default=list, blank=True)
    less_terms = models.JSONField(default=list, blank=True)
    more_vector = models.BinaryField(null=True, blank=True)
    less_vector = models.BinaryField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
