"""Thin DRF views for generation: jobs, provenance checks, and the cameo ledger's uses."""

from .cameo_uses import CameoUseDetailApi, CameoUsesApi, UseOutputSerializer
from .jobs import JobCancelApi, JobDetailApi, JobListCreateApi, JobOutputSerializer, JobPublishApi
from .provenance import ProvenanceCheckApi, ProvenanceReportSerializer, ProvenanceVerifyApi

__all__ = [
    "CameoUseDetailApi",
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
]
