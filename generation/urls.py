from django.urls import path

from . import apis

urlpatterns = [
    path("generations", apis.JobListCreateApi.as_view(), name="api-generations"),
    path("generations/<int:job_id>", apis.JobDetailApi.as_view(), name="api-generation"),
    path("generations/<int:job_id>/cancel", apis.JobCancelApi.as_view(), name="api-generation-cancel"),
    path("generations/<int:job_id>/publish", apis.JobPublishApi.as_view(), name="api-generation-publish"),
    path("provenance/verify", apis.ProvenanceVerifyApi.as_view(), name="api-provenance-verify"),
    path("provenance/checks/<int:check_id>", apis.ProvenanceCheckApi.as_view(), name="api-provenance-check"),
]
