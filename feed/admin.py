from django.contrib import admin

from .models import Challenge, Comment, Post, Report


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


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    """Pin a tag on the explore page with a prompt to make or remix (the explore page shows the active ones)."""

    list_display = ("tag", "prompt", "active", "created_at", "ends_at")
    list_filter = ("active",)
    raw_id_fields = ("tag", "post", "pinned_by")

    def save_model(self, request, obj, form, change):
        if not change and obj.pinned_by_id is None:
            obj.pinned_by = request.user
        super().save_model(request, obj, form, change)
