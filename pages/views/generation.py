"""Pages for making clips: the composer (which follows a generation live and previews the draft), the drafts and
the provenance check. static/js/composer.js and static/js/drafts.js do the rest against the JSON API and the
websocket."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from cameos.apis import CameoListCreateApi
from feed.apis import PostDetailApi
from generation import apis
from generation.models import GenerationJob

from ..api_data import api_data

DURATIONS = (2, 4, 6, 8, 10, 15, 20)
DEFAULT_DURATION = 4
ASPECTS = (("9:16", gettext_lazy("Portrait 9:16")), ("16:9", gettext_lazy("Landscape 16:9")),
           ("1:1", gettext_lazy("Square 1:1")))
DRAFTS_PAGE = 20
# A draft list shows what is private and still the person's to decide: clips being made, drafts waiting to be
# published or deleted, and failures with their reason. Published and discarded drafts live elsewhere or nowhere.
DRAFT_LIST_HIDES = {GenerationJob.Draft.PUBLISHED, GenerationJob.Draft.DISCARDED}


def _cameos(request) -> tuple[list[dict], list[dict]]:
    """(the cameos this member may use now, their own person cameos waiting to be verified)."""
    status, page = api_data(CameoListCreateApi, request, query={"page_size": 50})
    if status != 200:
        return [], []
    results = page["results"]
    to_verify = [
        cameo
        for cameo in results
        if cameo["is_owner"] and cameo["kind"] == "person" and not cameo["verified"]
        and cameo["reference_check"]["state"] == "ready"
    ]
    return [cameo for cameo in results if cameo.get("can_use")], to_verify


def _composer(request, *, job_id: int | None):
    job, job_error = None, ""
    if job_id is not None:
        status, data = api_data(apis.JobDetailApi, request, job_id=job_id)
        if status == 200:
            job = data
        else:
            job_error = data.get("detail", "This generation could not be loaded.")
    remix, remix_error = None, ""
    raw_remix = request.GET.get("remix_of") or (job and job.get("remix_of"))
    if raw_remix:
        try:
            remix_id = int(raw_remix)
        except (TypeError, ValueError):
            remix_error = "The clip to remix is not a valid clip id."
        else:
            status, data = api_data(PostDetailApi, request, post_id=remix_id)
            if status == 200:
                remix = data
            else:
                remix_error = "The clip to remix does not exist or you cannot see it."
    extend, extend_error = None, ""
    raw_extend = request.GET.get("extend_of") or (job and job.get("extend_of"))
    if raw_extend and not remix:
        status, data = api_data(apis.JobDetailApi, request, job_id=int(raw_extend)) if str(raw_extend).isdigit() \
            else (404, {})
        if status == 200 and data["status"] == "succeeded":
            extend = data
        else:
            extend_error = "The draft to extend does not exist, is not yours, or is not finished."
    extending_post = bool(remix) and request.GET.get("kind") == "extend"
    usable, to_verify = _cameos(request)
    return render(
        request,
        "generation/create.html",
        {
            "job": job,
            "error": job_error or remix_error or extend_error,
            "remix": remix,
            "extend": extend,
            "extending_post": extending_post,
            "cameos": usable,
            "cameos_to_verify": to_verify,
            "durations": DURATIONS,
            "duration": int(job["duration_s"]) if job else DEFAULT_DURATION,
            "aspects": ASPECTS,
            "aspect": job["aspect"] if job else "9:16",
            "storyboard_limit": f"{settings.GENERATION_MAX_STORYBOARD_S:g}",
            "max_shots": settings.GENERATION_MAX_SHOTS,
        },
        status=404 if job_error else 200,
    )


@login_required
def create_page(request):
    raw = request.GET.get("job")
    return _composer(request, job_id=int(raw) if raw and raw.isdigit() else None)


@login_required
def draft_page(request, job_id: int):
    return _composer(request, job_id=job_id)


@login_required
def drafts_page(request):
    _, page = api_data(apis.JobListCreateApi, request, query={"page_size": DRAFTS_PAGE, "cursor": request.GET.get("cursor")})
    jobs = [job for job in page.get("results", []) if job["draft"] not in DRAFT_LIST_HIDES and job["status"] != "cancelled"]
    return render(
        request,
        "generation/drafts.html",
        {"jobs": jobs, "next": page.get("next"), "error": page.get("detail", "") if "results" not in page else ""},
    )


def provenance_page(request):
    """Check a clip: open to everyone, like POST /api/provenance/verify; static/js/provenance.js uploads the file
    and shows the report."""
    return render(request, "generation/provenance.html", {"max_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)})
