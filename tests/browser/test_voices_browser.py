"""The composer's voices in Chromium: the speakers of the prompt's quoted lines appear with the voice each is
cast to, the author changes one with the keyboard, and the clip is made with exactly that cast."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from generation.models import GenerationJob
from tests.browser.conftest import log_in
from tests.support import wait_for_job

PHONE = {"width": 375, "height": 780}


def test_the_author_sees_and_changes_who_speaks_with_which_voice(live_web, start_worker, page, make_user, shot):
    make_user("ana")
    url = live_web.url
    page.set_viewport_size(PHONE)
    log_in(page, url, "ana")
    page.goto(url + "/create/")
    expect(page.locator("#cast")).to_be_hidden()

    page.get_by_label("Prompt", exact=True).fill(
        'a red ball bounces, the coach shouts "again!" and a little girl whispers "regarde la balle"'
    )
    coach, girl = page.get_by_label("Coach"), page.get_by_label("Girl")
    expect(coach).to_be_visible()
    expect(girl).to_have_value("pip")  # a child's voice for a little girl
    expect(page.locator("#cast")).to_contain_text("“regarde la balle” (français)")
    shot(page, "composer-voices")

    coach.focus()
    coach.select_option("bruno")  # the keyboard reaches it; the choice is kept while the prompt changes
    page.get_by_label("Duration").select_option("2")
    start_worker()
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/create/\?job=\d+$"))
    job = wait_for_job(int(page.url.rsplit("=", 1)[1]))
    assert job.status == GenerationJob.Status.SUCCEEDED, job.errors
    assert job.voices == {"coach": "bruno", "girl": "pip"}
    assert job.scene_plan["cast"] == {"coach": "bruno", "girl": "pip"}
    assert [line["language"] for line in job.scene_plan["dialogue"]] == ["en", "fr"]


def test_a_line_in_another_script_is_explained(live_web, page, make_user):
    make_user("ana")
    log_in(page, live_web.url, "ana")
    page.goto(live_web.url + "/create/")
    page.get_by_label("Prompt", exact=True).fill('the cat says "こんにちは"')
    expect(page.locator("#cast-status")).to_contain_text("Riff speaks English and French")
