"""Continuing a clip from the composer in Chromium: a finished draft offers "Continue it", the composer asks what
happens next, and the new clip extends the draft; a post offers "Continue" the same way."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from generation.models import GenerationJob
from tests.browser.conftest import log_in
from tests.support import wait_for_job

PHONE = {"width": 375, "height": 780}


def _generate(page) -> GenerationJob:
    page.get_by_label("Duration").select_option("2")
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/create/\?job=\d+$"))
    job = wait_for_job(int(page.url.rsplit("=", 1)[1]))
    assert job.status == GenerationJob.Status.SUCCEEDED, job.errors
    return job


def test_a_draft_is_continued_from_the_composer(live_web, start_worker, page, make_user):
    make_user("ana")
    url = live_web.url
    page.set_viewport_size(PHONE)
    log_in(page, url, "ana")
    start_worker()
    page.goto(url + "/create/")
    page.get_by_label("Prompt", exact=True).fill("a green ball rolling across a kitchen")
    draft = _generate(page)

    continue_link = page.get_by_role("link", name="Continue it")
    expect(continue_link).to_be_visible()
    continue_link.click()
    expect(page.get_by_role("heading", name="Continue a clip")).to_be_visible()
    expect(page.locator("#extend-source")).to_contain_text("Continues your draft")
    page.get_by_label("What happens next?").fill("then it rolls under the table")
    extension = _generate(page)
    assert extension.kind == "extend" and extension.extends_id == draft.pk

