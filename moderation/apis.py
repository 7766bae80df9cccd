"""Thin DRF views for moderation (staff), appeals (the member a decision was about) and a member's own reports.

Everything under /api/moderation/ is for staff only (403 with a message for anyone else), except the appeal of
a decision, which only the member it was about may make.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import Invalid, NotFound
from core.media import signed_url
from core.pagination import decode_cursor, encode_cursor, keyset_page, page_size

from . import selectors, services
from .models import Appeal, ModerationAction


class IsModerator(BasePermission):
    message = gettext_lazy("Only moderators (staff) can do that.")
    code = "not_staff"

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


def _user(user) -> dict | None:
    return {"username": user.username, "display_name": user.display_name} if user is not None else None


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def action_representation(record: ModerationAction, *, for_staff: bool) -> dict:
    try:
        appeal = record.appeal
    except Appeal.DoesNotExist:
        appeal = None
    data = {
        "id": record.pk,
        "action": record.action,
        "reason": record.reason,
        "until": _iso(record.until),
        "post": record.post_id,
        "comment_text": record.comment_text,
        "created_at": _iso(record.created_at),
        "reversed": record.reversed_at is not None,
        "appealable": record.action in ModerationAction.APPEALABLE and appeal is None,
        "appeal": appeal_representation(appeal, for_staff=for_staff) if appeal is not None else None,
    }
    if for_staff:
        data.update(
            {
                "moderator": _user(record.moderator),
                "target": _user(record.target),
                "reports": [r.pk for r in record.reports.all()],
            }
        )
    return data


def appeal_representation(appeal: Appeal, *, for_staff: bool) -> dict:
    data = {
        "id": appeal.pk,
        "action": appeal.action_id,
        "text": appeal.text,
        "status": appeal.status,
        "decision_reason": appeal.decision_reason,
        "created_at": _iso(appeal.created_at),
        "decided_at": _iso(appeal.decided_at),
    }
    if for_staff:
        record = appeal.action
        data.update(
            {
                "author": _user(appeal.author),
                "decided_by": _user(appeal.decided_by),
                "decision": {
                    "action": record.action,
                    "reason": record.reason,
                    "until": _iso(record.until),
                    "post": record.post_id,
                    "comment_text": record.comment_text,
                    "moderator": _user(record.moderator),
                    "created_at": _iso(record.created_at),
                },
            }
        )
    return data


def queue_group_representation(group: selectors.QueueGroup) -> dict:
    post, history = group.post, group.author
    return {
        "post": {
            "id": post.pk,
            "state": post.state,
            "state_reason": post.state_reason,
            "visibility": post.visibility,
            "author": _user(post.author),
            "caption": post.caption,
            "prompt": post.prompt,  # moderators see the prompt even when the author keeps it private
            "prompt_public": post.prompt_public,
            "video_url": signed_url(post.video),
            "poster_url": signed_url(post.poster) if post.poster else "",
            "created_at": _iso(post.created_at),
        },
        "report_count": group.report_count,
        "likeness_count": group.likeness_count,
        "first_reported_at": _iso(group.first_reported_at),
        "reports": [
            {
                "id": r.pk,
                "kind": r.kind,
                "reason": r.reason,
                "reporter": _user(r.reporter),
                "comment": (
                    {"id": r.comment_id, "text": r.comment.text if r.comment else r.comment_text,
                     "author": _user(r.comment.author) if r.comment else None}
                    if r.kind == "comment" or r.comment_id
                    else None
                ),
                "created_at": _iso(r.created_at),
            }
            for r in group.reports
        ],
        "cameos": [
            {"id": c.pk, "name": c.name, "kind": c.kind, "owner": c.owner.username, "permission": c.permission}
            for c in group.cameos
        ],
        "lineage": {
            "remix_of": post.remix_of_id,
            "root": post.root_id,
            "depth": post.depth,
            "ancestors": group.ancestors,
            "remix_count": group.remix_count,
        },
        "author_history": {
            "username": history.user.username,
            "joined_at": _iso(history.user.date_joined),
            "suspended_until": _iso(history.suspended_until),
            "refusals_total": history.refusals_total,
            "refusals_last_30_days": history.refusals_recent,
            "taken_down_posts": history.taken_down_posts,
            "reports_received": history.reports_received,
            "actions": [
                {
                    "id": a.pk,
                    "action": a.action,
                    "reason": a.reason,
                    "until": _iso(a.until),
                    "post": a.post_id,
                    "moderator": a.moderator.username if a.moderator else None,
                    "created_at": _iso(a.created_at),
                    "reversed": a.reversed_at is not None,
                }
                for a in history.actions
            ],
        },
    }


def refusal_representation(refusal) -> dict:
    return {
        "id": refusal.pk,
        "user": refusal.user.username,
        "text": refusal.text,
        "rule": refusal.rule,
        "category": refusal.category,
        "context": refusal.context,
        "stage": refusal.stage,
        "method": refusal.method,
        "detail": refusal.detail,
        "score": refusal.score,
        "job": refusal.job_id,
        "created_at": _iso(refusal.created_at),
    }


_PAGE = {"results": serializers.ListField(child=serializers.DictField()), "next": serializers.CharField(allow_null=True)}


class ModerationQueueApi(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: inline_serializer("ModerationQueuePage", _PAGE)},
    )
    def get(self, request):
        cursor = decode_cursor(request.query_params.get("cursor"))
        offset = cursor.get("offset", 0) if isinstance(cursor, dict) else 0
        if not isinstance(offset, int) or offset < 0:
            raise Invalid(_("The page cursor is not valid. Start again from the first page."), code="bad_cursor")
        groups, next_offset = selectors.moderation_queue(offset=offset, limit=page_size(request))
        return Response(
            {
                "results": [queue_group_representation(g) for g in groups],
                "next": encode_cursor({"offset": next_offset}) if next_offset is not None else None,
            }
        )


class ModerationActionsApi(APIView):
    permission_classes = [IsModerator]

    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=ModerationAction.Action.values)
        reason = serializers.CharField(allow_blank=True, trim_whitespace=True, max_length=2000)
        post = serializers.IntegerField(required=False, allow_null=True, default=None)
        comment = serializers.IntegerField(required=False, allow_null=True, default=None)
        user = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
        reports = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=200, default=list)
        until = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[OpenApiParameter("user", str), OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: inline_serializer("ModerationActionPage", _PAGE)},
    )
    def get(self, request):
        qs = selectors.actions_for_moderation(username=request.query_params.get("user") or None)
        items, next_cursor = keyset_page(qs.prefetch_related("reports"), request=request)
        return Response({"results": [action_representation(a, for_staff=True) for a in items], "next": next_cursor})

    @extend_schema(request=InputSerializer, responses={201: inline_serializer("ModerationActionOut", {"id": serializers.IntegerField()})})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        record = services.moderation_act(
            moderator=request.user,
            action=v["action"],
            reason=v["reason"],
            post_id=v["post"],
            comment_id=v["comment"],
            username=v["user"] or None,
            report_ids=v["reports"] or None,
            until=v["until"],
        )
        return Response(action_representation(record, for_staff=True), status=status.HTTP_201_CREATED)


class AppealCreateApi(APIView):
    """The member a decision was about appeals it (once)."""

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(allow_blank=True, trim_whitespace=True, max_length=5000)

    @extend_schema(request=InputSerializer, responses={201: inline_serializer("AppealOut", {"id": serializers.IntegerField()})})
    def post(self, request, action_id: int):
        if not ModerationAction.objects.filter(pk=action_id, target_id=request.user.pk).exists():
            raise NotFound(_("There is no such decision about you."), code="not_found")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_create(user=request.user, action_id=action_id, text=data.validated_data["text"])
        return Response(appeal_representation(appeal, for_staff=False), status=status.HTTP_201_CREATED)


class AppealsApi(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=list(Appeal.Status.values)), OpenApiParameter("cursor", str)],
        responses={200: inline_serializer("AppealPage", _PAGE)},
    )
    def get(self, request):
        wanted = request.query_params.get("status") or Appeal.Status.PENDING
        if wanted not in Appeal.Status.values:
            raise Invalid(_("status must be pending, granted or denied."), code="bad_status")
        items, next_cursor = keyset_page(
            selectors.appeals_for_moderation(status=wanted), request=request, descending=False
        )
        return Response({"results": [appeal_representation(a, for_staff=True) for a in items], "next": next_cursor})


class AppealDecisionApi(APIView):
    permission_classes = [IsModerator]

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["grant", "deny"])
        reason = serializers.CharField(allow_blank=True, trim_whitespace=True, max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: inline_serializer("AppealDecided", {"id": serializers.IntegerField()})})
    def post(self, request, appeal_id: int):
        if not Appeal.objects.filter(pk=appeal_id).exists():
            raise NotFound(_("There is no such appeal."), code="not_found")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_decide(moderator=request.user, appeal_id=appeal_id, **data.validated_data)
        appeal = selectors.appeals_for_moderation(status=appeal.status).get(pk=appeal.pk)
        return Response(appeal_representation(appeal, for_staff=True))


class RefusalsApi(APIView):
    """The prompt policy's refusal log (who, what, which rule)."""

    permission_classes = [IsModerator]

    @extend_schema(
        parameters=[OpenApiParameter("user", str), OpenApiParameter("rule", str), OpenApiParameter("cursor", str)],
        responses={200: inline_serializer("RefusalPage", _PAGE)},
    )
    def get(self, request):
        qs = selectors.refusals_for_moderation(
            username=request.query_params.get("user") or None, rule=request.query_params.get("rule") or None
        )
        items, next_cursor = keyset_page(qs, request=request)
        return Response({"results": [refusal_representation(r) for r in items], "next": next_cursor})


class MyModerationApi(APIView):
    """Decisions about me (warnings, take-downs, suspensions), each with its appeal if I made one."""

    @extend_schema(responses={200: inline_serializer("MyModerationPage", _PAGE)})
    def get(self, request):
        items, next_cursor = keyset_page(selectors.actions_about(user=request.user), request=request)
        return Response({"results": [action_representation(a, for_staff=False) for a in items], "next": next_cursor})


class MyReportsApi(APIView):
    """My reports, with their status (open, dismissed, actioned) and the outcome I was told."""

    @extend_schema(responses={200: inline_serializer("MyReportPage", _PAGE)})
    def get(self, request):
        items, next_cursor = keyset_page(selectors.reports_by(user=request.user), request=request)
        return Response(
            {
                "results": [
                    {
                        "id": r.pk,
                        "kind": r.kind,
                        "post": r.post_id,
                        "comment": r.comment_id,
                        "reason": r.reason,
                        "status": r.status,
                        "outcome": r.outcome,
                        "created_at": _iso(r.created_at),
                        "resolved_at": _iso(r.resolved_at),
                    }
                    for r in items
                ],
                "next": next_cursor,
            }
        )
