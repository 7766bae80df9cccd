"""Web pages for the feed: the feed itself, a post, a profile and the notifications.

The pages are thin: each renders a template with the first screenful of data, taken from the JSON API's own
views (``api_data``), so the HTML shows exactly what the API would answer and works before any JavaScript runs.
The modules in static/js then talk to the same API (session cookie + ``X-CSRFToken``) and to the websocket.
"""

from __future__ import annotations

import copy

from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse

from accounts.apis import UserDetailApi

from . import apis, selectors

FIRST_PAGE = 6  # clips rendered with the page; the script fetches the rest as the person scrolls
GRID_PAGE = 24


def api_data(view_class, request, query: dict | None = None, **kwargs) -> tuple[int, dict]:
    """Call an API view in-process for this request (same user, same rules) and return (status, data)."""
    if query is not None:
        request = copy.copy(request)
        request.GET = QueryDict(mutable=True)
        request.GET.update({key: str(value) for key, value in query.items() if value not in (None, "")})
    response = view_class.as_view()(request, **kwargs)
    return response.status_code, response.data


def _error_page(request, status: int, data: dict):
    if status == 404:
        raise Http404(data.get("detail", "Not found."))
    return render(request, "error.html", {"title": "Something went wrong", "message": data.get("detail", "")}, status=status)


@login_required
def feed_page(request):
    tab = request.GET.get("tab", "for_you")
    if tab not in apis.TABS:
        tab = "for_you"
    status, page = api_data(apis.FeedApi, request, query={"tab": tab, "page_size": FIRST_PAGE})
    _, preference = api_data(apis.FeedPreferenceApi, request)
    return render(
        request,
        "feed/feed.html",
        {
            "tab": tab,
            "tabs": [("for_you", "For you"), ("following", "Following"), ("latest", "Latest")],
            "posts": page.get("results", []) if status == 200 else [],
            "next": page.get("next") if status == 200 else None,
            "feed_error": page.get("detail") if status != 200 else "",
            "preference": preference if isinstance(preference, dict) else {},
            "break_reminder": page.get("break_reminder") if status == 200 else None,
            "page_size": FIRST_PAGE,
        },
    )


def post_page(request, post_id: int):
    status, post = api_data(apis.PostDetailApi, request, post_id=post_id)
    if status != 200:
        return _error_page(request, status, post)
    return render(
        request,
        "feed/post.html",
        {
            "post": post,
            "share_url": request.build_absolute_uri(reverse("post-page", kwargs={"post_id": post_id})),
            "is_author": request.user.is_authenticated and post["author"]["username"] == request.user.username,
        },
    )


def profile_page(request, username: str):
    status, profile = api_data(UserDetailApi, request, username=username)
    if status != 200:
        return _error_page(request, status, profile)
    _, grid = api_data(apis.UserPostsApi, request, query={"page_size": GRID_PAGE}, username=username)
    viewer = request.user
    is_me = viewer.is_authenticated and viewer.username.lower() == profile["username"].lower()
    return render(
        request,
        "feed/profile.html",
        {
            "profile": profile,
            "posts": grid.get("results", []),
            "next": grid.get("next"),
            "post_count": selectors.user_posts(username=username, viewer=viewer).count(),
            "is_me": is_me,
            "page_size": GRID_PAGE,
        },
    )


@login_required
def notifications_page(request):
    status, page = api_data(apis.NotificationsApi, request)
    if status != 200:
        return _error_page(request, status, page)
    return render(request, "feed/notifications.html", {"notifications": page["results"], "next": page["next"]})
