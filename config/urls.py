from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.media import serve_media
from config.views import HealthApi

api_patterns = [
    path("health", HealthApi.as_view(), name="api-health"),
    path("", include("accounts.urls")),
    path("", include("generation.urls")),
    path("", include("feed.urls")),
    path("", include("cameos.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("media/<path:name>", serve_media, name="media"),
    path("", include("accounts.web_urls")),
    path("", include("feed.web_urls")),
    path("", include("generation.web_urls")),
    path("", include("cameos.web_urls")),
]

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
