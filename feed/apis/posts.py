"""Posts: their representation, reading one, editing and deleting it, likes, views, reports, remixes and lineage,
and a member's grid."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import UserSummarySerializer
from core.errors import Invalid
from core.media import public_url_signer
from core.pagination import keyset_page

from .. import selectors, services
from ..models import Post, Report


class PostOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = UserSummarySerializer()
    caption = serializers.CharField()
    prompt = serializers.CharField(allow_null=True)  # null unless public or the viewer is the author
    video_url = serializers.CharField()
    poster_url = serializers.CharField()
    remix_of = serializers.IntegerField(source="remix_of_id", allow_null=True)
    remix_of_author = serializers.CharField(allow_null=True)  # while the parent is published
    root = serializers.IntegerField(source="root_id", allow_null=True)
    depth = serializers.IntegerField()
    visibility = serializers.CharField()
    duration_s = serializers.FloatField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    like_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    remix_count = serializers.IntegerField()
    descendant_count = serializers.IntegerField()
    view_count = serializers.IntegerField()
    liked_by_me = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    def to_representation(self, post) -> dict:
        """The declared fields (which describe the shape for the schema), written out: the feed serializes many
        posts per request and the generic field machinery cost several times more than building the dict."""
        sign, zone, viewer_pk = self._page_tools()
        author = post.author
        created = post.created_at.astimezone(zone).isoformat()  # DRF's DateTimeField output, written out
        remix_of_author = _remix_of_author(post)
        liked = post.liked_by_me if hasattr(post, "liked_by_me") else _liked_by(post, viewer_pk)
        return {
            "id": post.pk,
            "author": {
                "username": author.username,
                "display_name": author.display_name,
                "avatar_url": sign(author.avatar),  # a FieldFile, or the stored name (feed.selectors.PagePost)
            },
            "caption": post.caption,
            "prompt": post.prompt if post.prompt_public or viewer_pk == post.author_id else None,
            "video_url": sign(post.video),
            "poster_url": sign(post.poster),
            "remix_of": post.remix_of_id,
            "remix_of_author": remix_of_author,
            "root": post.root_id,
            "depth": post.depth,
            "visibility": post.visibility,
            "duration_s": post.duration_s,
            "width": post.width,
            "height": post.height,
            "like_count": post.like_count,
            "comment_count": post.comment_count,
            "remix_count": post.remix_count,
            "descendant_count": post.descendant_count,
            "view_count": post.view_count,
            "liked_by_me": bool(liked),
            "created_at": created[:-6] + "Z" if created.endswith("+00:00") else created,
        }

    def _page_tools(self):
        """The URL signer, the time zone and the viewer's id, read once per serializer: a list serializer uses one
        child for every item of the page."""
        tools = self.__dict__.get("_tools")
        if tools is None:
            viewer = self.context.get("viewer")
            viewer_pk = viewer.pk if viewer is not None and viewer.is_authenticated else None
            tools = self._tools = (public_url_signer(), timezone.get_current_timezone(), viewer_pk)
        return tools

    @classmethod
    def page_data(cls, posts, *, context: dict) -> list[dict]:
        """``cls(posts, many=True, context=context).data`` for a page, without the list serializer around it."""
        child = cls(context=context)
        return [child.to_representation(post) for post in posts]


def _remix_of_author(post) -> str | None:
    """The handle of the parent's author while the parent is published."""
    if hasattr(post, "remix_of_author"):  # annotated by feed.selectors.posts_for_display, or a PagePost
        return post.remix_of_author
    if post.remix_of_id is None:
        return None
    parent = post.remix_of
    return parent.author.username if parent is not None and parent.state == Post.State.PUBLISHED else None


def _liked_by(post, viewer_pk: int | None) -> bool:
    if hasattr(post, "liked_by_me"):  # annotated by feed.selectors.posts_for_display, or a PagePost
        return bool(post.liked_by_me)
    return viewer_pk is not None and post.likes.filter(user_id=viewer_pk).exists()


def post_representation(post: Post, *, viewer) -> dict:
    return PostOutputSerializer(post, context={"viewer": viewer}).data


def _posts_page(request, queryset) -> dict:
    items, next_cursor = keyset_page(queryset, request=request)
    return {"results": PostOutputSerializer(items, many=True, context={"viewer": request.user}).data, "next": next_cursor}


def _page_schema(name: str, item) -> serializers.Serializer:
    return inline_serializer(name, {"results": item(many=True), "next": serializers.CharField(allow_null=True)})


class _PublicReadApi(APIView):
    """Reading is open to everyone (visibility rules still apply); writing needs an account."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method in ("GET", "HEAD", "OPTIONS") else [IsAuthenticated()]


class PostDetailApi(_PublicReadApi):
    class UpdateSerializer(serializers.Serializer):
        caption = serializers.CharField(allow_blank=True, trim_whitespace=True)

    @extend_schema(responses={200: PostOutputSerializer})
    def get(self, request, post_id: int):
        return Response(post_representation(selectors.post_get_visible(post_id=post_id, user=request.user), viewer=request.user))

    @extend_schema(request=UpdateSerializer, responses={200: PostOutputSerializer})
    def patch(self, request, post_id: int):
        post = selectors.post_get_visible(post_id=post_id, user=request.user)  # 404 before any validation
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_update(user=request.user, post=post, caption=data.validated_data["caption"])
        return Response(post_representation(post, viewer=request.user))

    @extend_schema(responses={204: None})
    def delete(self, request, post_id: int):
        services.post_delete(user=request.user, post=selectors.post_get_visible(post_id=post_id, user=request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostLikeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        liked = serializers.BooleanField()
        like_count = serializers.IntegerField()

    def _result(self, post_id: int, liked: bool) -> dict:
        count = Post.objects.filter(pk=post_id).values_list("like_count", flat=True).first() or 0
        return {"liked": liked, "like_count": count}

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request, post_id: int):
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        services.like_create(user=request.user, post=post)
        return Response(self._result(post.pk, True))

    @extend_schema(request=None, responses={200: OutputSerializer})
    def delete(self, request, post_id: int):
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        services.like_delete(user=request.user, post=post)
        return Response(self._result(post.pk, False))


class PostRemixesApi(_PublicReadApi):
    @extend_schema(
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: _page_schema("RemixPage", PostOutputSerializer)},
    )
    def get(self, request, post_id: int):
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        return Response(_posts_page(request, selectors.post_remixes(post=post, viewer=request.user)))


class PostLineageApi(_PublicReadApi):
    """The remix chain above a post (root first; a clip the viewer cannot see is ``{"id", "available": false,
    "deleted"}``, ``deleted`` true when it was erased with its author's account)
    and the remixes below it as a tree ``depth`` levels deep (1 to 5, default 3)."""

    @extend_schema(
        parameters=[OpenApiParameter("depth", int)],
        responses={
            200: inline_serializer(
                "Lineage",
                {
                    "post": PostOutputSerializer(),
                    "root": serializers.IntegerField(),
                    "ancestors": serializers.ListField(child=serializers.DictField()),
                    "children": serializers.ListField(child=serializers.DictField()),
                    "depth": serializers.IntegerField(),
                    "remix_count": serializers.IntegerField(),
                    "descendant_count": serializers.IntegerField(),
                },
            )
        },
    )
    def get(self, request, post_id: int):
        try:
            depth = int(request.query_params.get("depth") or 3)
        except ValueError:
            raise Invalid(_("depth must be a number from 1 to 5."), code="bad_depth")
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        lineage = selectors.post_lineage(post=post, viewer=request.user, depth=depth)

        def node(n) -> dict:
            return {**post_representation(n.post, viewer=request.user), "children": [node(child) for child in n.children]}

        return Response(
            {
                "post": post_representation(post, viewer=request.user),
                "root": post.root_id or post.pk,
                "ancestors": [
                    post_representation(a, viewer=request.user)
                    if isinstance(a, Post)
                    else {"id": a, "available": False, "deleted": a in lineage.erased}
                    for a in lineage.ancestors
                ],
                "children": [node(child) for child in lineage.children],
                "depth": lineage.depth,
                "remix_count": post.remix_count,
                "descendant_count": post.descendant_count,
            }
        )


class PostViewApi(APIView):
    class InputSerializer(serializers.Serializer):
        watch_s = serializers.FloatField(min_value=0)
        completed = serializers.BooleanField(required=False, default=False)

    class OutputSerializer(serializers.Serializer):
        watch_s = serializers.FloatField()
        completed = serializers.BooleanField()
        view_count = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request, post_id: int):
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        view = services.view_record(user=request.user, post=post, **data.validated_data)
        view_count = Post.objects.filter(pk=post.pk).values_list("view_count", flat=True).first() or 0
        return Response({"watch_s": view.watch_s, "completed": view.completed, "view_count": view_count})


class PostReportApi(APIView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(allow_blank=True, trim_whitespace=True)
        kind = serializers.CharField(required=False, default=Report.Kind.POST)
        comment = serializers.IntegerField(required=False, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        post = serializers.IntegerField(source="post_id")
        comment = serializers.IntegerField(source="comment_id", allow_null=True)
        status = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, post_id: int):
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_create(
            user=request.user,
            post=post,
            reason=data.validated_data["reason"],
            kind=data.validated_data["kind"],
            comment_id=data.validated_data.get("comment"),
        )
        return Response(self.OutputSerializer(report).data, status=status.HTTP_201_CREATED)


class UserPostsApi(_PublicReadApi):
    @extend_schema(
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: _page_schema("ProfilePostPage", PostOutputSerializer)},
    )
    def get(self, request, username: str):
        return Response(_posts_page(request, selectors.user_posts(username=username, viewer=request.user)))
