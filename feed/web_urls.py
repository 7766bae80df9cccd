from django.urls import path

from . import moderation_views, views

urlpatterns = [
    path("", views.feed_page, name="feed-page"),
    path("posts/<int:post_id>/", views.post_page, name="post-page"),
    path("u/<str:username>/", views.profile_page, name="profile-page"),
    path("notifications/", views.notifications_page, name="notifications-page"),
    path("moderation/", moderation_views.moderation_page, name="moderation-page"),
    path("moderation/mine/", moderation_views.my_moderation_page, name="my-moderation-page"),
]
