from django.contrib import admin

from .models import Appeal, ModerationAction


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """Decisions are made on the moderation page (/moderation/), which applies their effects; here they are read."""

    list_display = ("id", "action", "target", "post", "moderator", "reason", "until", "reversed_at", "created_at")
    list_filter = ("action",)
    search_fields = ("reason", "target__username", "moderator__username")
    raw_id_fields = ("moderator", "target", "post", "comment", "reports")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ("id", "action", "author", "status", "decided_by", "created_at", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("action", "author", "decided_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
