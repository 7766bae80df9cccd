from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from rest_framework.authtoken.models import TokenProxy

from .models import ApiToken, Block, Follow, Guardianship, MemberSession, Notification, User


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Keys are stored as digests: staff see and revoke them, never read them."""

    list_display = ("user", "prefix", "label", "created_at", "last_used_at")
    raw_id_fields = ("user",)
    readonly_fields = ("digest", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False


@admin.register(MemberSession)
class MemberSessionAdmin(admin.ModelAdmin):
    list_display = ("user", "user_agent", "created_at", "last_seen_at")
    raw_id_fields = ("user",)
    readonly_fields = ("session_key",)


# DRF's own token table is no longer read (accounts.ApiToken replaced it): hide it from the admin.
try:
    admin.site.unregister(TokenProxy)
except admin.sites.NotRegistered:
    pass
