"""The voice catalogue, for the composer and API clients choosing who speaks with which voice."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core import voices
from core.api import IdField

from .. import services


class VoiceSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    gender = serializers.CharField()
    age = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    pitch_hz = serializers.ListField(child=serializers.FloatField())
    engine = serializers.CharField()


class VoiceListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: inline_serializer("VoiceList", {"results": VoiceSerializer(many=True),
                                                                     "default": serializers.CharField()})})
    def get(self, request):
        book = voices.catalogue()
        return Response({"results": [voice.public() for voice in book.voices.values()], "default": book.default})


class CastLineSerializer(serializers.Serializer):
    text = serializers.CharField()
    language = serializers.CharField()


class CastSpeakerSerializer(serializers.Serializer):
    speaker = serializers.CharField()
    voice = serializers.CharField(help_text='A catalogue voice, or "cameo:<id>": the cameo owner\'s own voice.')
    label = serializers.CharField()
    lines = CastLineSerializer(many=True)


class CastPreviewApi(APIView):
    """Who would speak with which voice for a prompt: the composer shows it and lets the author change it."""

    class InputSerializer(serializers.Serializer):
        prompt = serializers.CharField(allow_blank=True, max_length=1000)
        remix_of = IdField(required=False, allow_null=True, default=None)
        extend_of = IdField(required=False, allow_null=True, default=None)
        cameos = serializers.ListField(child=IdField(), required=False, default=list, max_length=10)
        voices = serializers.DictField(child=serializers.CharField(max_length=40), required=False, default=dict)
        language = serializers.ChoiceField(choices=["en", "fr"], required=False, allow_blank=True, default="")

    @extend_schema(
        request=InputSerializer,
        responses={200: inline_serializer("CastPreview", {"speakers": CastSpeakerSerializer(many=True)})},
        examples=[OpenApiExample("Two speakers", request_only=True,
                                 value={"prompt": 'the coach shouts "again!" and a little girl whispers "look"'})],
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        speakers = services.cast_preview(user=request.user, prompt=v["prompt"], remix_of_id=v["remix_of"],
                                         cameo_ids=v["cameos"], voices=v["voices"], language=v["language"],
                                         extend_of_id=v["extend_of"])
        return Response({"speakers": speakers})
