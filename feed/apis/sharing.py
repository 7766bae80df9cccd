"""Taking a clip elsewhere and finding it: the published file itself, oEmbed for sites that unfurl links
(feed.sharing), and hashtags."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import Forbidden, Invalid, NotFound
from core.pagination import keyset_page

from .. import selectors, sharing
from ..models import Post
from ..tags import normalize
from .posts import PostOutputSerializer


class PostDownloadApi(APIView):
    """The published MP4, byte for byte as it was published (watermarked and C2PA-signed, so the provenance check
    traces a copy back to its post), as ``riff-<handle>-<id>.mp4``. Anyone who can see a public clip may download
    it; a followers-only or private clip only its author."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "video/mp4"): bytes})
    def get(self, request, post_id: int):
        post = selectors.post_get_visible(post_id=post_id, user=request.user)
        if post.visibility != Post.Visibility.PUBLIC and post.author_id != getattr(request.user, "pk", None):
            raise Forbidden(_("Only public clips can be downloaded, except by their author."), code="not_public")
        response = FileResponse(
            default_storage.open(post.video, "rb"), as_attachment=True, content_type="video/mp4",
            filename=sharing.download_name(post),
        )
        response["Cache-Control"] = "private, max-age=300"
        return response


class OEmbedApi(APIView):
    """oEmbed 1.0 for a public clip's address (``url``): a ``video`` whose ``html`` is an iframe of its embed
    page. Anything else (not a clip's address, private, followers-only, gone) is 404; ``format`` must be json."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[OpenApiParameter("url", str, required=True), OpenApiParameter("format", str),
                    OpenApiParameter("maxwidth", int), OpenApiParameter("maxheight", int)],
        responses={200: inline_serializer("OEmbed", {
            "version": serializers.CharField(), "type": serializers.CharField(), "title": serializers.CharField(),
            "author_name": serializers.CharField(), "author_url": serializers.CharField(),
            "provider_name": serializers.CharField(), "provider_url": serializers.CharField(),
            "thumbnail_url": serializers.CharField(), "thumbnail_width": serializers.IntegerField(),
            "thumbnail_height": serializers.IntegerField(), "html": serializers.CharField(),
            "width": serializers.IntegerField(), "height": serializers.IntegerField(),
        })},
    )
    def get(self, request):
        if request.query_params.get("format", "json") != "json":
            raise Invalid(_("Only the json format is offered."), code="bad_format")
        sizes = {}
        for name in ("maxwidth", "maxheight"):
            raw = request.query_params.get(name)
            if raw:
                try:
                    sizes[name] = max(1, min(int(raw), 4096))
                except ValueError:
                    raise Invalid(_("{name} must be a number of pixels.").format(name=name), code="bad_size")
        post_id = sharing.post_id_from_url(request.query_params.get("url", ""))
        post = sharing.public_post(post_id) if post_id is not None else None
        if post is None:
            raise NotFound(_("There is no public clip at that address."), code="not_found")
        return Response(sharing.oembed(post, **sizes))


class TagApi(APIView):
    """A hashtag's posts that you may see: ``sort=latest`` (default) or ``top`` (engagement with time decay)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("sort", str, enum=["latest", "top"]), OpenApiParameter("cursor", str),
                    OpenApiParameter("page_size", int)],
        responses={200: inline_serializer("TagPage", {
            "tag": serializers.CharField(), "post_count": serializers.IntegerField(),
            "results": PostOutputSerializer(many=True), "next": serializers.CharField(allow_null=True),
        })},
    )
    def get(self, request, name: str):
        sort = request.query_params.get("sort") or "latest"
        if sort not in ("latest", "top"):
            raise Invalid(_("sort must be latest or top."), code="bad_sort")
        if normalize(name) is None:
            raise Invalid(_("“{name}” is not a hashtag: use letters, digits and underscores.").format(name=name[:60]),
                          code="bad_tag")
        tag = selectors.tag_get(name=name)
        if tag is None:
            raise NotFound(_("No clip has the tag #{name} yet.").format(name=normalize(name)), code="not_found")
        posts = selectors.tag_posts(tag=tag, viewer=request.user)
        items, next_cursor = keyset_page(posts, request=request, order_field="created_at" if sort == "latest" else "hot_score")
        return Response({
            "tag": tag.name,
            "post_count": posts.count(),
            "results": PostOutputSerializer(items, many=True, context={"viewer": request.user}).data,
            "next": next_cursor,
        })
