"""Staff run a member's export or account deletion from the members list (recorded as requested by them), and
see every export and deletion."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from accounts.admin import UserAdmin
from accounts.models import User
from core.errors import DomainError

from . import services
from .models import AccountDeletion, DataExport


@admin.action(description="Make an archive of the member's data")
def export_data(modeladmin, request, queryset):
    for user in queryset:
        try:
            services.export_start(user=user, requested_by=request.user)
        except DomainError as exc:
            modeladmin.message_user(request, f"@{user.username}: {exc}", messages.WARNING)
        else:
            modeladmin.message_user(request, _("Archive of @{handle} queued.").format(handle=user.username))


@admin.action(description="Delete the account (erase the member's data)")
def delete_account(modeladmin, request, queryset):
    for user in queryset.exclude(pk=request.user.pk):
        try:
            services.account_delete_request(user=user, requested_by=request.user)
        except DomainError as exc:
            modeladmin.message_user(request, f"@{user.username}: {exc}", messages.WARNING)
        else:
            modeladmin.message_user(request, _("@{handle} is closed and will be erased.").format(handle=user.username))


admin.site.unregister(User)


@admin.register(User)
class MemberAdmin(UserAdmin):
    actions = [export_data, delete_account]


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ("user", "state", "progress", "size_bytes", "requested_by", "created_at", "expires_at")
    list_filter = ("state",)
    raw_id_fields = ("user", "requested_by")
    readonly_fields = ("archive", "counts", "error", "attempts", "heartbeat_at", "finished_at")


@admin.register(AccountDeletion)
class AccountDeletionAdmin(admin.ModelAdmin):
    list_display = ("user", "state", "requested_by", "requested_at", "due_at", "finished_at")
    list_filter = ("state",)
    raw_id_fields = ("user", "requested_by")
    readonly_fields = ("steps_done", "erased", "error", "attempts", "heartbeat_at", "finished_at")
