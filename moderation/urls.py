from django.urls import path

from . import apis

urlpatterns = [
    path("reports", apis.MyReportsApi.as_view(), name="api-my-reports"),
    path("me/moderation", apis.MyModerationApi.as_view(), name="api-my-moderation"),
    path("moderation/queue", apis.ModerationQueueApi.as_view(), name="api-moderation-queue"),
    path("moderation/actions", apis.ModerationActionsApi.as_view(), name="api-moderation-actions"),
    path("moderation/actions/<int:action_id>/appeal", apis.AppealCreateApi.as_view(), name="api-moderation-appeal"),
    path("moderation/appeals", apis.AppealsApi.as_view(), name="api-moderation-appeals"),
    path(
        "moderation/appeals/<int:appeal_id>/decision",
        apis.AppealDecisionApi.as_view(),
        name="api-moderation-appeal-decision",
    ),
    path("moderation/refusals", apis.RefusalsApi.as_view(), name="api-moderation-refusals"),
]
