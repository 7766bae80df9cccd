"""The installable web app: its manifest, the service worker (served from the site's root so it may control every
page) and the page it shows when there is no network."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# What the service worker keeps so that the app opens without a network: the offline page and the static files
# every page loads. Never API answers or media (private clips, drafts, cameo references).
APP_SHELL = ["css/riff.css", "js/app.js", "js/live.js", "js/api.js", "js/badge.js", "js/dom.js", "js/sw.js",
             "img/riff.svg", "img/icon-192.png"]


@lru_cache(maxsize=1)
def shell_version() -> str:
    """Changes whenever a file of the shell changes, so a new service worker replaces the old cache."""
    digest = hashlib.sha256(settings.VERSION.encode())
    for name in APP_SHELL:
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request):
    data = {
        "name": "Riff",
        "short_name": "Riff",
        "description": _("Make short clips with sound, remix them, and appear in them only with your consent."),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#0d0d10",
        "theme_color": "#0d0d10",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/icon-512-maskable.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
            {"src": static("img/riff.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@require_GET
def service_worker(request):
    response = render(request, "app/sw.js", {
        "version": shell_version(),
        "shell": [static(name) for name in APP_SHELL],
        "offline_url": "/offline/",
        "static_prefix": settings.STATIC_URL,
    }, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"  # browsers check for a new worker on every visit
    return response


@require_GET
def offline_page(request):
    return render(request, "app/offline.html")


