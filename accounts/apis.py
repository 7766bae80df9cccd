from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.api import ApiError, WriteRateThrottle
from config.media import public_url

from . import services
from .models import User
from .selectors import user_get_profile


class UserSummarySerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.SerializerMethodField()

    def get_avatar_url(self, obj) -> str:
        return public_url(obj.avatar.name) if obj.avatar else ""


class ProfileOutputSerializer(UserSummarySerializer):
    id = serializers.IntegerField()
    bio = serializers.CharField()
    follower_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    post_count = serializers.IntegerField()
    followed_by_me = serializers.BooleanField(required=False)
    blocked_by_me = serializers.BooleanField(required=False)
    created_at = serializers.DateTimeField()


class SignupApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=30)
        password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
        email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
        display_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
        birth_date = serializers.DateField(required=False, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_signup(**data.validated_data)
        token = services.user_token(user=user)
        return Response({"id": user.pk, "username": user.username, "token": token}, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, **data.validated_data)
        if user is None:
            raise ApiError("Wrong handle or password.", code="bad_credentials", status_code=status.HTTP_401_UNAUTHORIZED)
        return Response({"token": services.user_token(user=user)})


class MeApi(APIView):
    class UpdateSerializer(serializers.Serializer):
        display_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
        bio = serializers.CharField(required=False, allow_blank=True, max_length=300)

    class OutputSerializer(ProfileOutputSerializer):
        email = serializers.CharField()
        is_staff = serializers.BooleanField()

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request):
        profile = user_get_profile(username=request.user.username, viewer=None)
        return Response(self.OutputSerializer(profile).data)

    @extend_schema(request=UpdateSerializer, responses={200: OutputSerializer})
    def patch(self, request):
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_update_profile(user=request.user, **data.validated_data)
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
            raise ApiError("Choose a photo to upload (multipart field 'avatar').", code="file_required")
        services.user_set_avatar(user=request.user, upload=upload)
        profile = user_get_profile(username=request.user.username, viewer=None)
        return Response(MeApi.OutputSerializer(profile).data)


class UserDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ProfileOutputSerializer})
    def get(self, request, username: str):
        profile = user_get_profile(username=username, viewer=request.user)
        if profile is None:
            raise ApiError("No account with that handle.", code="not_found", status_code=status.HTTP_404_NOT_FOUND)
        return Response(ProfileOutputSerializer(profile).data)


def _target(username: str) -> User:
    return get_object_or_404(User, username__iexact=username, is_active=True)


class FollowApi(APIView):
    class OutputSerializer(serializers.Serializer):
        following = serializers.BooleanField()
        follower_count = serializers.IntegerField()

    def _result(self, request, target: User, following: bool):
        profile = user_get_profile(username=target.username, viewer=None)
        return {"following": following, "follower_count": profile.follower_count}

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request, username: str):
        target = _target(username)
        services.follow_create(follower=request.user, followee=target)
        return Response(self._result(request, target, True))

    @extend_schema(request=None, responses={200: OutputSerializer})
    def delete(self, request, username: str):
        target = _target(username)
        services.follow_delete(follower=request.user, followee=target)
        return Response(self._result(request, target, False))


class BlockApi(APIView):
    class OutputSerializer(serializers.Serializer):
        blocked = serializers.BooleanField()

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request, username: str):
        services.block_create(blocker=request.user, blocked=_target(username))
        return Response({"blocked": True})

    @extend_schema(request=None, responses={200: OutputSerializer})
    def delete(self, request, username: str):
        services.block_delete(blocker=request.user, blocked=_target(username))
        return Response({"blocked": False})
