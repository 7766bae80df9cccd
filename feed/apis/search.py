"""``GET /api/search``: posts, people or tags (feed.search); ``GET /api/explore`` (feed.explore)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import UserSummarySerializer
from accounts.selectors import break_reminder
from core.errors import Invalid
from core.pagination import keyset_page, page_size

from .. import explore, search
from .posts import PostOutputSerializer

TYPES = ("posts", "people", "tags")


class TagResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    post_count = serializers.IntegerField(help_text="Public posts carrying the tag.")


class PersonResultSerializer(UserSummarySerializer):
    follower_count = serializers.IntegerField()


class SearchApi(APIView):
    """Search: ``type=posts`` (default; by caption, public prompt and tags, most relevant first; with ``related``
    when nothing has every word), ``people`` (by handle and display name) or ``tags`` (by name). Only what you may
    see, as in the feed; cursor pagination."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description=f"At most {search.MAX_QUERY} characters."),
            OpenApiParameter("type", str, enum=list(TYPES)),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int),
        ],
        responses={200: inline_serializer("SearchPage", {
            "type": serializers.CharField(), "q": serializers.CharField(),
            "results": serializers.ListField(child=serializers.DictField(),
                                             help_text="Posts, people or tags, as the type says."),
            "next": serializers.CharField(allow_null=True),
            "related": PostOutputSerializer(many=True, required=False, help_text=(
                "Posts only: when no post has every word, the posts nearest in meaning to those that have some.")),
        })},
        examples=[OpenApiExample("posts", value={"type": "posts", "q": "beach", "results": [], "next": None},
                                 response_only=True)],
    )
    def get(self, request):
        q = (request.query_params.get("q") or "").strip()
        kind = request.query_params.get("type") or "posts"
        if kind not in TYPES:
            raise Invalid(_("type must be one of {types}.").format(types=", ".join(TYPES)), code="bad_type")
        if not q:
            raise Invalid(_("Type something to search for."), code="empty_query")
        if len(q) > search.MAX_QUERY:
            raise Invalid(_("The search is too long (at most {most} characters).").format(most=search.MAX_QUERY),
                          code="query_too_long")
        answer = {}
        if kind == "posts":
            found = search.search_posts(q=q, viewer=request.user, cursor=request.query_params.get("cursor"),
                                        size=page_size(request))
            items, next_cursor = found.posts, found.next
            results = PostOutputSerializer(items, many=True, context={"viewer": request.user}).data
            if not items and not request.query_params.get("cursor"):
                related = search.related_posts(q=q, viewer=request.user)
                answer["related"] = PostOutputSerializer(related, many=True, context={"viewer": request.user}).data
        elif kind == "people":
            found = search.search_people(q=q, viewer=request.user, cursor=request.query_params.get("cursor"),
                                         size=page_size(request))
            items, next_cursor = found.people, found.next
            results = PersonResultSerializer(items, many=True).data
        else:
            items, next_cursor = keyset_page(search.search_tags(q=q), request=request, order_field="post_count")
            results = TagResultSerializer(items, many=True).data
        return Response({"type": kind, "q": q, "results": results, "next": next_cursor, **answer})


class ExploreApi(APIView):
    """What is moving this week: trending tags (decayed velocity), the most remixed chains, new creators worth
    following (with why), and the challenges staff pinned. For members under 18, the feed's break reminder too."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: inline_serializer("Explore", {
        "tags": serializers.ListField(child=serializers.DictField()),
        "chains": serializers.ListField(child=serializers.DictField()),
        "creators": serializers.ListField(child=serializers.DictField()),
        "challenges": serializers.ListField(child=serializers.DictField()),
        "break_reminder": serializers.DictField(allow_null=True),
    })})
    def get(self, request):
        viewer = request.user
        context = {"viewer": viewer}
        chains = explore.trending_chains(viewer=viewer)
        return Response({
            "tags": [{"name": t.name, "score": round(t.score, 4), "posts": t.posts} for t in explore.trending_tags()],
            "chains": [{"root": PostOutputSerializer(root, context=context).data, "remixes_this_week": n}
                       for root, n in chains],
            "creators": [{**PersonResultSerializer(s.user).data, "reason": s.reason, "likes_this_week": s.likes_this_week}
                         for s in explore.creators_to_follow(viewer=viewer)],
            "challenges": [{"tag": c.tag.name, "prompt": c.prompt, "post": c.post_id,
                            "ends_at": c.ends_at.isoformat() if c.ends_at else None}
                           for c in explore.challenges()],
            "break_reminder": break_reminder(user=viewer) if viewer.is_authenticated else None,
        })
