from django.contrib import admin

from .models import Cameo, CameoApproval, CameoChallenge, CameoRequest, CameoUse


@admin.register(Cameo)
class CameoAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "kind", "permission", "reference_state", "verification_state", "created_at")
    list_filter = ("kind", "permission", "reference_state", "verification_state")
    search_fields = ("name", "owner__username")
    raw_id_fields = ("owner",)
    readonly_fields = (
        "reference",
        "avatar",
        "reference_state",
        "reference_reason",
        "verification_state",
        "verification_reason",
        "verification_checked_at",
        "verified_at",
        "created_at",
        "updated_at",
    )


@admin.register(CameoUse)
class CameoUseAdmin(admin.ModelAdmin):
    """The ledger is read-only here too: rows change only through the services (post attached, use removed)."""

    list_display = ("cameo", "user", "basis", "job", "post", "created_at", "removed_at")
    list_filter = ("basis",)
    raw_id_fields = ("cameo", "user", "job", "post", "removed_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CameoApproval)
class CameoApprovalAdmin(admin.ModelAdmin):
    list_display = ("cameo", "user", "created_at")
    raw_id_fields = ("cameo", "user")


@admin.register(CameoRequest)
class CameoRequestAdmin(admin.ModelAdmin):
    list_display = ("cameo", "user", "state", "created_at", "decided_at")
    raw_id_fields = ("cameo", "user")


@admin.register(CameoChallenge)
class CameoChallengeAdmin(admin.ModelAdmin):
    list_display = ("cameo", "state", "created_at", "expires_at", "checked_at", "reason")
    raw_id_fields = ("cameo",)
    readonly_fields = ("phrase", "clip", "clip_sha256", "details")
