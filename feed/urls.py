from django.urls import path

from . import apis

urlpatterns = [
    path("posts/<int:post_id>", apis.PostDetailApi.as_view(), name="api-post"),
]
