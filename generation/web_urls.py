from django.urls import path

from . import views

urlpatterns = [
    path("create/", views.create_page, name="create-page"),
    path("drafts/", views.drafts_page, name="drafts-page"),
    path("drafts/<int:job_id>/", views.draft_page, name="draft-page"),
    path("provenance/", views.provenance_page, name="provenance-page"),
]
