from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import ApiError
from config.media import public_url

from .models import Post
from .selectors import posts_visible_to


class AuthorSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.SerializerMethodField()

    def get_avatar_url(self, user) -> str:
        return public_url(user.avatar.name) if user.avatar else ""


class PostOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = AuthorSerializer()
    caption = serializers.CharField()
    prompt = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    remix_of = serializers.IntegerField(source="remix_of_id", allow_null=True)
    root = serializers.IntegerField(source="root_id", allow_null=True)
    depth = serializers.IntegerField()
    visibility = serializers.CharField()
    duration_s = serializers.FloatField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    like_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    remix_count = serializers.IntegerField()
    view_count = serializers.IntegerField()
    liked_by_me = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_prompt(self, post) -> str | None:
        viewer = self.context.get("viewer")
        if post.prompt_public or (viewer is not None and viewer.pk == post.author_id):
            return post.prompt
        return None

    def get_video_url(self, post) -> str:
        return public_url(post.video)

    def get_poster_url(self, post) -> str:
        return public_url(post.poster) if post.poster else ""

    def get_liked_by_me(self, post) -> bool:
        liked = self.context.get("liked_ids")
        if liked is not None:
            return post.pk in liked
        viewer = self.context.get("viewer")
        if viewer is None or not viewer.is_authenticated:
            return False
        return post.likes.filter(user=viewer).exists()


def post_representation(post: Post, *, viewer) -> dict:
    return PostOutputSerializer(post, context={"viewer": viewer}).data


class PostDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PostOutputSerializer})
    def get(self, request, post_id: int):
        post = posts_visible_to(user=request.user).select_related("author").filter(pk=post_id).first()
        if post is None:
            raise ApiError("There is no such post.", code="not_found", status_code=404)
        return Response(post_representation(post, viewer=request.user))
