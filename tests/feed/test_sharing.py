"""A public clip taken elsewhere: its page unfurls (Open Graph, Twitter card, oEmbed, canonical) with media URLs a
crawler without cookies can fetch; the download is the published file byte for byte; a private or
followers-only clip exposes nothing."""

from __future__ import annotations

import re
from html import unescape
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from rest_framework.test import APIClient

from accounts.services import follow_create
from feed.services import post_create

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


def _post(author, *, visibility="public", caption="a red ball #beach"):
    video = default_storage.save(f"drafts/{author.pk}/1/1/clip.mp4", ContentFile(MP4))
    poster = default_storage.save(f"drafts/{author.pk}/1/1/poster.jpg", ContentFile(b"\xff\xd8\xff\xe0poster"))
    return post_create(author=author, video=video, poster=poster, caption=caption, prompt="SECRET prompt",
                       prompt_public=False, visibility=visibility, duration_s=2, width=480, height=852)


def _meta(html: str) -> dict[str, str]:
    found = {}
    for attr, name, content in re.findall(r'<meta (property|name)="([^"]+)" content="([^"]*)"', html):
        found.setdefault(name, unescape(content))
    for rel, href in re.findall(r'<link rel="(canonical|alternate)"[^>]* href="([^"]+)"', html):
        found[rel] = unescape(href)
    return found


class _Fetched:
    def __init__(self, status_code: int, body: bytes, headers: dict):
        self.status_code, self.body, self.headers = status_code, body, headers


def _fetch(url: str) -> _Fetched:
    """What a crawler on another site gets, with no cookies: our own pages and files through the test client (the
    site's address stands for this server), an S3 presigned URL from the S3 server itself."""
    if url.startswith(settings.SITE_URL):
        response = Client().get(url[len(settings.SITE_URL):])
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return _Fetched(response.status_code, body, dict(response.headers))
    with urlopen(url, timeout=10) as response:
        return _Fetched(response.status, response.read(), dict(response.headers))


def test_a_public_clip_unfurls_with_media_a_crawler_can_fetch(make_user):
    ana = make_user("ana", display_name="Ana")
    post = _post(ana)
    page = Client().get(f"/posts/{post.pk}/")
    assert page.status_code == 200
    meta = _meta(page.content.decode())
    assert meta["canonical"] == meta["og:url"] == f"{settings.SITE_URL}/posts/{post.pk}/"
    assert meta["og:title"] == "Clip by @ana" and meta["og:description"] == "a red ball #beach"
    assert meta["og:type"] == "video.other" and meta["twitter:card"] == "player" and meta["author"] == "Ana"
    assert "SECRET" not in page.content.decode()  # a private prompt stays private
    video = _fetch(meta["og:video"])
    assert video.status_code == 200 and video.body == MP4
    assert _fetch(meta["og:image"]).status_code == 200
    embed = _fetch(meta["twitter:player"])
    assert embed.status_code == 200 and "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]

    oembed = APIClient().get("/api/oembed", {"url": meta["canonical"], "maxwidth": 240}).json()
    assert (oembed["type"], oembed["version"], oembed["author_name"], oembed["provider_name"]) == ("video", "1.0", "Ana", "Riff")
    assert (oembed["width"], oembed["height"]) == (240, 426) and meta["twitter:player"] in oembed["html"]
    full = APIClient().get(meta["alternate"][len(settings.SITE_URL):]).json()
    assert (full["width"], full["height"]) == (480, 852) and full["title"] == oembed["title"]


def test_private_and_followers_only_clips_expose_nothing(make_user):
    ana, bob = make_user("ana"), make_user("bob")
    private = _post(ana, visibility="private", caption="SECRET-CAPTION")
    followers = _post(ana, visibility="followers", caption="SECRET-FOLLOWERS")
    for post in (private, followers):
        page = Client().get(f"/posts/{post.pk}/")
        assert page.status_code == 404 and b"SECRET" not in page.content
        assert Client().get(f"/posts/{post.pk}/embed/").status_code == 404
        oembed = APIClient().get("/api/oembed", {"url": f"http://testserver/posts/{post.pk}/"})
        assert oembed.status_code == 404 and b"SECRET" not in oembed.content
    follow_create(follower=bob, followee=ana)
    browser = Client()
    browser.force_login(bob)
    seen = browser.get(f"/posts/{followers.pk}/")
    assert seen.status_code == 200 and b"og:video" not in seen.content and b'name="robots" content="noindex"' in seen.content


def test_download_is_the_published_file_with_a_name_and_only_for_public_clips(make_user, client_for):
    ana, bob = make_user("ana"), make_user("bob")
    public, private = _post(ana), _post(ana, visibility="private")
    got = APIClient().get(f"/api/posts/{public.pk}/download")
    assert got.status_code == 200 and got["Content-Type"] == "video/mp4"
    assert got["Content-Disposition"] == f'attachment; filename="riff-ana-{public.pk}.mp4"'
    assert b"".join(got.streaming_content) == MP4
    assert client_for(bob).get(f"/api/posts/{private.pk}/download").status_code == 404
    mine = client_for(ana).get(f"/api/posts/{private.pk}/download")
    assert mine.status_code == 200 and b"".join(mine.streaming_content) == MP4


def test_bad_oembed_requests_are_4xx_with_a_message(make_user):
    post = _post(make_user("ana"))
    for query in ({}, {"url": "https://elsewhere.example/watch?v=1"}, {"url": "/posts/999999/"},
                  {"url": f"/posts/{post.pk}/", "format": "xml"}, {"url": f"/posts/{post.pk}/", "maxwidth": "wide"},
                  {"url": "'; DROP TABLE feed_post; --"}):
        response = APIClient().get("/api/oembed", query)
        assert 400 <= response.status_code < 500 and response.json()["detail"], (query, response.status_code)
