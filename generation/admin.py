from django.contrib import admin

from .models import GenerationJob, PolicyRefusal, ProvenanceCheck, PublicFigure


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "kind", "status", "progress", "attempts", "draft", "created_at", "finished_at")
    list_filter = ("status", "kind", "draft", "backend")
    search_fields = ("prompt", "user__username")
    raw_id_fields = ("user", "remix_of")
    readonly_fields = ("errors", "backend_meta", "scene_plan", "provenance_id", "worker_id", "heartbeat_at")


@admin.register(ProvenanceCheck)
class ProvenanceCheckAdmin(admin.ModelAdmin):
    list_display = ("id", "requester", "filename", "status", "created_at")
    readonly_fields = ("report",)


@admin.register(PublicFigure)
class PublicFigureAdmin(admin.ModelAdmin):
    """Names added here are merged with the shipped list (generation/safety/data/public_figures.json) at once.
    A row with the name of a shipped entry adds aliases to it, links the person's verified account, or (active
    off) takes the name off the list."""

    list_display = ("name", "field", "active", "user", "added_by", "updated_at")
    list_filter = ("field", "active")
    search_fields = ("name", "aliases", "user__username")
    raw_id_fields = ("user",)
    readonly_fields = ("added_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change and obj.added_by_id is None:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PolicyRefusal)
class PolicyRefusalAdmin(admin.ModelAdmin):
    """The prompt policy's refusals (read only: the log is written by the policy)."""

    list_display = ("created_at", "user", "rule", "category", "context", "stage", "method", "text")
    list_filter = ("rule", "category", "context", "stage")
    search_fields = ("text", "user__username", "detail")
    raw_id_fields = ("user", "job")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
