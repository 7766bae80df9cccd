"""The feed itself (For you, Following, Latest) and the steering text."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import break_reminder
from core.errors import Invalid
from core.pagination import keyset_page, page_size

from .. import selectors, services
from ..for_you import feed_for_you
from .posts import PostOutputSerializer

TABS = ("for_you", "following", "latest")


class FeedItemSerializer(PostOutputSerializer):
    reasons = serializers.ListField(child=serializers.CharField())

    def to_representation(self, post) -> dict:
        data = super().to_representation(post)
        reasons = self.__dict__.get("_reasons")
        if reasons is None:  # read once per serializer, as _page_tools
            reasons = self._reasons = self.context.get("reasons", {})
        data["reasons"] = reasons.get(post.pk, [])
        return data


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
            raise Invalid(
                _("Unknown tab “{value}”. Use for_you, following or latest.").format(value=tab[:40]),
                code="bad_tab",
            )
        if tab == "for_you":
            items, next_cursor = feed_for_you(
                user=request.user, cursor=request.query_params.get("cursor"), size=page_size(request)
            )
            posts = [item.post for item in items]
            reasons = {item.post.pk: item.reasons for item in items}
        elif tab == "following":
            posts, next_cursor = keyset_page(selectors.feed_following(user=request.user), request=request)
            reasons = {post.pk: [_("you follow @{author}").format(author=post.author.username)] for post in posts}
        else:
            posts, next_cursor = keyset_page(selectors.feed_latest(user=request.user), request=request)
            reasons = {}
        context = {"viewer": request.user, "reasons": reasons}
        return Response(
            {
                "results": FeedItemSerializer.page_data(posts, context=context),
                "next": next_cursor,
                # Members under 18: {due, watched_today_min, limit_min}; null for adults (accounts.selectors.break_reminder).
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
