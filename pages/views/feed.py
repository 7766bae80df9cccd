"""Pages of the feed: the feed itself, a post and a profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from feed import apis, selectors

from ..api_data import api_data, error_page

FIRST_PAGE = 6  # clips rendered with the page; the script fetches the rest as the person scrolls
GRID_PAGE = 24


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
            "tabs": [("for_you", gettext("For you")), ("following", gettext("Following")), ("latest", gettext("Latest"))],
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
        return error_page(request, status, post)
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
    status, profile = api_data(apis.UserDetailApi, request, username=username)
    if status != 200:
        return error_page(request, status, profile)
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
