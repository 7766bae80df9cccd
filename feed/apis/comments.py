"""Comments on a post: threads one level deep."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.apis import UserSummarySerializer
from core.errors import Invalid
from core.pagination import keyset_page

from .. import selectors, services
from .posts import _page_schema, _PublicReadApi


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
                raise Invalid(_("parent must be a comment id."), code="bad_parent")
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
