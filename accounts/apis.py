from django.contrib.auth import authenticate, update_session_auth_hash
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.errors import NotAuthenticated, NotFound
from core.media import public_url
from core.pagination import keyset_page

from . import services
from .models import User
from .selectors import (
    guardianship_active,
    guardianship_of,
    member_credentials,
    notifications_for,
    notifications_unread_count,
    teen_limits_get,
    user_get_profile,
)


class UserSummarySerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.SerializerMethodField()

    def get_avatar_url(self, obj) -> str:
        return public_url(obj.avatar.name) if obj.avatar else ""


class SignupApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=30)
        password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
        email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
        display_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
        # Required (the service says so together with the other fields' problems); null for the same message.
        birth_date = serializers.DateField(
            required=False, allow_null=True, error_messages={"invalid": gettext_lazy("Write the birth date as YYYY-MM-DD.")}
        )

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_signup(**data.validated_data, require_birth_date=True)
        token = services.user_token(user=user, label=request.META.get("HTTP_USER_AGENT", ""))
        return Response({"id": user.pk, "username": user.username, "token": token}, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, **data.validated_data)
        if user is None:
            raise NotAuthenticated(_("Wrong handle or password."), code="bad_credentials")
        return Response({"token": services.user_token(user=user, label=request.META.get("HTTP_USER_AGENT", ""))})


def _target(username: str) -> User:
    return get_object_or_404(User, username__iexact=username, is_active=True)


class FollowApi(APIView):
    class OutputSerializer(serializers.Serializer):
        following = serializers.BooleanField()
        follower_count = serializers.IntegerField()

    def _result(self, request, target: User, following: bool):
        profile = user_get_profile(username=target.username, viewer=None)
        return {"following": following, "follower_count": profile.follower_count}

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request, username: str):
        target = _target(username)
        services.follow_create(follower=request.user, followee=target)
        return Response(self._result(request, target, True))

    @extend_schema(request=None, responses={200: OutputSerializer})
    def delete(self, request, username: str):
        target = _target(username)
        services.follow_delete(follower=request.user, followee=target)
        return Response(self._result(request, target, False))


class BlockApi(APIView):
    class OutputSerializer(serializers.Serializer):
        blocked = serializers.BooleanField()

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request, username: str):
        services.block_create(blocker=request.user, blocked=_target(username))
        return Response({"blocked": True})

    @extend_schema(request=None, responses={200: OutputSerializer})
    def delete(self, request, username: str):
        services.block_delete(blocker=request.user, blocked=_target(username))
        return Response({"blocked": False})


# --- members under 18 and their guardians ------------------------------------------------------------------------


class GuardianshipOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    teen = serializers.CharField(source="teen.username")
    guardian = serializers.CharField(source="guardian.username")
    state = serializers.CharField()
    created_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)


class MyGuardianApi(APIView):
    """A member under 18 invites a parent's or guardian's account (``POST {username}``), sees the link (``GET``)
    or withdraws an invitation not yet accepted (``DELETE``)."""

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)

    @extend_schema(responses={200: GuardianshipOutputSerializer})
    def get(self, request):
        link = guardianship_of(teen=request.user)
        if link is None:
            raise NotFound(_("You have no guardian link."), code="no_guardian")
        return Response(GuardianshipOutputSerializer(link).data)

    @extend_schema(request=InputSerializer, responses={201: GuardianshipOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link = services.guardian_invite(teen=request.user, username=data.validated_data["username"])
        return Response(GuardianshipOutputSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def delete(self, request):
        services.guardian_end(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeenGuardianApi(APIView):
    """The invited guardian accepts (``POST``), or declines or ends the link (``DELETE``)."""

    @extend_schema(request=None, responses={200: GuardianshipOutputSerializer})
    def post(self, request, username: str):
        link = services.guardian_accept(guardian=request.user, teen_username=username)
        return Response(GuardianshipOutputSerializer(link).data)

    @extend_schema(responses={204: None})
    def delete(self, request, username: str):
        services.guardian_end(user=request.user, teen_username=username)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeenLimitsApi(APIView):
    """A linked guardian sees the limits of a member under 18 and may lower them: the daily watch time after
    which the feed suggests a break (never above the default) and who may use the member's cameos."""

    class InputSerializer(serializers.Serializer):
        daily_watch_limit_min = serializers.IntegerField(required=False)
        cameo_use = serializers.ChoiceField(choices=["approved", "only_me"], required=False)

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        is_teen = serializers.BooleanField()
        daily_watch_limit_min = serializers.IntegerField()
        default_daily_watch_limit_min = serializers.IntegerField()
        cameo_use = serializers.CharField()
        watched_today_min = serializers.FloatField()
        guardian = serializers.CharField(allow_null=True)

    def _teen(self, request, username: str) -> User:
        link = guardianship_active(guardian=request.user, teen_username=username)
        if link is None:
            raise NotFound(_("You are not the guardian of @{username}.").format(username=username), code="not_guardian")
        return link.teen

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request, username: str):
        return Response(self.OutputSerializer(teen_limits_get(teen=self._teen(request, username))).data)

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def patch(self, request, username: str):
        self._teen(request, username)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        teen = services.teen_limits_update(guardian=request.user, teen_username=username, **data.validated_data)
        return Response(self.OutputSerializer(teen_limits_get(teen=teen)).data)


# --- notifications ---------------------------------------------------------------------------------------------


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.SerializerMethodField(help_text="The sentence, in the reader's language.")
    actor = UserSummarySerializer(allow_null=True)
    post = serializers.IntegerField(source="post_id", allow_null=True)
    data = serializers.DictField()
    read = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_text(self, notification) -> str:
        return services.notification_text(notification)

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
        items, next_cursor = keyset_page(notifications_for(user=request.user), request=request)
        return Response(
            {
                "results": NotificationOutputSerializer(items, many=True).data,
                "next": next_cursor,
                "unread_count": notifications_unread_count(user=request.user),
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
        return Response({"marked": marked, "unread_count": notifications_unread_count(user=request.user)})


# --- credentials: password, browsers, API tokens ------------------------------------------------------------------


def _session_key(request) -> str | None:
    session = getattr(request._request, "session", None)
    return session.session_key if session is not None and request.user.is_authenticated and request.auth is None else None


class PasswordChangeApi(APIView):
    """Change the password: every other browser is signed out and every API token revoked. A client signed in
    with a token gets a new one in the answer (its old one no longer works); a browser stays signed in."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        old_password = serializers.CharField(max_length=128, trim_whitespace=False)
        new_password = serializers.CharField(max_length=128, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        detail = serializers.CharField()
        token = serializers.CharField(allow_null=True)

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        keep = _session_key(request)
        services.password_change(user=request.user, keep_session_key=keep, **data.validated_data)
        token = None
        if keep is not None:
            update_session_auth_hash(request._request, request.user)  # this browser stays signed in (a new key)
            services.session_rekeyed(old_key=keep, new_key=request._request.session.session_key)
        else:
            token = services.user_token(user=request.user, label=request.META.get("HTTP_USER_AGENT", ""))
        return Response({"detail": _("Your password was changed. Other sessions were signed out."), "token": token})


class PasswordResetApi(APIView):
    """Ask for a password-reset link by email. The answer is the same whether or not an account has the address
    (nothing tells who is a member); the link is Django's, valid for PASSWORD_RESET_TIMEOUT, and works once."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    class OutputSerializer(serializers.Serializer):
        detail = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={202: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_send(email=data.validated_data["email"], request=request._request)
        return Response(
            {"detail": _("If an account uses this address, a link to choose a new password is on its way.")},
            status=status.HTTP_202_ACCEPTED,
        )


class SessionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user_agent = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField()


class ApiTokenOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    prefix = serializers.CharField(help_text="The key's first characters (the key itself is shown only once).")
    label = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField()


class CredentialsApi(APIView):
    """The browsers signed in to this account and its API tokens, with the device and when each was last used."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "Credentials",
                {"sessions": SessionOutputSerializer(many=True), "tokens": ApiTokenOutputSerializer(many=True)},
            )
        }
    )
    def get(self, request):
        found = member_credentials(
            user=request.user,
            session_key=_session_key(request),
            token_id=getattr(request.auth, "pk", None),
        )
        return Response(
            {
                "sessions": SessionOutputSerializer(found.sessions, many=True).data,
                "tokens": ApiTokenOutputSerializer(found.tokens, many=True).data,
            }
        )


class SessionApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, session_id: int):
        services.session_revoke(user=request.user, session_id=session_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokensApi(APIView):
    class InputSerializer(serializers.Serializer):
        label = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="The key: shown this once.")

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        label = data.validated_data.get("label") or request.META.get("HTTP_USER_AGENT", "")
        return Response({"token": services.user_token(user=request.user, label=label)}, status=status.HTTP_201_CREATED)


class TokenApiDetail(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, token_id: int):
        services.token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
