"""The ledger of a cameo as its owner sees it: every job and post that used it, whoever made it, with what became
of each (drafts included, with signed links to watch them), and the owner's removals. The ledger is cameos'; what
became of each use (jobs, drafts, posts) is this layer's, so these views live here."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from cameos.apis import MemberNameSerializer, cameo_owned, cameo_page_schema, page_response
from cameos.selectors import cameo_uses
from core.errors import Invalid, NotFound
from core.media import signed_url
from core.pagination import keyset_page

from ..selectors import cameo_use_media, cameo_use_state
from ..services import cameo_use_remove, cameo_uses_remove_for_user


class UseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = MemberNameSerializer()
    basis = serializers.CharField()
    prompt = serializers.CharField()
    state = serializers.SerializerMethodField()
    job = serializers.IntegerField(source="job_id", allow_null=True)
    post = serializers.IntegerField(source="post_id", allow_null=True)
    poster_url = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    removed_at = serializers.DateTimeField(allow_null=True)
    removed_by = serializers.SerializerMethodField()
    removed_reason = serializers.CharField()

    def get_state(self, use) -> str:
        return cameo_use_state(use)

    def get_poster_url(self, use) -> str:
        return signed_url(cameo_use_media(use, "poster"))

    def get_video_url(self, use) -> str:
        return signed_url(cameo_use_media(use, "video"))

    def get_removed_by(self, use) -> str | None:
        return use.removed_by.username if use.removed_by else None


class CameoUsesApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("user", str, description="only this person's uses")],
        responses=cameo_page_schema("CameoUsePage", UseOutputSerializer),
    )
    def get(self, request, cameo_id: int):
        """The ledger: every job and post that used this cameo, whoever made it, drafts included (owner only)."""
        cameo = cameo_owned(request, cameo_id)
        user = None
        if request.query_params.get("user"):
            user = User.objects.filter(username__iexact=request.query_params["user"].lstrip("@")).first()
            if user is None:
                raise NotFound(_("No account with that handle."), code="user_not_found")
        items, next_cursor = keyset_page(cameo_uses(cameo=cameo, user=user), request=request)
        return page_response(items, next_cursor, UseOutputSerializer)

    @extend_schema(
        operation_id="cameos_uses_remove_for_user",
        parameters=[OpenApiParameter("user", str, required=True, description="the person whose uses to remove")],
        responses={200: inline_serializer("CameoUsesRemoved", {"removed": serializers.IntegerField()})},
    )
    def delete(self, request, cameo_id: int):
        """Remove every use one person made of this cameo: drafts deleted, jobs stopped, posts taken down."""
        cameo = cameo_owned(request, cameo_id)
        username = request.query_params.get("user", "")
        if not username:
            raise Invalid(_("Say whose uses to remove: ?user=<username>."), code="user_required")
        removed = cameo_uses_remove_for_user(owner=request.user, cameo=cameo, username=username)
        return Response({"removed": removed})


class CameoUseDetailApi(APIView):
    @extend_schema(responses={200: UseOutputSerializer})
    def delete(self, request, cameo_id: int, use_id: int):
        """Remove one use: a draft is deleted, a queued or running job stopped, a post taken down for everyone."""
        use = cameo_use_remove(owner=request.user, cameo=cameo_owned(request, cameo_id), use_id=use_id)
        use = cameo_uses(cameo=use.cameo).get(pk=use.pk)
        return Response(UseOutputSerializer(use).data)
