"""The composer, drafts and provenance pages: what the server renders before the scripts take over."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from generation.models import GenerationJob

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _job_data(html: str):
    return json.loads(re.search(r'<script id="job-data" type="application/json">(.*?)</script>', html, re.S).group(1))


def test_the_composer_for_a_new_clip_and_for_a_remix(make_user):
    from feed.services import post_create

    ana, ben = make_user("ana"), make_user("ben")
    html = _as(ana).get("/create/").content.decode()
    assert _job_data(html) is None
    assert 'id="compose-form"' in html and '<option value="4" selected>4 seconds</option>' in html
    assert "No cameos you can use yet." in html
    post = post_create(author=ben, video="clips/x.mp4", poster="clips/x.jpg", prompt="a cat in a kitchen")
    remix = _as(ana).get(f"/create/?remix_of={post.pk}").content.decode()
    assert f'name="remix_of" value="{post.pk}"' in remix and "Remix of" in remix and "@ben" in remix
    assert "What should change?" in remix
    missing = _as(ana).get("/create/?remix_of=999999").content.decode()
    assert 'role="alert">The clip to remix does not exist or you cannot see it.' in missing


def test_a_job_page_shows_its_true_state_to_its_owner_only(make_user):
    from generation.services import job_create

    ana, ben = make_user("ana"), make_user("ben")
    job, _ = job_create(user=ana, prompt="a blue ball falling in the snow", duration_s=2)
    for url in (f"/create/?job={job.pk}", f"/drafts/{job.pk}/"):
        html = _as(ana).get(url).content.decode()
        data = _job_data(html)
        assert (data["id"], data["status"], data["prompt"]) == (job.pk, "queued", "a blue ball falling in the snow")
        assert 'id="compose" aria-labelledby="compose-title" hidden' in html
        assert '<span id="job-percent" class="percent">0 %</span>' in html
    GenerationJob.objects.filter(pk=job.pk).update(status="running", progress=0.42)
    assert '<span id="job-percent" class="percent">42 %</span>' in _as(ana).get(f"/drafts/{job.pk}/").content.decode()
    response = _as(ben).get(f"/drafts/{job.pk}/")
    assert response.status_code == 404 and "There is no such generation." in response.content.decode()


def test_the_drafts_page_lists_private_clips_only(make_user):
    from generation.services import job_create

    ana = make_user("ana")
    waiting, _ = job_create(user=ana, prompt="waiting clip", duration_s=2)
    ready, _ = job_create(user=ana, prompt="ready clip", duration_s=2)
    published, _ = job_create(user=ana, prompt="published clip", duration_s=2, enforce_limits=False)
    cancelled, _ = job_create(user=ana, prompt="cancelled clip", duration_s=2, enforce_limits=False)
    GenerationJob.objects.filter(pk=ready.pk).update(status="succeeded", draft="ready", video="d/1.mp4", poster="d/1.jpg", progress=1)
    GenerationJob.objects.filter(pk=published.pk).update(status="succeeded", draft="published", video="d/2.mp4")
    GenerationJob.objects.filter(pk=cancelled.pk).update(status="cancelled")
    html = _as(ana).get("/drafts/").content.decode()
    assert "waiting clip" in html and "Waiting in line…" in html
    assert "ready clip" in html and "Ready · 2 s · 9:16" in html and 'data-action="publish"' in html
    assert "published clip" not in html and "cancelled clip" not in html
    assert Client().get("/drafts/").status_code == 302


def test_the_provenance_page_is_open_to_everyone():
    html = Client().get("/provenance/").content.decode()
    assert '<label for="provenance-file">Video file</label>' in html and "js/provenance.js" in html
