"""A member's profile as shown: the account (accounts) with its follow counts and the count of public posts
(which is why it is served here, by the layer that knows posts): ``GET /api/users/<username>``, ``GET|PATCH
/api/me`` and ``PUT /api/me/avatar``."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as account_services
from accounts.apis import UserSummarySerializer
from accounts.selectors import user_is_teen, user_suspended_until
from core.api import WriteRateThrottle
from core.errors import Invalid, NotFound

from .. import selectors


class ProfileOutputSerializer(UserSummarySerializer):
    id = serializers.IntegerField()
    bio = serializers.CharField()
    follower_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    post_count = serializers.IntegerField()
    followed_by_me = serializers.BooleanField(required=False)
    blocked_by_me = serializers.BooleanField(required=False)
    created_at = serializers.DateTimeField()


class MeApi(APIView):
    class UpdateSerializer(serializers.Serializer):
        display_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
        bio = serializers.CharField(required=False, allow_blank=True, max_length=300)
        language = serializers.ChoiceField(
            choices=["en", "fr", ""], required=False,
            help_text="The interface language (and the language of error messages); empty: the browser's.",
        )

    class OutputSerializer(ProfileOutputSerializer):
        email = serializers.CharField()
        language = serializers.CharField()
        is_staff = serializers.BooleanField()
        is_teen = serializers.SerializerMethodField()
        suspended_until = serializers.SerializerMethodField()

        def get_is_teen(self, user) -> bool:
            return user_is_teen(user)

        def get_suspended_until(self, user) -> str | None:
            until = user_suspended_until(user)
            return until.isoformat() if until else None

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request):
        profile = selectors.profile_get(username=request.user.username, viewer=None)
        return Response(self.OutputSerializer(profile).data)

    @extend_schema(request=UpdateSerializer, responses={200: OutputSerializer})
    def patch(self, request):
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account_services.user_update_profile(user=request.user, **data.validated_data)
        if data.validated_data.get("language"):
            translation.activate(data.validated_data["language"])
        return self.get(request)


class AvatarApi(APIView):
    parser_classes = [MultiPartParser]
    throttle_classes = [WriteRateThrottle]
    throttle_scope = "upload"

    class InputSerializer(serializers.Serializer):
        avatar = serializers.FileField(allow_empty_file=True)

    @extend_schema(request=InputSerializer, responses={200: MeApi.OutputSerializer})
    def put(self, request):
        upload = request.FILES.get("avatar")
        if upload is None:
            raise Invalid(_("Choose a photo to upload (multipart field 'avatar')."), code="file_required")
        account_services.user_set_avatar(user=request.user, upload=upload)
        profile = selectors.profile_get(username=request.user.username, viewer=None)
        return Response(MeApi.OutputSerializer(profile).data)


class UserDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ProfileOutputSerializer})
    def get(self, request, username: str):
        profile = selectors.profile_get(username=username, viewer=request.user)
        if profile is None:
            raise NotFound(_("No account with that handle."), code="not_found")
        return Response(ProfileOutputSerializer(profile).data)
