import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

MAX_CLIP_S = 600  # the longest clip a row may describe; what members may ask for is set in settings


def _provenance_id() -> int:
    return secrets.randbelow(2**31 - 1) + 1


class GenerationJob(models.Model):
    """The source of truth for one generation, from the request to the private draft it leaves behind."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Kind(models.TextChoices):
        TEXT = "text"
        REMIX = "remix"
        CAMEO = "cameo"
        EXTEND = "extend"
        STORYBOARD = "storyboard"
        STITCH = "stitch"

    class Aspect(models.TextChoices):
        PORTRAIT = "9:16"
        LANDSCAPE = "16:9"
        SQUARE = "1:1"

    class Draft(models.TextChoices):
        NONE = "none"
        READY = "ready"
        PUBLISHED = "published"
        DISCARDED = "discarded"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="generation_jobs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    prompt = models.TextField(max_length=1000)
    prompt_public = models.BooleanField(default=True)
    # One shot: 1–20 s; a storyboard or a stitch: its whole length (settings.GENERATION_MAX_STORYBOARD_S).
    duration_s = models.FloatField(default=8.0, validators=[MinValueValidator(1), MaxValueValidator(MAX_CLIP_S)])
    aspect = models.CharField(max_length=5, choices=Aspect.choices, default=Aspect.PORTRAIT)
    seed = models.BigIntegerField()
    strength = models.FloatField(default=0.6)
    voices = models.JSONField(default=dict, blank=True)  # {speaker: catalogue voice} the author chose
    language = models.CharField(max_length=2, blank=True, default="")  # "en" | "fr" for every line; "" = per line
    style = models.CharField(max_length=16, blank=True, default="")  # backends.base.STYLES; "" = as the prompt says
    remix_of = models.ForeignKey("feed.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="remix_jobs")
    # An extension of one of the member's own drafts (an extension of a post uses remix_of).
    extends = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="extensions")
    cameos = models.ManyToManyField("cameos.Cameo", blank=True, related_name="jobs")
    # A storyboard's shots ({prompt, duration_s, framing, camera, transition}) or a stitch's parts ({source,
    # transition}), in order.
    shots = models.JSONField(default=list, blank=True)
    # The member's drafts a stitch is made of (the order is in ``shots``).
    stitched = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="stitched_into")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)

    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    errors = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)
    worker_id = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)  # retry backoff
    progress = models.FloatField(default=0.0)
    cancel_requested = models.BooleanField(default=False)
    cancel_reason = models.CharField(max_length=300, blank=True)

    scene_plan = models.JSONField(null=True, blank=True)  # what the backend made, so remixes can start from it
    backend = models.CharField(max_length=20, blank=True)
    backend_meta = models.JSONField(default=dict, blank=True)  # how the request was mapped to the model
    video = models.CharField(max_length=300, blank=True)  # storage name of the draft MP4
    poster = models.CharField(max_length=300, blank=True)
    draft = models.CharField(max_length=10, choices=Draft.choices, default=Draft.NONE)
    provenance_id = models.BigIntegerField(default=_provenance_id, unique=True)  # invisible watermark payload
    publish_on_success = models.BooleanField(default=False)  # demo content: publish as soon as it is ready
    publish_caption = models.CharField(max_length=500, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], condition=Q(idempotency_key__isnull=False), name="job_idempotency_per_user"
            ),
            models.CheckConstraint(condition=Q(progress__gte=0) & Q(progress__lte=1), name="job_progress_0_1"),
            models.CheckConstraint(condition=Q(duration_s__gte=0.5) & Q(duration_s__lte=MAX_CLIP_S),
                                   name="job_duration_in_range"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["user", "status"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class ProvenanceCheck(models.Model):
    """Someone asked where a clip came from. The upload is read by a worker (the web process never decodes
    watermarks) and deleted once the report is written."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        FAILED = "failed"

    requester = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    upload = models.CharField(max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)


class PublicFigure(models.Model):
    """A well-known real person, added by staff in the admin. These rows are merged with the shipped list
    (generation/safety/data/public_figures.json) when the policy loads it: a row with the same name as a shipped
    entry adds its aliases, links its verified account, or (``active`` off) takes the name off the list.

    ``user`` is the person's own account, checked by staff before they set it: that account's cameos are the only
    way a prompt may name this person."""

    class Field(models.TextChoices):
        POLITICS = "politics"
        ENTERTAINMENT = "entertainment"
        SPORTS = "sports"
        BUSINESS = "business"
        OTHER = "other"

    name = models.CharField(max_length=120, unique=True)
    aliases = models.TextField(
        blank=True, help_text="Other names and common misspellings, one per line (matched like the name)."
    )
    field = models.CharField(max_length=20, choices=Field.choices, default=Field.OTHER)
    active = models.BooleanField(default=True, help_text="Off: prompts may name this person (also for shipped names).")
    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="public_figure",
        help_text="The person's own account, verified by staff: prompts may name them with this account's cameo.",
    )
    added_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class PolicyRefusal(models.Model):
    """One refusal by the prompt policy (or by a cameo owner's restrictions): who, what, which rule. Moderators
    read these; a burst of them slows the member down (settings.POLICY_SLOWDOWN_*)."""

    class Context(models.TextChoices):
        PROMPT = "prompt"
        REMIX = "remix"
        DIALOGUE = "dialogue"
        CAPTION = "caption"

    class Stage(models.TextChoices):
        CREATE = "create"  # the web process, when the job was asked for (phrases and names)
        WORKER = "worker"  # the worker, when it started the job (meaning, with the sentence-embedding model)
        PUBLISH = "publish"  # the web process, when a draft was published (the caption)

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="policy_refusals")
    text = models.TextField(max_length=2000)
    rule = models.CharField(max_length=60)
    category = models.CharField(max_length=40)
    context = models.CharField(max_length=10, choices=Context.choices, default=Context.PROMPT)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.CREATE)
    method = models.CharField(max_length=20, blank=True)  # name | phrase | combination | semantic | restriction
    detail = models.CharField(max_length=300, blank=True)  # what matched (a name, the words, a description)
    score = models.FloatField(null=True, blank=True)  # the cosine similarity, for semantic refusals
    job = models.ForeignKey(
        "generation.GenerationJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="policy_refusals"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="refusal_user_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(context__in=["prompt", "remix", "dialogue", "caption"]), name="refusal_context_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"refusal {self.rule} for {self.user_id}"
