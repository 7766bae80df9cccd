from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.services.credentials import MemberPasswordResetForm

from .views import account, accounts, app, cameos, feed, generation, moderation

urlpatterns = [
    path("manifest.webmanifest", app.manifest, name="web-manifest"),
    path("sw.js", app.service_worker, name="service-worker"),
    path("offline/", app.offline_page, name="offline"),
    path("signup/", accounts.signup_page, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(
        form_class=MemberPasswordResetForm, email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt"), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        form_class=account.ResetSetPasswordForm), name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("account/", account.account_page, name="account-page"),
    path("account/delete/", account.account_delete, name="account-delete"),
    path("account/restore/", account.account_restore_page, name="account-restore"),
    path("language/", accounts.language_set, name="language-set"),
    path("jsi18n/<str:language>/", accounts.LanguageCatalog.as_view(), name="javascript-catalog"),
    path("notifications/", accounts.notifications_page, name="notifications-page"),
    path("", feed.feed_page, name="feed-page"),
    path("posts/<int:post_id>/", feed.post_page, name="post-page"),
    path("posts/<int:post_id>/embed/", feed.post_embed, name="post-embed"),
    path("u/<str:username>/", feed.profile_page, name="profile-page"),
    path("tags/<str:name>/", feed.tag_page, name="tag-page"),
    path("search/", feed.search_page, name="search-page"),
    path("explore/", feed.search_page, name="explore-page"),
    path("create/", generation.create_page, name="create-page"),
    path("drafts/", generation.drafts_page, name="drafts-page"),
    path("drafts/<int:job_id>/", generation.draft_page, name="draft-page"),
    path("provenance/", generation.provenance_page, name="provenance-page"),
    path("cameos/", cameos.cameo_list_page, name="cameos-page"),
    path("cameos/<int:cameo_id>/", cameos.cameo_page, name="cameo-page"),
    path("cameos/<int:cameo_id>/action", cameos.cameo_action, name="cameo-action"),
    path("moderation/", moderation.moderation_page, name="moderation-page"),
    path("moderation/mine/", moderation.my_moderation_page, name="my-moderation-page"),
]
