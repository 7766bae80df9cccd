from django.urls import path

from . import apis

urlpatterns = [
    path("me", apis.MeApi.as_view(), name="api-me"),
    path("me/export", apis.ExportStartApi.as_view(), name="api-me-export-start"),
    path("me/exports", apis.ExportsApi.as_view(), name="api-me-exports"),
    path("me/exports/<int:export_id>", apis.ExportApi.as_view(), name="api-me-export"),
    path("me/exports/<int:export_id>/download", apis.ExportDownloadApi.as_view(), name="api-me-export-download"),
    path("auth/restore", apis.RestoreApi.as_view(), name="api-auth-restore"),
    path("staff/members/<str:username>/export", apis.StaffExportApi.as_view(), name="api-staff-member-export"),
    path("staff/members/<str:username>", apis.StaffDeletionApi.as_view(), name="api-staff-member"),
]
