from django.urls import path

from . import apis

urlpatterns = [
    path("feed", apis.FeedApi.as_view(), name="api-feed"),
    path("feed/preferences", apis.FeedPreferenceApi.as_view(), name="api-feed-preferences"),
    path("posts/<int:post_id>", apis.PostDetailApi.as_view(), name="api-post"),
    path("posts/<int:post_id>/like", apis.PostLikeApi.as_view(), name="api-post-like"),
    path("posts/<int:post_id>/comments", apis.PostCommentsApi.as_view(), name="api-post-comments"),
    path("posts/<int:post_id>/remixes", apis.PostRemixesApi.as_view(), name="api-post-remixes"),
    path("posts/<int:post_id>/lineage", apis.PostLineageApi.as_view(), name="api-post-lineage"),
    path("posts/<int:post_id>/view", apis.PostViewApi.as_view(), name="api-post-view"),
    path("posts/<int:post_id>/report", apis.PostReportApi.as_view(), name="api-post-report"),
    path("users/<str:username>/posts", apis.UserPostsApi.as_view(), name="api-user-posts"),
    path("notifications", apis.NotificationsApi.as_view(), name="api-notifications"),
    path("notifications/read", apis.NotificationsReadApi.as_view(), name="api-notifications-read"),
]
