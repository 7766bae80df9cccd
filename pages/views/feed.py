"""Pages of the feed: the feed itself, a post and a profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_exempt

from feed import apis, selectors, sharing

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
            # What the link unfurls to elsewhere: public clips only (nothing about any other post is exposed).
            "card": sharing.share_card(public) if (public := sharing.public_post(post_id)) else None,
            "download_url": reverse("api-post-download", kwargs={"post_id": post_id}),
        },
    )


@xframe_options_exempt
def post_embed(request, post_id: int):
    """A public clip alone, for other sites to frame (the oEmbed ``html``)."""
    post = sharing.public_post(post_id)
    if post is None:
        raise Http404("There is no public clip here.")
    response = render(request, "feed/embed.html", {"card": sharing.share_card(post)})
    response["Content-Security-Policy"] = (
        "default-src 'none'; media-src * blob:; img-src * data:; style-src 'unsafe-inline'; frame-ancestors *"
    )
    return response


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


def tag_page(request, name: str):
    """A hashtag's clips, latest or top, a page at a time (a plain link to the next page)."""
    sort = "top" if request.GET.get("sort") == "top" else "latest"
    query = {"sort": sort, "page_size": GRID_PAGE, "cursor": request.GET.get("cursor")}
    status, page = api_data(apis.TagApi, request, query=query, name=name)
    if status == 400:
        raise Http404(page.get("detail", ""))
    if status != 200:
        return error_page(request, status, page)
    return render(request, "feed/tag.html", {
        "tag": page["tag"], "post_count": page["post_count"], "posts": page["results"], "next": page["next"],
        "sort": sort, "sorts": [("latest", gettext("Latest")), ("top", gettext("Top"))],
    })


def search_page(request):
    """Search posts, people or tags (the top bar's search box lands here); without a query, explore: trending
    tags, remix chains, creators to follow and challenges."""
    q = (request.GET.get("q") or "").strip()
    kind = request.GET.get("type") if request.GET.get("type") in ("posts", "people", "tags") else "posts"
    context = {"q": q, "type": kind, "results": [], "next": None, "error": "",
               "types": [("posts", gettext("Clips")), ("people", gettext("People")), ("tags", gettext("Tags"))]}
    status = 200
    if q:
        status, page = api_data(apis.SearchApi, request, query={"q": q, "type": kind, "page_size": GRID_PAGE,
                                                                 "cursor": request.GET.get("cursor")})
        if status == 200:
            context.update(results=page["results"], next=page["next"], related=page.get("related") or [])
        else:
            context["error"] = page.get("detail", "")
    else:  # no query yet: what is moving this week
        _, context["explore"] = api_data(apis.ExploreApi, request)
    return render(request, "feed/search.html", context, status=status)
