"""The storyboard editor in Chromium on a phone: three shots built with the keyboard and the buttons (add, fill,
reorder, remove), a running total against the limit, live progress shot by shot, and the draft plays with its
sound. Drafts can be stitched from the drafts page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from generation.models import GenerationJob
from tests.browser.conftest import log_in
from tests.support import wait_for_job

PHONE = {"width": 375, "height": 780}
GENERATION_TIMEOUT = 120_000
# Records every shot state the job box shows, so the test can tell each shot was shown being made.
WATCH_SHOTS = """
window.__shotStates = [];
new MutationObserver(() => {
  for (const li of document.querySelectorAll('#job-shots li')) window.__shotStates.push(li.textContent);
}).observe(document.getElementById('job-shots'), {subtree: true, childList: true, characterData: true});
"""


def _shot(page, n: int):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=f"Shot {n}", exact=True))


def test_a_three_shot_storyboard_is_built_made_and_played(live_web, start_worker, page, make_user):
    make_user("ana")
    url = live_web.url
    page.set_viewport_size(PHONE)
    log_in(page, url, "ana")
    start_worker()
    page.goto(url + "/create/")

    page.get_by_label("Storyboard").check()
    expect(page.get_by_label("Prompt", exact=True)).to_be_hidden()
    expect(page.locator("#shots-total")).to_have_text("1 shot · 4 s of 60 s")
    page.get_by_label("What happens").fill('a red ball bounces in a kitchen, the girl says "look at it go"')
    page.get_by_label("Seconds").fill("2")

    page.get_by_role("button", name="Add a shot").click()
    expect(_shot(page, 2).get_by_label("What happens")).to_be_focused()  # the keyboard follows the new shot
    page.keyboard.type("at night")
    _shot(page, 2).get_by_label("Seconds").fill("1")
    _shot(page, 2).get_by_label("Begins with").select_option("dissolve")

    page.get_by_role("button", name="Add a shot").click()
    page.keyboard.type("the ball rolls under the table")
    _shot(page, 3).get_by_label("Seconds").fill("1")
    _shot(page, 3).get_by_label("Framing").select_option("close_up")
    expect(page.locator("#shots-total")).to_have_text("3 shots · 4 s of 60 s")
    page.screenshot(path="/tmp/storyboard-editor.png", full_page=True)

    # Move shot 3 up with the keyboard: it becomes shot 2 and keeps the focus on its button.
    move_up = page.get_by_role("button", name="Move shot 3 up")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(_shot(page, 2).get_by_label("What happens")).to_have_value("the ball rolls under the table")
    expect(page.get_by_role("button", name="Move shot 2 up")).to_be_focused()
    # Too long: the total says so and Generate explains instead of sending.
    _shot(page, 2).get_by_label("Seconds").fill("59")
    expect(page.locator("#shots-total")).to_have_class(re.compile("over"))
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#alert")).to_contain_text("at most 60 seconds")
    _shot(page, 2).get_by_label("Seconds").fill("1")
    # A fourth shot added and removed again.
    page.get_by_role("button", name="Add a shot").click()
    page.get_by_role("button", name="Remove shot 4").click()
    expect(page.locator("#shots > li")).to_have_count(3)

    page.evaluate("window.__samePage = true")
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/create/\?job=\d+$"))
    page.evaluate(WATCH_SHOTS)
    expect(page.locator("#job-shots li")).to_have_count(3)
    expect(page.locator("#job-percent")).to_have_text("100 %", timeout=GENERATION_TIMEOUT)
    expect(page.locator("#job-shots li").nth(2)).to_contain_text("done")
    assert page.evaluate("window.__samePage") is True

    job = wait_for_job(int(page.url.rsplit("=", 1)[1]))
    assert job.status == GenerationJob.Status.SUCCEEDED, job.errors
    assert job.kind == "storyboard"
    assert [(s["prompt"][:10], s["duration_s"], s["framing"], s["transition"]) for s in job.shots] == [
        ("a red ball", 2.0, "wide", "cut"), ("the ball r", 1.0, "close_up", "cut"), ("at night", 1.0, "wide", "dissolve")]
    states = page.evaluate("window.__shotStates")
    assert any("making" in s for s in states), states  # shown live while the shots were made

    video = page.locator("#draft-video")
    expect(video).to_be_visible()
    page.evaluate("document.getElementById('draft-video').play()")
    page.wait_for_function(
        "() => { const v = document.getElementById('draft-video'); return v.currentTime > 0.3 && v.webkitAudioDecodedByteCount > 0; }",
        timeout=20_000,
    )


def test_two_drafts_are_stitched_from_the_drafts_page(live_web, start_worker, page, make_user, client_for):
    ana = make_user("ana")
    client = client_for(ana)
    start_worker()
    ids = []
    for prompt in ("a red ball in a kitchen", "a blue ball in a park"):
        ids.append(client.post("/api/generations", {"prompt": prompt, "duration_s": 1}, format="json").json()["id"])
    for job_id in ids:
        assert wait_for_job(job_id).status == GenerationJob.Status.SUCCEEDED
    url = live_web.url
    page.set_viewport_size(PHONE)
    log_in(page, url, "ana")
    page.goto(url + "/drafts/")
    stitch = page.get_by_role("button", name="Stitch", exact=True)
    expect(stitch).to_be_disabled()
    # Picked in play order: the older draft (listed second) first.
    page.locator(f'li[data-job="{ids[0]}"]').get_by_label(re.compile("Stitch")).check()
    page.locator(f'li[data-job="{ids[1]}"]').get_by_label(re.compile("Stitch")).check()
    expect(page.locator("#stitch-count")).to_contain_text("2 drafts picked")
    page.get_by_label("Between clips").select_option("dissolve")
    stitch.click()
    expect(page).to_have_url(re.compile(r"/create/\?job=\d+$"))
    job = wait_for_job(int(page.url.rsplit("=", 1)[1]))
    assert job.status == GenerationJob.Status.SUCCEEDED, job.errors
    assert job.kind == "stitch" and [p["source"] for p in job.shots] == ids
    assert [p["transition"] for p in job.shots] == ["cut", "dissolve"]
    expect(page.locator("#draft-video")).to_be_visible(timeout=GENERATION_TIMEOUT)
