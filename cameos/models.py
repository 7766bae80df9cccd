from django.db import models


class Cameo(models.Model):
    """A likeness (a person, or a character: a pet, an object, a drawing) whose owner decides who may use it."""

    class Kind(models.TextChoices):
        PERSON = "person"
        CHARACTER = "character"

    class Permission(models.TextChoices):
        ONLY_ME = "only_me"
        APPROVED = "approved"
        MUTUALS = "mutuals"
        EVERYONE = "everyone"

    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="cameos")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(max_length=60)
    permission = models.CharField(max_length=10, choices=Permission.choices, default=Permission.ONLY_ME)
    restrictions = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=300, blank=True)  # storage name of the primary reference photo
    avatar = models.CharField(max_length=300, blank=True)  # storage name of a small face crop others may see
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"cameo {self.name} of {self.owner_id}"

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class CameoApproval(models.Model):
    """The owner allowed this user to use the cameo (for the ``approved`` and ``mutuals`` levels)."""

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="cameo_approvals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cameo", "user"], name="cameo_approval_once")]


class CameoUse(models.Model):
    """The ledger: one row per job that used a cameo (and the post it became). Rows are never edited except to
    record the post and the owner's removal."""

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="uses")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="cameo_uses")
    job = models.ForeignKey("generation.GenerationJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="cameo_uses")
    post = models.ForeignKey("feed.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="cameo_uses")
    basis = models.CharField(max_length=20)  # the permission that allowed it: owner, approved, mutuals, everyone
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["cameo", "job"], name="cameo_use_once_per_job")]
