"""Generation jobs: ask for one, follow it, cancel it, discard or publish its draft."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IdField, WriteRateThrottle
from core.errors import Invalid, NotFound
from core.media import public_url, signed_url
from core.pagination import keyset_page
from feed.apis import post_representation
from generation.backends.base import FRAMINGS, STYLES, TRANSITIONS
from generation.backends.preview.vocab import CAMERAS

from .. import services
from ..models import GenerationJob
from ..selectors import job_get_for_owner, jobs_of


class JobOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.FloatField()
    prompt = serializers.CharField()
    prompt_public = serializers.BooleanField()
    duration_s = serializers.FloatField()
    aspect = serializers.CharField()
    seed = serializers.IntegerField()
    strength = serializers.FloatField()
    voices = serializers.DictField(child=serializers.CharField())
    language = serializers.CharField()
    style = serializers.CharField(help_text="The look asked for; empty: as the prompt says.")
    cast = serializers.SerializerMethodField()
    remix_of = serializers.IntegerField(source="remix_of_id", allow_null=True)
    extend_of = serializers.IntegerField(source="extends_id", allow_null=True)
    shots = serializers.JSONField(help_text="A storyboard's shots or a stitch's sources ({source, transition}).")
    stitch_of = serializers.SerializerMethodField()
    cameos = serializers.SerializerMethodField()
    error = serializers.CharField()
    cancel_requested = serializers.BooleanField()
    attempts = serializers.IntegerField()
    max_attempts = serializers.IntegerField()
    draft = serializers.CharField()
    backend = serializers.CharField()
    backend_meta = serializers.JSONField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    video_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    post_id = serializers.SerializerMethodField()

    def get_cameos(self, job) -> list[int]:
        return [c.pk for c in job.cameos.all()]

    def get_stitch_of(self, job) -> list[int]:
        """The drafts a stitch is made of, in order."""
        return [part["source"] for part in job.shots] if job.kind == GenerationJob.Kind.STITCH else []

    def get_cast(self, job) -> dict[str, str]:
        """Who speaks with which voice, once the clip is made (``{}`` before, or with no dialogue)."""
        return dict((job.scene_plan or {}).get("cast") or {})

    def _post(self, job):
        try:
            return job.post
        except GenerationJob.post.RelatedObjectDoesNotExist:
            return None

    def get_post_id(self, job) -> int | None:
        post = self._post(job)
        return post.pk if post else None

    def _url(self, job, name: str) -> str:
        if not name:
            return ""
        if job.draft == GenerationJob.Draft.PUBLISHED:
            return public_url(name)
        if job.draft == GenerationJob.Draft.READY:
            return signed_url(name)
        return ""

    def get_video_url(self, job) -> str:
        return self._url(job, job.video)

    def get_poster_url(self, job) -> str:
        return self._url(job, job.poster)


class ShotSerializer(serializers.Serializer):
    prompt = serializers.CharField(allow_blank=True, max_length=5000,
                                   help_text="What happens in this shot (for later shots: what changes).")
    duration_s = serializers.FloatField(help_text="The shot's length in seconds (at least 1).")
    framing = serializers.ChoiceField(choices=list(FRAMINGS), required=False, default="wide")
    camera = serializers.ChoiceField(choices=list(CAMERAS), required=False, allow_null=True, default=None,
                                     help_text="A camera move; by default the one the prompt names, else static.")
    transition = serializers.ChoiceField(choices=list(TRANSITIONS), required=False, default="cut",
                                         help_text="How the shot begins after the one before (ignored for the first).")


class StitchSourceSerializer(serializers.Serializer):
    draft = IdField(help_text="One of your finished drafts (a generation id).")
    transition = serializers.ChoiceField(choices=list(TRANSITIONS), required=False, default="cut",
                                         help_text="How this clip begins after the one before (ignored for the first).")


STORYBOARD_EXAMPLE = {
    "kind": "storyboard",
    "aspect": "16:9",
    "shots": [
        {"prompt": "a red ball bounces in a kitchen, the cook says \"watch this\"", "duration_s": 10, "framing": "wide"},
        {"prompt": "the ball rolls under the table", "duration_s": 10, "framing": "close_up"},
        {"prompt": "at night", "duration_s": 10, "framing": "medium", "transition": "dissolve"},
    ],
}
STITCH_EXAMPLE = {"kind": "stitch", "sources": [{"draft": 41}, {"draft": 42, "transition": "dissolve"}, {"draft": 45}]}


class JobListCreateApi(APIView):
    throttle_classes = [WriteRateThrottle]
    throttle_scope = "generation"
    class InputSerializer(serializers.Serializer):
        prompt = serializers.CharField(allow_blank=True, trim_whitespace=True, max_length=5000, required=False,
                                       default="", help_text="What the clip shows (not used by storyboards and "
                                                             "stitches: their shots and sources say it).")
        duration_s = serializers.FloatField(required=False, default=8.0)
        aspect = serializers.CharField(required=False, default="9:16", max_length=10)
        seed = serializers.IntegerField(required=False, allow_null=True, default=None)
        remix_of = IdField(required=False, allow_null=True, default=None)
        cameos = serializers.ListField(child=IdField(), required=False, default=list, max_length=10)
        idempotency_key = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=64, default=None)
        prompt_public = serializers.BooleanField(required=False, default=True)
        strength = serializers.FloatField(required=False, default=0.6)
        kind = serializers.ChoiceField(
            choices=["extend", "storyboard", "stitch"], required=False, allow_null=True, default=None,
            help_text="extend: continue a post (remix_of) or a draft (extend_of); storyboard: several shots with one "
                      "cast (shots); stitch: join your drafts (sources). Otherwise a single clip from the prompt.",
        )
        shots = ShotSerializer(many=True, required=False, default=list,
                               help_text="A storyboard's shots, in order: at most 12, together at most 60 s.")
        sources = StitchSourceSerializer(many=True, required=False, default=list,
                                         help_text="A stitch's drafts, in order.")
        extend_of = IdField(
            required=False, allow_null=True, default=None,
            help_text="One of your finished drafts to continue (kind extend); to continue a post, use remix_of.",
        )
        voices = serializers.DictField(
            child=serializers.CharField(max_length=40), required=False, default=dict,
            help_text='Who speaks with which voice: {"coach": "bruno", "girl": "pip"} (speakers as the prompt '
                      'names them; voices from GET /api/voices). Speakers left out are cast to fit the prompt.',
        )
        language = serializers.ChoiceField(
            choices=["en", "fr"], required=False, allow_blank=True, default="",
            help_text="Speak every line in this language; by default each line's language is detected.",
        )
        style = serializers.ChoiceField(
            choices=list(STYLES), required=False, allow_blank=True, default="",
            help_text="The clip's look: cartoon (flat colours), storybook (pastel), noir (black and white) or neon "
                      "(neon night). By default as the prompt names it, else the parent's for a remix, else cartoon.",
        )

    @extend_schema(
        responses={200: inline_serializer("JobPage", {"results": JobOutputSerializer(many=True), "next": serializers.CharField(allow_null=True)})}
    )
    def get(self, request):
        items, next_cursor = keyset_page(jobs_of(user=request.user), request=request)
        return Response({"results": JobOutputSerializer(items, many=True).data, "next": next_cursor})

    @extend_schema(
        request=InputSerializer,
        responses={202: JobOutputSerializer, 200: JobOutputSerializer},
        examples=[
            OpenApiExample("A clip from a prompt", value={"prompt": "a red ball bounces in a kitchen", "duration_s": 8},
                           request_only=True),
            OpenApiExample("A storyboard of three shots", value=STORYBOARD_EXAMPLE, request_only=True),
            OpenApiExample("A stitch of three drafts", value=STITCH_EXAMPLE, request_only=True),
        ],
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["kind"] == "storyboard":
            job, created = services.storyboard_create(
                user=request.user, shots=v["shots"], aspect=v["aspect"], seed=v["seed"], cameo_ids=v["cameos"],
                voices=v["voices"], language=v["language"], style=v["style"], prompt_public=v["prompt_public"],
                idempotency_key=v["idempotency_key"] or None,
            )
            return self._answer(request, job, created)
        if v["kind"] == "stitch":
            job, created = services.stitch_create(user=request.user, sources=v["sources"],
                                                  prompt_public=v["prompt_public"],
                                                  idempotency_key=v["idempotency_key"] or None)
            return self._answer(request, job, created)
        if len(v["prompt"]) > services.MAX_PROMPT:
            raise Invalid(
                _("The prompt is too long ({length} characters; at most {most}).").format(
                    length=len(v['prompt']), most=services.MAX_PROMPT
                ),
                code="prompt_too_long",
            )
        job, created = services.job_create(
            user=request.user,
            prompt=v["prompt"],
            duration_s=v["duration_s"],
            aspect=v["aspect"],
            seed=v["seed"],
            remix_of_id=v["remix_of"],
            cameo_ids=v["cameos"],
            idempotency_key=v["idempotency_key"] or None,
            prompt_public=v["prompt_public"],
            strength=v["strength"],
            kind=v["kind"],
            voices=v["voices"],
            language=v["language"],
            style=v["style"],
            extend_of_id=v["extend_of"],
        )
        return self._answer(request, job, created)

    def _answer(self, request, job: GenerationJob, created: bool) -> Response:
        job = job_get_for_owner(user=request.user, job_id=job.pk)
        return Response(JobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


def _owned(request, job_id: int) -> GenerationJob:
    job = job_get_for_owner(user=request.user, job_id=job_id)
    if job is None:
        raise NotFound(_("There is no such generation."), code="not_found")
    return job


class JobDetailApi(APIView):
    @extend_schema(responses={200: JobOutputSerializer})
    def get(self, request, job_id: int):
        return Response(JobOutputSerializer(_owned(request, job_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, job_id: int):
        """Discard the unpublished draft of a finished generation."""
        services.job_discard(user=request.user, job=_owned(request, job_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobCancelApi(APIView):
    @extend_schema(request=None, responses={200: JobOutputSerializer})
    def post(self, request, job_id: int):
        services.job_cancel(user=request.user, job=_owned(request, job_id))
        return Response(JobOutputSerializer(_owned(request, job_id)).data)


class JobPublishApi(APIView):
    class InputSerializer(serializers.Serializer):
        caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
        visibility = serializers.ChoiceField(choices=["public", "followers", "private"], required=False, default="public")

    @extend_schema(request=InputSerializer, responses={201: inline_serializer("PublishedPost", {"id": serializers.IntegerField()})})
    def post(self, request, job_id: int):
        job = _owned(request, job_id)  # 404 before any validation
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.job_publish(user=request.user, job=job, **data.validated_data)
        return Response(post_representation(post, viewer=request.user), status=status.HTTP_201_CREATED)
