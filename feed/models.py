from django.db import models
from django.db.models import Q


class Post(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public"
        FOLLOWERS = "followers"
        PRIVATE = "private"

    class State(models.TextChoices):
        PUBLISHED = "published"
        TAKEN_DOWN = "taken_down"  # by a moderator or a cameo owner: hidden everywhere
        DELETED = "deleted"  # by its author
        WITHDRAWN = "withdrawn"  # its author's account is closing: hidden everywhere until it is erased

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
    # Every remix below this post, at any depth (kept with remix_count when remixes are published or removed).
    descendant_count = models.PositiveIntegerField(default=0)
    # Ids of the remix chain above this post, root first: the lineage without a recursive query.
    ancestors = models.JSONField(default=list, blank=True)
    # ln(1 + weighted engagement) + publish time / tau (feed.for_you.formula): ordering by it ranks by engagement with
    # time decay, and it only changes when the engagement does.
    hot_score = models.FloatField(default=0.0)
    # What search reads (feed.search): the caption and, when public, the prompt. Indexed by the database's own
    # full-text search (SQLite FTS5 table feed_post_fts, kept by triggers; PostgreSQL GIN index post_search).
    search_text = models.TextField(blank=True, default="")
    embedding = models.BinaryField(null=True, blank=True)  # float32 sentence embedding of prompt + caption
    embedding_model = models.CharField(max_length=40, blank=True)  # core.embeddings.MODEL_ID that made it
    # The two feed.topics.TOPICS nearest the embedding: the buckets of the "similar to your taste" candidates.
    topic = models.SmallIntegerField(null=True, blank=True)
    topic2 = models.SmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # No index leads with state or visibility: almost every post is published and public, and an equality on
        # a leading column looks selective to a planner without statistics (SQLite before ANALYZE), which would
        # then scan every published post instead of ordering by created_at / hot_score or looking up ids.
        indexes = [
            models.Index(fields=["author", "-created_at"]),
            models.Index(fields=["-hot_score"], name="post_trending"),
            models.Index(fields=["topic", "-hot_score"], name="post_topic_trending"),
            models.Index(fields=["topic2", "-hot_score"], name="post_topic2_trending"),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} by {self.author_id}"


class Like(models.Model):
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="likes")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="like_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="like_user_recent")]


class Comment(models.Model):
    """A comment on a post, or a reply to a top-level comment (one level deep: a reply to a reply is attached to
    the top-level comment of its thread, see feed.services.comment_create)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    text = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "parent", "-created_at"], name="comment_thread")]


class View(models.Model):
    """One row per viewer and post: total watch time and whether it was watched to the end."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="views")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="views")
    watch_s = models.FloatField(default=0)
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)  # the first time it was watched to the end
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="view_once")]
        indexes = [models.Index(fields=["user", "-completed_at"], name="view_user_completed")]


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
    # A removed comment leaves its reports (and what it said, in comment_text) for the record.
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")
    comment_text = models.CharField(max_length=1000, blank=True)
    reason = models.CharField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="comment") | Q(comment__isnull=False) | ~Q(comment_text=""),
                name="report_comment_has_comment",
            ),
        ]


class FeedPreference(models.Model):
    """What a user wrote about what they want more or less of, and the directions derived from it.

    The web process parses the terms at once (reasons and lexical matching work immediately); the worker embeds
    each term (one float32 row per term, in the order of the terms) and finds the topics the wanted terms point to.
    """

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="feed_preference")
    text = models.CharField(max_length=500, blank=True)
    more_terms = models.JSONField(default=list, blank=True)
    less_terms = models.JSONField(default=list, blank=True)
    more_vectors = models.BinaryField(null=True, blank=True)  # len(more_terms) x core.embeddings.DIM float32, row i = term i
    less_vectors = models.BinaryField(null=True, blank=True)
    more_topics = models.JSONField(default=list, blank=True)  # topic ids (feed.topics) the wanted terms point to
    vectors_at = models.DateTimeField(null=True, blank=True)  # when the worker stored the vectors for this text
    vectors_model = models.CharField(max_length=40, blank=True)  # core.embeddings.MODEL_ID that made them
    updated_at = models.DateTimeField(auto_now=True)


class Tag(models.Model):
    """A hashtag (``feed.tags``): its case-folded name. Staff may pin one as a challenge: a prompt people are
    invited to remix."""

    name = models.CharField(max_length=50, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.name}"


class PostTag(models.Model):
    """A post carries a tag (from its caption or its public prompt). ``created_at`` is the post's, so a tag's
    latest posts are one index range."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="post_tags")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "tag"], name="post_tag_once")]
        indexes = [models.Index(fields=["tag", "-created_at"], name="post_tag_latest")]


class Challenge(models.Model):
    """A tag staff pin on the explore page with a prompt people are invited to make or remix (from ``post``)."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="challenges")
    prompt = models.CharField(max_length=300)
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             help_text="A clip to remix for the challenge (optional).")
    pinned_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.tag.name}: {self.prompt}"
