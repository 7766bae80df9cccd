"""Pages of moderation: the staff queue (/moderation/) and a member's own decisions with their appeals
(/moderation/mine/). A small module (static/js/moderation.js, static/js/appeals.js) acts through the same API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from moderation import apis as moderation_apis

from ..api_data import api_data

QUEUE_PAGE = 10


@login_required
def moderation_page(request):
    if not request.user.is_staff:
        return render(
            request,
            "error.html",
            {"title": "Moderators only", "message": "This page is for Riff's moderators."},
            status=403,
        )
    _, queue = api_data(
        moderation_apis.ModerationQueueApi, request, query={"page_size": QUEUE_PAGE, "cursor": request.GET.get("cursor")}
    )
    _, appeals = api_data(moderation_apis.AppealsApi, request, query={"status": "pending"})
    _, refusals = api_data(moderation_apis.RefusalsApi, request, query={"page_size": 20})
    return render(
        request,
        "moderation/moderation.html",
        {
            "groups": queue.get("results", []),
            "next": queue.get("next"),
            "appeals": appeals.get("results", []),
            "refusals": refusals.get("results", []),
            "page_size": QUEUE_PAGE,
        },
    )


@login_required
def my_moderation_page(request):
    _, decisions = api_data(moderation_apis.MyModerationApi, request)
    return render(request, "moderation/my_moderation.html", {"decisions": decisions.get("results", [])})
