"""Thin DRF views for generation: jobs, provenance checks, the cameo ledger's uses, and the voice catalogue."""

from .cameo_uses import CameoUseDetailApi, CameoUsesApi, UseOutputSerializer
from .jobs import JobCancelApi, JobDetailApi, JobListCreateApi, JobOutputSerializer, JobPublishApi
from .provenance import ProvenanceCheckApi, ProvenanceReportSerializer, ProvenanceVerifyApi
from .voices import CastPreviewApi, VoiceListApi

__all__ = [
    "CameoUseDetailApi",
    "CastPreviewApi",
    "CameoUsesApi",
    "JobCancelApi",
    "JobDetailApi",
    "JobListCreateApi",
    "JobOutputSerializer",
    "JobPublishApi",
    "ProvenanceCheckApi",
    "ProvenanceReportSerializer",
    "ProvenanceVerifyApi",
    "UseOutputSerializer",
    "VoiceListApi",
]
