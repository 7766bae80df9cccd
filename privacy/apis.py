"""Members' own data over the API: archives (``/api/me/exports``), deleting the account (``DELETE /api/me``),
cancelling a deletion in its grace period (``/api/auth/restore``), and the same export and deletion run by staff
for a member (``/api/staff/members/<handle>/...``)."""

from __future__ import annotations

from django.contrib.auth import login
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.apis import TokenApi
from accounts.models import User
from feed.apis import MeApi as FeedMeApi

from . import services
from .models import AccountDeletion, DataExport


class ExportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=DataExport.State.choices)
    progress = serializers.FloatField()
    size_bytes = serializers.IntegerField()
    counts = serializers.DictField(help_text="Items per file in the archive.")
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="When the archive is deleted.")
    by_staff = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(
        help_text="Ready archives: a link that works for EXPORT_LINK_TTL_S, only for you."
    )

    def get_by_staff(self, export) -> bool:
        return export.requested_by_id is not None and export.requested_by_id != export.user_id

    def get_download_url(self, export) -> str | None:
        if export.state != DataExport.State.READY:
            return None
        return services.export_download_url(export)


class DeletionOutputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=AccountDeletion.State.choices)
    requested_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(help_text="When the erasure starts (after the grace period).")
    detail = serializers.SerializerMethodField()

    def get_detail(self, deletion) -> str:
        return _("Your account is closed. Its data will be erased from {due} UTC.").format(
            due=f"{deletion.due_at:%Y-%m-%d %H:%M}")


class ExportsApi(APIView):
    """``POST``: start an archive of everything you made or hold (one at a time); progress arrives as
    ``export.progress`` events and ``export.ready`` on your socket. ``GET``: your archives, newest first."""

    @extend_schema(responses={200: ExportOutputSerializer(many=True)})
    def get(self, request):
        exports = DataExport.objects.filter(user=request.user)[:20]
        return Response(ExportOutputSerializer(exports, many=True).data)

    @extend_schema(request=None, responses={202: ExportOutputSerializer})
    def post(self, request):
        export = services.export_start(user=request.user)
        return Response(ExportOutputSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class ExportStartApi(APIView):
    """``POST /api/me/export``: start an archive of your data (the same as ``POST /api/me/exports``)."""

    post = ExportsApi.post


class ExportApi(APIView):
    @extend_schema(responses={200: ExportOutputSerializer})
    def get(self, request, export_id: int):
        export = get_object_or_404(DataExport, pk=export_id, user=request.user)
        return Response(ExportOutputSerializer(export).data)


class ExportDownloadApi(APIView):
    """The archive itself (a zip). The link is signed and expires; it works only for the member it belongs to."""

    @extend_schema(
        parameters=[OpenApiParameter("exp", int), OpenApiParameter("sig", str)],
        responses={(200, "application/zip"): bytes},
    )
    def get(self, request, export_id: int):
        export = services.export_for_download(
            user=request.user, export_id=export_id, exp=request.query_params.get("exp"),
            sig=request.query_params.get("sig"),
        )
        handle = default_storage.open(export.archive, "rb")
        response = FileResponse(
            handle, as_attachment=True, content_type="application/zip",
            filename=f"riff-{request.user.username}-{export.created_at:%Y%m%d}.zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response


class MeApi(FeedMeApi):
    """``GET|PATCH /api/me`` (your profile), and ``DELETE`` to delete your account (confirm with your
    password): it closes at once and its data is erased after ACCOUNT_DELETION_GRACE_DAYS (0: right away)."""

    class DeleteSerializer(serializers.Serializer):
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "DELETE" else []

    @extend_schema(request=DeleteSerializer, responses={202: DeletionOutputSerializer})
    def delete(self, request):
        data = self.DeleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deletion = services.account_delete_request(user=request.user, password=data.validated_data["password"])
        return Response(DeletionOutputSerializer(deletion).data, status=status.HTTP_202_ACCEPTED)


class RestoreApi(APIView):
    """During the grace period, sign in with your handle and password to cancel the deletion: your account and
    posts come back as they were."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    InputSerializer = TokenApi.InputSerializer  # handle and password, as for signing in

    @extend_schema(request=InputSerializer, responses={200: inline_serializer("Restored", {"detail": serializers.CharField()})})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.account_deletion_cancel(request=request._request, **data.validated_data)
        if getattr(request._request, "session", None) is not None and hasattr(user, "backend"):
            login(request._request, user)
        return Response({"detail": _("Your account is open again.")})


def _member(username: str) -> User:
    return get_object_or_404(User, username__iexact=username)


class StaffExportApi(APIView):
    """Staff: make the archive of a member's data (recorded as made by you; the member sees it in their list)."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses={202: ExportOutputSerializer})
    def post(self, request, username: str):
        export = services.export_start(user=_member(username), requested_by=request.user)
        return Response(ExportOutputSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class StaffDeletionApi(APIView):
    """Staff: delete a member's account (recorded as requested by you), with the same grace period."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses={202: DeletionOutputSerializer})
    def delete(self, request, username: str):
        deletion = services.account_delete_request(user=_member(username), requested_by=request.user)
        return Response(DeletionOutputSerializer(deletion).data, status=status.HTTP_202_ACCEPTED)
