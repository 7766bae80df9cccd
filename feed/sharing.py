"""Sharing a public clip outside Riff: what a link unfurls to (Open Graph and Twitter card tags, oEmbed, the
canonical address) and the download of the published file itself.

Only public, published posts expose anything: a private or followers-only post's page, embed and oEmbed answer as
if it did not exist. Media URLs in the tags are signed for SHARE_MEDIA_URL_TTL_S (crawlers fetch them later than a
reader would) and absolute (SITE_URL, for the embedded file storage whose signed URLs are paths).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext

from core.media import signed_url

from .models import Post


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def absolute(url: str) -> str:
    """A media URL as a crawler on another site can fetch it."""
    return site_url(url) if url.startswith("/") else url


def public_post(post_id: int) -> Post | None:
    """The post if anyone at all may see it (published and public), else None."""
    return (
        Post.objects.filter(pk=post_id, state=Post.State.PUBLISHED, visibility=Post.Visibility.PUBLIC, author__is_active=True)
        .select_related("author")
        .defer("embedding")
        .first()
    )


@dataclass(frozen=True)
class ShareCard:
    url: str  # canonical
    title: str
    description: str
    author: str
    author_url: str
    video_url: str
    poster_url: str
    embed_url: str
    oembed_url: str
    width: int
    height: int
    duration_s: float


def share_card(post: Post) -> ShareCard:
    ttl = settings.SHARE_MEDIA_URL_TTL_S
    path = reverse("post-page", kwargs={"post_id": post.pk})
    description = post.caption or (post.prompt if post.prompt_public else "")
    url = site_url(path)
    return ShareCard(
        url=url,
        title=gettext("Clip by @{handle}").format(handle=post.author.username),
        description=Truncator(description or gettext("A clip made with Riff.")).chars(200),
        author=post.author.display_name or post.author.username,
        author_url=site_url(reverse("profile-page", kwargs={"username": post.author.username})),
        video_url=absolute(signed_url(post.video, ttl=ttl)),
        poster_url=absolute(signed_url(post.poster, ttl=ttl)) if post.poster else "",
        embed_url=site_url(reverse("post-embed", kwargs={"post_id": post.pk})),
        oembed_url=site_url(reverse("api-oembed")) + f"?url={url}&format=json",
        width=post.width or 720,
        height=post.height or 1280,
        duration_s=post.duration_s,
    )


def post_id_from_url(url: str) -> int | None:
    """The post a Riff clip address names (``…/posts/12/``), whatever host it was written with."""
    try:
        match = resolve(urlparse(url or "").path or "/")
    except Resolver404:
        return None
    if match.url_name not in ("post-page", "post-embed"):
        return None
    return int(match.kwargs["post_id"])


def oembed(post: Post, *, maxwidth: int | None = None, maxheight: int | None = None) -> dict:
    """oEmbed 1.0 (type ``video``): an iframe of the clip's embed page, fitted inside maxwidth × maxheight."""
    card = share_card(post)
    width, height = card.width, card.height
    scale = min(1.0, (maxwidth or width) / width, (maxheight or height) / height)
    width, height = max(1, round(width * scale)), max(1, round(height * scale))
    return {
        "version": "1.0",
        "type": "video",
        "provider_name": "Riff",
        "provider_url": site_url("/"),
        "title": card.title,
        "author_name": card.author,
        "author_url": card.author_url,
        "thumbnail_url": card.poster_url,
        "thumbnail_width": card.width,
        "thumbnail_height": card.height,
        "width": width,
        "height": height,
        "html": (
            f'<iframe src="{card.embed_url}" width="{width}" height="{height}" frameborder="0" '
            f'allow="autoplay; fullscreen" allowfullscreen title="{card.title}"></iframe>'
        ),
    }


def download_name(post: Post) -> str:
    return f"riff-{post.author.username}-{post.pk}.mp4"
