"""Thin DRF views for the feed: parse, call a selector or a service, serialize. Every list answers
``{"results": [...], "next": <cursor or null>}``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import UserSummarySerializer
from config.api import ApiError
from config.media import public_url, public_url_signer
from config.pagination import keyset_page, page_size

from . import selectors, services
from .wellbeing import break_reminder
from .models import Post, Report

TABS = ("for_you", "following", "latest")


class PostOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = UserSummarySerializer()
    caption = serializers.CharField()
    prompt = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    remix_of = serializers.IntegerField(source="remix_of_id", allow_null=True)
    remix_of_author = serializers.SerializerMethodField()
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
    liked_by_me = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def to_representation(self, post) -> dict:
        """The declared fields, written out: the feed serializes many posts per request and the generic field
        machinery cost several times more than building the dict (tests check both agree)."""
        sign, zone, viewer_pk = self._page_tools()
        author = post.author
        created = post.created_at.astimezone(zone).isoformat()  # DRF's DateTimeField output, written out
        if hasattr(post, "remix_of_author"):  # annotated by feed.selectors.posts_for_display, or a PagePost
            remix_of_author = post.remix_of_author
        else:
            remix_of_author = self.get_remix_of_author(post)
        liked = post.liked_by_me if hasattr(post, "liked_by_me") else self.get_liked_by_me(post)
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

    def get_prompt(self, post) -> str | None:
        viewer = self.context.get("viewer")
        if post.prompt_public or (viewer is not None and viewer.pk == post.author_id):
            return post.prompt
        return None

    def get_video_url(self, post) -> str:
        return public_url(post.video)

    def get_poster_url(self, post) -> str:
        return public_url(post.poster) if post.poster else ""

    def get_remix_of_author(self, post) -> str | None:
        if hasattr(post, "remix_of_author"):  # annotated by feed.selectors.posts_for_display
            return post.remix_of_author
        if post.remix_of_id is None:
            return None
        parent = post.remix_of
        return parent.author.username if parent is not None and parent.state == Post.State.PUBLISHED else None

    def get_liked_by_me(self, post) -> bool:
        if hasattr(post, "liked_by_me"):  # annotated by feed.selectors.posts_for_display
            return bool(post.liked_by_me)
        viewer = self.context.get("viewer")
        if viewer is None or not viewer.is_authenticated:
            return False
        return post.likes.filter(user=viewer).exists()


class FeedItemSerializer(PostOutputSerializer):
    reasons = serializers.SerializerMethodField()

    def get_reasons(self, post) -> list[str]:
        return self.context.get("reasons", {}).get(post.pk, [])

    def to_representation(self, post) -> dict:
        data = super().to_representation(post)
        reasons = self.__dict__.get("_reasons")
        if reasons is None:  # read once per serializer, as _page_tools
            reasons = self._reasons = self.context.get("reasons", {})
        data["reasons"] = reasons.get(post.pk, [])
        return data


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


# --- feed ----------------------------------------------------------------------------------------------------


class FeedApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("tab", str, enum=list(TABS), description="for_you (default), following or latest"),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int),
        ],
        responses={
            200: inline_serializer(
                "FeedPage",
                {
                    "results": FeedItemSerializer(many=True),
                    "next": serializers.CharField(allow_null=True),
                    "break_reminder": serializers.DictField(allow_null=True),
                },
            )
        },
    )
    def get(self, request):
        tab = request.query_params.get("tab") or "for_you"
        if tab not in TABS:
            raise ApiError(f"Unknown tab “{tab[:40]}”. Use for_you, following or latest.", code="bad_tab")
        if tab == "for_you":
            items, next_cursor = selectors.feed_for_you(
                user=request.user, cursor=request.query_params.get("cursor"), size=page_size(request)
            )
            posts = [item.post for item in items]
            reasons = {item.post.pk: item.reasons for item in items}
        elif tab == "following":
            posts, next_cursor = keyset_page(selectors.feed_following(user=request.user), request=request)
            reasons = {post.pk: [f"you follow @{post.author.username}"] for post in posts}
        else:
            posts, next_cursor = keyset_page(selectors.feed_latest(user=request.user), request=request)
            reasons = {}
        context = {"viewer": request.user, "reasons": reasons}
        return Response(
            {
                "results": FeedItemSerializer.page_data(posts, context=context),
                "next": next_cursor,
                # Members under 18: {due, watched_today_min, limit_min}; null for adults (feed.wellbeing).
                "break_reminder": break_reminder(user=request.user),
            }
        )


class FeedPreferenceApi(APIView):
    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(allow_blank=True, trim_whitespace=True)

    class OutputSerializer(serializers.Serializer):
        text = serializers.CharField()
        more_terms = serializers.ListField(child=serializers.CharField())
        less_terms = serializers.ListField(child=serializers.CharField())
        vectors_ready = serializers.BooleanField()
        updated_at = serializers.DateTimeField(allow_null=True)

    def _output(self, preference) -> dict:
        if preference is None:
            return {"text": "", "more_terms": [], "less_terms": [], "vectors_ready": False, "updated_at": None}
        return self.OutputSerializer(
            {
                "text": preference.text,
                "more_terms": preference.more_terms,
                "less_terms": preference.less_terms,
                "vectors_ready": preference.vectors_at is not None,
                "updated_at": preference.updated_at,
            }
        ).data

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request):
        return Response(self._output(selectors.feed_preference_get(user=request.user)))

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def put(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preference = services.feed_preference_set(user=request.user, text=data.validated_data["text"])
        return Response(self._output(preference))


# --- posts -------------------------------------------------------------------------------------------------------


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


class CommentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = UserSummarySerializer()
    text = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    created_at = serializers.DateTimeField()


class ThreadOutputSerializer(CommentOutputSerializer):
    """A top-level comment; replies (``?parent=``) come without these two fields."""

    reply_count = serializers.IntegerField(required=False)
    replies = CommentOutputSerializer(source="first_replies", many=True, required=False)


class PostCommentsApi(_PublicReadApi):
    """Top-level comments newest first, each with its reply count and first replies; ``?parent=<id>`` lists the
    replies of one comment, oldest first. Replies are one level deep: replying to a reply attaches the new
    comment to the top-level comment of that thread."""

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(allow_blank=True, trim_whitespace=True)
        parent = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(
        parameters=[OpenApiParameter("parent", int), OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: _page_schema("CommentPage", ThreadOutputSerializer)},
    )
    def get(self, request, post_id: int):
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        raw_parent = request.query_params.get("parent")
        if raw_parent not in (None, ""):
            try:
                parent_id = int(raw_parent)
            except ValueError:
                raise ApiError("parent must be a comment id.", code="bad_parent")
            replies = selectors.post_comments(post=post, viewer=request.user, parent_id=parent_id)
            items, next_cursor = keyset_page(replies, request=request, descending=False)
            return Response({"results": CommentOutputSerializer(items, many=True).data, "next": next_cursor})
        items, next_cursor = keyset_page(selectors.post_comments(post=post, viewer=request.user), request=request)
        inline = selectors.comment_replies_inline(post=post, viewer=request.user, parent_ids=[c.pk for c in items])
        for comment in items:
            comment.first_replies = inline.get(comment.pk, [])
        return Response({"results": ThreadOutputSerializer(items, many=True).data, "next": next_cursor})

    @extend_schema(request=InputSerializer, responses={201: CommentOutputSerializer})
    def post(self, request, post_id: int):
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_create(
            user=request.user, post=post, text=data.validated_data["text"], parent_id=data.validated_data.get("parent")
        )
        return Response(CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)


class PostRemixesApi(_PublicReadApi):
    @extend_schema(
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: _page_schema("RemixPage", PostOutputSerializer)},
    )
    def get(self, request, post_id: int):
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        return Response(_posts_page(request, selectors.post_remixes(post=post, viewer=request.user)))


class PostLineageApi(_PublicReadApi):
    """The remix chain above a post (root first; a clip the viewer cannot see is ``{"id", "available": false}``)
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
            raise ApiError("depth must be a number from 1 to 5.", code="bad_depth")
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        lineage = selectors.post_lineage(post=post, viewer=request.user, depth=depth)

        def node(n) -> dict:
            return {**post_representation(n.post, viewer=request.user), "children": [node(child) for child in n.children]}

        return Response(
            {
                "post": post_representation(post, viewer=request.user),
                "root": post.root_id or post.pk,
                "ancestors": [
                    post_representation(a, viewer=request.user) if isinstance(a, Post) else {"id": a, "available": False}
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


# --- notifications -------------------------------------------------------------------------------------------


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    actor = UserSummarySerializer(allow_null=True)
    post = serializers.IntegerField(source="post_id", allow_null=True)
    data = serializers.DictField()
    read = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationsApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={
            200: inline_serializer(
                "NotificationPage",
                {
                    "results": NotificationOutputSerializer(many=True),
                    "next": serializers.CharField(allow_null=True),
                    "unread_count": serializers.IntegerField(),
                },
            )
        },
    )
    def get(self, request):
        items, next_cursor = keyset_page(selectors.notifications_for(user=request.user), request=request)
        return Response(
            {
                "results": NotificationOutputSerializer(items, many=True).data,
                "next": next_cursor,
                "unread_count": selectors.notifications_unread_count(user=request.user),
            }
        )


class NotificationsReadApi(APIView):
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True, max_length=500)

    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField()
        unread_count = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked, "unread_count": selectors.notifications_unread_count(user=request.user)})
