from django.urls import path

from . import apis

urlpatterns = [
    path("cameos", apis.CameoListCreateApi.as_view(), name="api-cameos"),
    path("cameos/<int:cameo_id>", apis.CameoDetailApi.as_view(), name="api-cameo"),
    path("cameos/<int:cameo_id>/challenge", apis.CameoChallengeApi.as_view(), name="api-cameo-challenge"),
    path("cameos/<int:cameo_id>/verify", apis.CameoVerifyApi.as_view(), name="api-cameo-verify"),
    path("cameos/<int:cameo_id>/voice", apis.CameoVoiceApi.as_view(), name="api-cameo-voice"),
    path("cameos/<int:cameo_id>/requests", apis.CameoRequestsApi.as_view(), name="api-cameo-requests"),
    path(
        "cameos/<int:cameo_id>/requests/<str:username>", apis.CameoRequestDetailApi.as_view(), name="api-cameo-request"
    ),
    path("cameos/<int:cameo_id>/approvals", apis.CameoApprovalsApi.as_view(), name="api-cameo-approvals"),
    path(
        "cameos/<int:cameo_id>/approvals/<str:username>",
        apis.CameoApprovalDetailApi.as_view(),
        name="api-cameo-approval",
    ),
]
