from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.views import HealthApi
from core.media import serve_media

api_patterns = [
    path("health", HealthApi.as_view(), name="api-health"),
    path("", include("privacy.urls")),  # first: its /api/me adds DELETE to the feed's profile view
    path("", include("accounts.urls")),
    path("", include("generation.urls")),
    path("", include("feed.urls")),
    path("", include("cameos.urls")),
    path("", include("moderation.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("media/<path:name>", serve_media, name="media"),
    path("", include("pages.urls")),
]

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
