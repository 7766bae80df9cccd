from django.contrib import admin

from .models import GenerationJob, ProvenanceCheck


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
