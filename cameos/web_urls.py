from django.urls import path

from . import views

urlpatterns = [
    path("cameos/", views.cameo_list_page, name="cameos-page"),
    path("cameos/<int:cameo_id>/", views.cameo_page, name="cameo-page"),
    path("cameos/<int:cameo_id>/action", views.cameo_action, name="cameo-action"),
]
