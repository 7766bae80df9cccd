from django.urls import path

from . import apis

urlpatterns = [
    path("generations", apis.JobListCreateApi.as_view(), name="api-generations"),
    path("generations/<int:job_id>", apis.JobDetailApi.as_view(), name="api-generation"),
    path("generations/<int:job_id>/cancel", apis.JobCancelApi.as_view(), name="api-generation-cancel"),
    path("generations/<int:job_id>/publish", apis.JobPublishApi.as_view(), name="api-generation-publish"),
    # The ledger of a cameo's uses, under the cameo's path (generation/apis/cameo_uses.py says why it is here).
    path("cameos/<int:cameo_id>/uses", apis.CameoUsesApi.as_view(), name="api-cameo-uses"),
    path("cameos/<int:cameo_id>/uses/<int:use_id>", apis.CameoUseDetailApi.as_view(), name="api-cameo-use"),
    path("voices", apis.VoiceListApi.as_view(), name="api-voices"),
    path("voices/cast", apis.CastPreviewApi.as_view(), name="api-voices-cast"),
    path("provenance/verify", apis.ProvenanceVerifyApi.as_view(), name="api-provenance-verify"),
    path("provenance/checks/<int:check_id>", apis.ProvenanceCheckApi.as_view(), name="api-provenance-check"),
]
