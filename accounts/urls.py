from django.urls import path

from . import apis

urlpatterns = [
    path("auth/signup", apis.SignupApi.as_view(), name="api-signup"),
    path("auth/token", apis.TokenApi.as_view(), name="api-token"),
    path("auth/password-reset", apis.PasswordResetApi.as_view(), name="api-password-reset"),
    path("me/password", apis.PasswordChangeApi.as_view(), name="api-me-password"),
    path("me/credentials", apis.CredentialsApi.as_view(), name="api-me-credentials"),
    path("me/sessions/<int:session_id>", apis.SessionApi.as_view(), name="api-me-session"),
    path("me/tokens", apis.TokensApi.as_view(), name="api-me-tokens"),
    path("me/tokens/<int:token_id>", apis.TokenApiDetail.as_view(), name="api-me-token"),
    path("me/guardian", apis.MyGuardianApi.as_view(), name="api-me-guardian"),
    path("teens/<str:username>/guardian", apis.TeenGuardianApi.as_view(), name="api-teen-guardian"),
    path("teens/<str:username>/limits", apis.TeenLimitsApi.as_view(), name="api-teen-limits"),
    path("users/<str:username>/follow", apis.FollowApi.as_view(), name="api-user-follow"),
    path("users/<str:username>/block", apis.BlockApi.as_view(), name="api-user-block"),
    path("notifications", apis.NotificationsApi.as_view(), name="api-notifications"),
    path("notifications/read", apis.NotificationsReadApi.as_view(), name="api-notifications-read"),
]
