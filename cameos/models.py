from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Cameo(models.Model):
    """A likeness (a person, or a character: a pet, an object, a drawing) whose owner decides who may use it.

    Two checks gate every use, the owner's included: the reference check (the worker found exactly one face in
    each photo of a person, or no human face and one subject in a character's pictures, and built the avatar)
    and, for a person, the liveness verification (a fresh clip of the owner's face saying a challenge phrase).

    A verified person's voice from their verification clip is kept only when they said so (``voice``), for their
    own cameo's speech; it is never shown to anyone else and its owner may delete it.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        CHARACTER = "character", _("Character")

    class Permission(models.TextChoices):
        ONLY_ME = "only_me", _("Only me")
        APPROVED = "approved", _("People I approve")
        MUTUALS = "mutuals", _("Mutual followers")
        EVERYONE = "everyone", _("Everyone")

    class ReferenceState(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        REJECTED = "rejected"

    class Verification(models.TextChoices):
        NONE = "none"  # a person cameo that was never verified
        PENDING = "pending"
        VERIFIED = "verified"
        REJECTED = "rejected"
        NOT_REQUIRED = "not_required"  # characters are not verified

    # Levels from the most to the least private; lowering the level moves left.
    LEVELS = [Permission.ONLY_ME, Permission.APPROVED, Permission.MUTUALS, Permission.EVERYONE]

    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="cameos")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(max_length=60)
    permission = models.CharField(max_length=10, choices=Permission.choices, default=Permission.ONLY_ME)
    restrictions = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=300, blank=True)  # storage name of the primary reference photo
    avatar = models.CharField(max_length=300, blank=True)  # storage name of a small face crop others may see
    reference_state = models.CharField(max_length=10, choices=ReferenceState.choices, default=ReferenceState.PENDING)
    reference_reason = models.CharField(max_length=300, blank=True)
    verification_state = models.CharField(max_length=12, choices=Verification.choices, default=Verification.NONE)
    verification_reason = models.CharField(max_length=300, blank=True)
    verification_checked_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    voice = models.CharField(max_length=300, blank=True)  # storage name of the kept voice (WAV), owner-only
    voice_kept_at = models.DateTimeField(null=True, blank=True)
    voice_profile = models.JSONField(null=True, blank=True)  # the kept voice, measured (core.voices.voiceprint)
    voice_sample = models.CharField(max_length=300, blank=True)  # a line spoken as the cameo will speak it (WAV)
    voice_in_clips = models.BooleanField(default=True)  # the owner lets the cameo speak with the kept voice
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["person", "character"]), name="cameo_kind_valid"),
            models.CheckConstraint(
                condition=Q(permission__in=["only_me", "approved", "mutuals", "everyone"]),
                name="cameo_permission_valid",
            ),
            # A verified person cameo has the time it was verified; characters are never "verified".
            models.CheckConstraint(
                condition=~Q(verification_state="verified") | Q(verified_at__isnull=False),
                name="cameo_verified_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["permission", "reference_state"]),
        ]

    def __str__(self) -> str:
        return f"cameo {self.name} of {self.owner_id}"

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_ready(self) -> bool:
        return self.reference_state == self.ReferenceState.READY


class CameoReference(models.Model):
    """One reference file of a cameo: a photo (re-encoded JPEG without metadata) or the optional short clip.
    Reachable only by the owner, through signed expiring URLs."""

    class Kind(models.TextChoices):
        PHOTO = "photo"
        CLIP = "clip"

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="references")
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.PHOTO)
    file = models.CharField(max_length=300)  # storage name
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    face_encoding = models.BinaryField(null=True, blank=True)  # 128 float64 (dlib), set by the reference check
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["cameo", "position"], name="cameo_reference_position_once")]


class CameoChallenge(models.Model):
    """A random phrase the owner says on camera to verify a person cameo. Valid for ten minutes, used once."""

    class State(models.TextChoices):
        ISSUED = "issued"
        PENDING = "pending"  # a clip was submitted and is being checked
        PASSED = "passed"
        FAILED = "failed"

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="challenges")
    phrase = models.CharField(max_length=100)
    state = models.CharField(max_length=8, choices=State.choices, default=State.ISSUED)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    clip = models.CharField(max_length=300, blank=True)  # storage name while the check runs; deleted afterwards
    clip_sha256 = models.CharField(max_length=64, blank=True)  # a clip is accepted for one challenge only
    keep_voice = models.BooleanField(default=False)  # the owner asked to keep the clip's voice for the cameo
    reason = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)  # what the check measured (faces, distances, speech)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="issued") | Q(submitted_at__isnull=False), name="cameo_challenge_submitted_has_time"
            ),
        ]


class CameoApproval(models.Model):
    """The owner allowed this user to use the cameo (for the ``approved`` and ``mutuals`` levels)."""

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="cameo_approvals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["cameo", "user"], name="cameo_approval_once")]


class CameoRequest(models.Model):
    """Someone asks the owner to be approved for a cameo."""

    class State(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        DECLINED = "declined"
        WITHDRAWN = "withdrawn"

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="requests")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="cameo_requests")
    message = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cameo", "user"], condition=Q(state="pending"), name="cameo_request_pending_once"
            ),
        ]


class CameoUse(models.Model):
    """The ledger: one row per job that used a cameo (and the post it became). Rows are only ever created, then
    given the post when the draft is published and the time and reason when the use is removed or stopped."""

    class Basis(models.TextChoices):
        OWNER = "owner"
        APPROVED = "approved"
        MUTUALS = "mutuals"
        EVERYONE = "everyone"

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="uses")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="cameo_uses")
    job = models.ForeignKey(
        "generation.GenerationJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="cameo_uses"
    )
    post = models.ForeignKey("feed.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="cameo_uses")
    basis = models.CharField(max_length=20, choices=Basis.choices)  # the permission that allowed it
    prompt = models.TextField(max_length=1000, blank=True)  # as written when the job was created
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    removed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cameo", "job"], name="cameo_use_once_per_job"),
            models.CheckConstraint(
                condition=Q(basis__in=["owner", "approved", "mutuals", "everyone"]), name="cameo_use_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | ~Q(removed_reason=""), name="cameo_use_removal_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["cameo", "-created_at"]), models.Index(fields=["cameo", "user"])]
