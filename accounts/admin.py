from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Block, Follow, Guardianship, Notification, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Profile", {"fields": ("display_name", "bio", "avatar", "birth_date")}),
        ("Moderation and limits", {"fields": ("suspended_until", "suspension_reason", "teen_watch_limit_min", "teen_cameo_use")}),
    )
    list_display = ("username", "display_name", "email", "is_staff", "date_joined")


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created_at")
    raw_id_fields = ("follower", "followee")


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    raw_id_fields = ("blocker", "blocked")


@admin.register(Guardianship)
class GuardianshipAdmin(admin.ModelAdmin):
    list_display = ("teen", "guardian", "state", "created_at", "accepted_at", "ended_at")
    list_filter = ("state",)
    raw_id_fields = ("teen", "guardian")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "recipient", "kind", "text", "read_at", "created_at")
    raw_id_fields = ("recipient", "actor", "post")
