"""Cameo API: thin views over cameos.services (writes) and cameos.selectors (reads)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.errors import Forbidden, NotFound
from core.media import public_url, signed_url
from core.pagination import keyset_page
from core.uploads import check_upload_size, clip_from_upload, photo_from_upload

from . import selectors, services
from .models import Cameo, CameoReference

FORM_OVERHEAD_BYTES = 256 * 1024  # multipart boundaries and text fields around the files


def _refuse_large_body(request) -> None:
    """Refuse an upload over the limit from its Content-Length, before the body is read or written to disk."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES:
        check_upload_size(length, what="upload")


def page_response(items, next_cursor, serializer, **context) -> Response:
    return Response({"results": serializer(items, many=True, context=context).data, "next": next_cursor})


class MemberNameSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()


class CameoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    owner = MemberNameSerializer()
    name = serializers.CharField()
    kind = serializers.CharField()
    permission = serializers.CharField()
    verified = serializers.BooleanField()
    verification = serializers.SerializerMethodField()
    reference_check = serializers.SerializerMethodField()
    restrictions = serializers.CharField()
    avatar_url = serializers.SerializerMethodField()
    reference_urls = serializers.SerializerMethodField()
    reference_clip_url = serializers.SerializerMethodField()
    is_owner = serializers.SerializerMethodField()
    can_use = serializers.SerializerMethodField()
    my_request = serializers.SerializerMethodField()
    voice = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def _is_owner(self, cameo) -> bool:
        viewer = self.context.get("viewer")
        return viewer is not None and viewer.pk == cameo.owner_id

    def get_verification(self, cameo) -> dict:
        return {
            "state": cameo.verification_state,
            "reason": cameo.verification_reason,
            "checked_at": cameo.verification_checked_at,
        }

    def get_reference_check(self, cameo) -> dict:
        return {"state": cameo.reference_state, "reason": cameo.reference_reason}

    def get_avatar_url(self, cameo) -> str:
        return public_url(cameo.avatar) if cameo.avatar else ""

    def _references(self, cameo, kind: str) -> list[str]:
        if not self._is_owner(cameo):
            return []
        return [signed_url(r.file) for r in cameo.references.all() if r.kind == kind]

    def get_reference_urls(self, cameo) -> list[str]:
        return self._references(cameo, CameoReference.Kind.PHOTO)

    def get_reference_clip_url(self, cameo) -> str:
        urls = self._references(cameo, CameoReference.Kind.CLIP)
        return urls[0] if urls else ""

    def get_is_owner(self, cameo) -> bool:
        return self._is_owner(cameo)

    def get_can_use(self, cameo) -> bool:
        if hasattr(cameo, "can_use"):
            return bool(cameo.can_use)
        return selectors.cameo_use_decision(cameo=cameo, user=self.context["viewer"]).allowed

    def get_my_request(self, cameo) -> str | None:
        return getattr(cameo, "my_request", None)

    def get_voice(self, cameo) -> dict | None:
        """The voice kept from the verification clip: for its owner only (null for everyone else)."""
        if not self._is_owner(cameo):
            return None
        return {
            "kept": bool(cameo.voice),
            "kept_at": cameo.voice_kept_at.isoformat() if cameo.voice_kept_at else None,
            "url": signed_url(cameo.voice) if cameo.voice else "",
            "in_clips": cameo.voice_in_clips,
            "sample_url": signed_url(cameo.voice_sample) if cameo.voice_sample else "",
            "pitch_hz": (cameo.voice_profile or {}).get("f0_median"),
        }

    def get_verify_url(self, cameo) -> str | None:
        """Where the owner verifies a person cameo not verified yet (null otherwise)."""
        if not self._is_owner(cameo) or cameo.kind != Cameo.Kind.PERSON or cameo.verified_at is not None:
            return None
        return selectors.verify_url(cameo)


class RequestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = MemberNameSerializer()
    message = serializers.CharField()
    state = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApprovalOutputSerializer(serializers.Serializer):
    user = MemberNameSerializer()
    created_at = serializers.DateTimeField()


class ChallengeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phrase = serializers.CharField()
    expires_at = serializers.DateTimeField()
    valid_for_s = serializers.SerializerMethodField()

    def get_valid_for_s(self, challenge) -> int:
        return int(services.CHALLENGE_TTL.total_seconds())


def cameo_page_schema(name: str, item) -> dict:
    return {200: inline_serializer(name, {"results": item(many=True), "next": serializers.CharField(allow_null=True)})}


def cameo_visible(request, cameo_id: int) -> Cameo:
    cameo = selectors.cameo_get_visible(user=request.user, cameo_id=cameo_id)
    if cameo is None:
        raise NotFound(_("There is no such cameo."), code="not_found")
    return cameo


def cameo_owned(request, cameo_id: int) -> Cameo:
    """The cameo, for its owner only; to anyone else it does not exist."""
    cameo = cameo_visible(request, cameo_id)
    if cameo.owner_id != request.user.pk:
        raise Forbidden(_("Only the cameo's owner can see or change that."), code="not_owner")
    return cameo


def _represent(request, cameo_id: int) -> dict:
    return CameoOutputSerializer(cameo_visible(request, cameo_id), context={"viewer": request.user}).data


class CameoListCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, allow_blank=True)
        kind = serializers.ChoiceField(choices=Cameo.Kind.choices, default=Cameo.Kind.PERSON)
        permission = serializers.ChoiceField(choices=Cameo.Permission.choices, default=Cameo.Permission.ONLY_ME)
        restrictions = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
        reference = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=services.MAX_PHOTOS)
        reference_clip = serializers.FileField(required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("owner", str, description="list this person's cameos you can see (to ask for one)")
        ],
        responses=cameo_page_schema("CameoPage", CameoOutputSerializer),
    )
    def get(self, request):
        owner = None
        handle = request.query_params.get("owner")
        if handle:
            owner = User.objects.filter(username__iexact=handle.lstrip("@")).first()
            if owner is None:
                raise NotFound(_("No account with that handle."), code="user_not_found")
        items, next_cursor = keyset_page(selectors.cameos_for_list(user=request.user, owner=owner), request=request)
        return page_response(items, next_cursor, CameoOutputSerializer, viewer=request.user)

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={201: CameoOutputSerializer})
    def post(self, request):
        """Create a cameo from 1–5 reference photos (field ``reference``, repeatable) and an optional short clip
        (``reference_clip``). The worker checks them; ``reference_check.state`` is ``pending`` until then."""
        _refuse_large_body(request)
        data = {key: request.data[key] for key in ("name", "kind", "permission", "restrictions") if key in request.data}
        data["reference"] = request.FILES.getlist("reference")
        if "reference_clip" in request.FILES:
            data["reference_clip"] = request.FILES["reference_clip"]
        serializer = self.InputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        files = v["reference"] + ([v["reference_clip"]] if v.get("reference_clip") else [])
        check_upload_size(sum(f.size for f in files), what="upload")
        photos = [photo_from_upload(f, what="reference photo") for f in v["reference"]]
        clip = clip_from_upload(v["reference_clip"], what="reference clip") if v.get("reference_clip") else None
        cameo = services.cameo_create(
            owner=request.user,
            name=v["name"],
            kind=v["kind"],
            photos=photos,
            clip=clip,
            permission=v["permission"],
            restrictions=v["restrictions"],
        )
        return Response(_represent(request, cameo.pk), status=status.HTTP_201_CREATED)


class CameoDetailApi(APIView):
    class UpdateSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False, allow_blank=True)
        permission = serializers.ChoiceField(choices=Cameo.Permission.choices, required=False)
        restrictions = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        voice_in_clips = serializers.BooleanField(
            required=False, help_text="Whether the cameo speaks with the voice kept from verification (true by default)."
        )

    @extend_schema(responses={200: CameoOutputSerializer})
    def get(self, request, cameo_id: int):
        return Response(_represent(request, cameo_id))

    @extend_schema(request=UpdateSerializer, responses={200: CameoOutputSerializer})
    def patch(self, request, cameo_id: int):
        """Rename, change the permission level or the restrictions. Lowering the level or adding restrictions
        stops, at once, the pending uses that no longer have consent."""
        cameo = cameo_owned(request, cameo_id)
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cameo_update(user=request.user, cameo=cameo, **data.validated_data)
        return Response(_represent(request, cameo_id))

    @extend_schema(responses={204: None})
    def delete(self, request, cameo_id: int):
        """Delete the cameo, its media and every pending use. Published posts stay."""
        services.cameo_delete(user=request.user, cameo=cameo_owned(request, cameo_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CameoChallengeApi(APIView):
    @extend_schema(responses={200: ChallengeOutputSerializer})
    def get(self, request, cameo_id: int):
        """A new random phrase for the verification clip, valid for ten minutes."""
        challenge = services.cameo_challenge_issue(user=request.user, cameo=cameo_owned(request, cameo_id))
        return Response(ChallengeOutputSerializer(challenge).data)


class CameoVerifyApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        clip = serializers.FileField()
        challenge = serializers.IntegerField(required=False, allow_null=True, default=None)
        keep_voice = serializers.BooleanField(required=False, default=False)

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={202: CameoOutputSerializer})
    def post(self, request, cameo_id: int):
        """A short clip of the owner saying the challenge phrase. The check runs in a worker; the answer is 202
        with ``verification.state`` = ``pending``, and the verdict arrives as a ``notification`` event. With
        ``keep_voice`` the clip's voice is kept as the cameo's voice once it passes (only its owner can hear it,
        and ``DELETE /api/cameos/<id>/voice`` deletes it)."""
        _refuse_large_body(request)
        cameo = cameo_owned(request, cameo_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        clip = clip_from_upload(data.validated_data["clip"], what="clip")
        services.cameo_verification_submit(
            user=request.user,
            cameo=cameo,
            clip=clip,
            challenge_id=data.validated_data["challenge"],
            keep_voice=data.validated_data["keep_voice"],
        )
        return Response(_represent(request, cameo_id), status=status.HTTP_202_ACCEPTED)


class CameoVoiceApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, cameo_id: int):
        """Delete the voice kept from the verification clip (owner only)."""
        if not services.cameo_voice_delete(user=request.user, cameo=cameo_owned(request, cameo_id)):
            raise NotFound(_("This cameo keeps no voice."), code="no_voice")
        return Response(status=status.HTTP_204_NO_CONTENT)


class CameoRequestsApi(APIView):
    class InputSerializer(serializers.Serializer):
        message = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(responses=cameo_page_schema("CameoRequestPage", RequestOutputSerializer))
    def get(self, request, cameo_id: int):
        """Pending requests (owner only)."""
        cameo = cameo_owned(request, cameo_id)
        items, next_cursor = keyset_page(selectors.cameo_requests_pending(cameo=cameo), request=request)
        return page_response(items, next_cursor, RequestOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: RequestOutputSerializer, 200: RequestOutputSerializer})
    def post(self, request, cameo_id: int):
        """Ask the owner to approve you for this cameo."""
        cameo = cameo_visible(request, cameo_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        req, created = services.cameo_request_create(
            user=request.user, cameo=cameo, message=data.validated_data["message"]
        )
        return Response(
            RequestOutputSerializer(req).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class CameoRequestDetailApi(APIView):
    @extend_schema(responses={200: RequestOutputSerializer})
    def delete(self, request, cameo_id: int, username: str):
        """The owner declines a pending request, or the person who asked withdraws it."""
        req = services.cameo_request_close(user=request.user, cameo=cameo_visible(request, cameo_id), username=username)
        return Response(RequestOutputSerializer(req).data)


class CameoApprovalsApi(APIView):
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)

    @extend_schema(responses=cameo_page_schema("CameoApprovalPage", ApprovalOutputSerializer))
    def get(self, request, cameo_id: int):
        cameo = cameo_owned(request, cameo_id)
        items, next_cursor = keyset_page(selectors.cameo_approvals(cameo=cameo), request=request)
        return page_response(items, next_cursor, ApprovalOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: ApprovalOutputSerializer, 200: ApprovalOutputSerializer})
    def post(self, request, cameo_id: int):
        """Approve someone for this cameo (they are told)."""
        cameo = cameo_owned(request, cameo_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval, created = services.cameo_approval_create(
            owner=request.user, cameo=cameo, username=data.validated_data["username"]
        )
        return Response(
            ApprovalOutputSerializer(approval).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class CameoApprovalDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, cameo_id: int, username: str):
        """Remove an approval: that person's queued and running jobs with this cameo stop, their drafts are deleted."""
        if not services.cameo_approval_delete(owner=request.user, cameo=cameo_owned(request, cameo_id), username=username):
            raise NotFound(
                _("@{username} is not approved for this cameo.").format(username=username),
                code="not_approved",
            )
        return Response(status=status.HTTP_204_NO_CONTENT)
