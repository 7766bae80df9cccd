from django.contrib import admin

from .models import Comment, Post, Report


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
