"""Where did this clip come from? Upload a clip; a worker reads its marks (generation.provenance_checks)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import WriteRateThrottle
from core.errors import Invalid, NotFound

from ..provenance_checks import provenance_check_create, provenance_check_get, report_in_language


class ProvenanceReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    filename = serializers.CharField()
    report = serializers.SerializerMethodField(help_text="What the worker found; its sentences in the reader's language.")
    created_at = serializers.DateTimeField()

    def get_report(self, check) -> dict:
        return report_in_language(check.report or {})


class ProvenanceVerifyApi(APIView):
    """Upload a clip (multipart field ``file``) and learn where it came from. Answers 202 at once with the check
    (``status: pending``); a worker reads the clip, and the report arrives as a ``provenance.report`` event on the
    requester's websocket (signed-in people) and from ``GET /api/provenance/checks/<id>``."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [WriteRateThrottle]
    throttle_scope = "upload"

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True)

    @extend_schema(request=InputSerializer, responses={202: ProvenanceReportSerializer})
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise Invalid(_("Choose a video file to check (multipart field 'file')."), code="file_required")
        check = provenance_check_create(requester=request.user, upload=upload)
        return Response(ProvenanceReportSerializer(check).data, status=status.HTTP_202_ACCEPTED)


class ProvenanceCheckApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ProvenanceReportSerializer})
    def get(self, request, check_id: int):
        check = provenance_check_get(check_id=check_id, user=request.user)
        if check is None:
            raise NotFound(_("There is no such check."), code="not_found")
        return Response(ProvenanceReportSerializer(check).data)
