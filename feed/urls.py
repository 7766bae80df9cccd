from django.urls import path

from . import apis, moderation_apis

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
    path("reports", moderation_apis.MyReportsApi.as_view(), name="api-my-reports"),
    path("me/moderation", moderation_apis.MyModerationApi.as_view(), name="api-my-moderation"),
    path("moderation/queue", moderation_apis.ModerationQueueApi.as_view(), name="api-moderation-queue"),
    path("moderation/actions", moderation_apis.ModerationActionsApi.as_view(), name="api-moderation-actions"),
    path("moderation/actions/<int:action_id>/appeal", moderation_apis.AppealCreateApi.as_view(), name="api-moderation-appeal"),
    path("moderation/appeals", moderation_apis.AppealsApi.as_view(), name="api-moderation-appeals"),
    path(
        "moderation/appeals/<int:appeal_id>/decision",
        moderation_apis.AppealDecisionApi.as_view(),
        name="api-moderation-appeal-decision",
    ),
    path("moderation/refusals", moderation_apis.RefusalsApi.as_view(), name="api-moderation-refusals"),
]
