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
    path("posts/<int:post_id>/download", apis.PostDownloadApi.as_view(), name="api-post-download"),
    path("oembed", apis.OEmbedApi.as_view(), name="api-oembed"),
    path("tags/<str:name>", apis.TagApi.as_view(), name="api-tag"),
    path("search", apis.SearchApi.as_view(), name="api-search"),
    path("explore", apis.ExploreApi.as_view(), name="api-explore"),
    # /api/me itself is served by privacy.apis.MeApi: this view with DELETE (closing the account) added.
    path("me/avatar", apis.AvatarApi.as_view(), name="api-me-avatar"),
    path("users/<str:username>", apis.UserDetailApi.as_view(), name="api-user"),
    path("users/<str:username>/posts", apis.UserPostsApi.as_view(), name="api-user-posts"),
]
