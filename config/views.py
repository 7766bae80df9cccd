from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    context = {"title": _("Not found"), "message": _("There is nothing at this address.")}
    return render(request, "error.html", context, status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse(
            {"detail": _("Something went wrong on our side. Please try again."), "code": "server_error"}, status=500
        )
    context = {"title": _("Something went wrong"), "message": _("Please try again in a moment.")}
    return render(request, "error.html", context, status=500)


class HealthApi(APIView):
    """Liveness for load balancers and monitoring: answers without touching the database."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: inline_serializer("Health", {"ok": serializers.BooleanField()})})
    def get(self, request):
        return Response({"ok": True})
