from django.contrib import admin

from .models import Appeal, Comment, ModerationAction, Notification, Post, Report


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("id", "author", "caption", "visibility", "state", "like_count", "remix_count", "created_at")
    list_filter = ("state", "visibility")
    search_fields = ("caption", "prompt", "author__username")
    raw_id_fields = ("author", "job", "remix_of", "root")
    exclude = ("embedding",)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "post", "author", "text", "created_at")
    raw_id_fields = ("post", "author", "parent")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "post", "reporter", "status", "created_at")
    list_filter = ("status", "kind")
    raw_id_fields = ("post", "comment", "reporter")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "recipient", "kind", "text", "read_at", "created_at")
    raw_id_fields = ("recipient", "actor", "post")


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
