"""The composer and the drafts with a real worker: a reload while a clip waits shows its true state and still
follows it live, cancel, readable errors from the API, and drafts that update live, publish and delete."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.browser.conftest import log_in

PHONE = {"width": 375, "height": 780}


def _start(page, url: str, prompt: str, *, seed: str = "") -> int:
    page.goto(url + "/create/")
    page.get_by_label("Prompt", exact=True).fill(prompt)
    page.get_by_label("Duration").select_option("2")
    if seed:
        page.get_by_text("Advanced").click()
        page.get_by_label("Seed").fill(seed)
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/create/\?job=\d+$"))
    return int(page.url.rsplit("=", 1)[1])


def test_reload_cancel_errors_and_drafts(live_web, start_worker, page, make_user, shot):
    make_user("ana")
    url = live_web.url
    page.set_viewport_size(PHONE)
    log_in(page, url, "ana")

    # no worker yet: the clip waits in line, and a reload shows exactly that
    first = _start(page, url, "a blue ball falling in the snow")
    expect(page.locator("#job-state")).to_have_text("Waiting in line…")
    page.reload()
    expect(page.locator("#job-state")).to_have_text("Waiting in line…")
    expect(page.locator("#job-prompt")).to_have_text("“a blue ball falling in the snow”")
    expect(page.locator("#job-percent")).to_have_text("0 %")
    shot(page, "composer-queued")

    # cancel: the form comes back with the same prompt, ready to try again
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#job-state")).to_have_text("Cancelled.")
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("a blue ball falling in the snow")

    # errors from the API are shown as the sentence the server wrote, in an alert
    page.get_by_text("Advanced").click()
    page.get_by_label("Seed").fill("-5")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#alert")).to_contain_text("The seed must be between 0 and")
    expect(page.get_by_role("alert")).to_be_visible()

    second = _start(page, url, "a yellow cube spinning in space", seed="7")
    third = _start(page, url, "two cats rolling on the floor of a cozy room")
    page.goto(url + "/create/")
    page.get_by_label("Prompt", exact=True).fill("one too many")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("alert")).to_contain_text("You already have 2 generations in progress")
    expect(page).to_have_url(url + "/create/")

    # the drafts page lists both waiting clips; a worker starts and they become drafts without a reload
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Drafts").click()
    item_2, item_3 = page.locator(f"li[data-job='{second}']"), page.locator(f"li[data-job='{third}']")
    expect(item_2).to_contain_text("Waiting in line…")
    expect(item_3).to_contain_text("Waiting in line…")
    expect(page.locator(f"li[data-job='{first}']")).to_have_count(0)  # cancelled: not a draft
    page.evaluate("window.__samePage = true")
    start_worker()
    expect(item_2).to_contain_text("Ready · 2 s · 9:16", timeout=120_000)
    expect(item_3).to_contain_text("Ready · 2 s · 9:16", timeout=120_000)
    assert page.evaluate("window.__samePage") is True
    expect(item_2.locator("img")).to_be_visible()
    shot(page, "drafts")

    # delete one (after confirming), publish the other
    page.once("dialog", lambda dialog: dialog.accept())
    item_3.get_by_role("button", name="Delete").click()
    expect(item_3).to_have_count(0)
    expect(page.locator("#toast")).to_have_text("Draft deleted")
    item_2.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/posts/\d+/$"))

    # the published draft's page says so and links to the clip; the deleted one says it was discarded
    post_url = page.url
    page.goto(f"{url}/drafts/{second}/")
    expect(page.locator("#job-state")).to_contain_text("Published.")
    expect(page.get_by_role("link", name="Open the clip")).to_have_attribute("href", post_url.replace(url, ""))
    page.goto(f"{url}/drafts/{third}/")
    expect(page.locator("#job-state")).to_have_text("This draft was discarded.")
    expect(page.locator("#draft")).to_be_hidden()
    page.goto(url + "/drafts/")
    expect(page.locator("#drafts-empty")).to_be_visible()


def test_discard_from_the_composer_and_a_reload_mid_generation(live_web, start_worker, page, make_user):
    make_user("ana")
    url = live_web.url
    page.set_viewport_size(PHONE)
    log_in(page, url, "ana")
    job = _start(page, url, "three balls bouncing on the beach at sunset")
    page.reload()  # the page after the reload reads the job and follows it: the worker starts only now
    start_worker()
    expect(page.locator("#job-percent")).to_have_text("100 %", timeout=120_000)
    expect(page.locator("#draft-video")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard").click()
    expect(page.locator("#job-state")).to_have_text("This draft was discarded.")
    expect(page.locator("#draft")).to_be_hidden()
    from generation.models import GenerationJob

    assert GenerationJob.objects.get(pk=job).draft == "discarded"


def test_the_composer_catches_up_after_the_connection_drops(live_web, start_worker, page, make_user):
    """The job finishes while the page has no connection at all (the web server is down, so every event is lost);
    when the server is back, the page reconnects, reads the job again and shows the draft without a reload."""
    from generation.models import GenerationJob

    make_user("ana")
    page.set_viewport_size(PHONE)
    log_in(page, live_web.url, "ana")
    job_id = _start(page, live_web.url, "a dog running on the beach at sunset")
    expect(page.locator("#job-state")).to_have_text("Waiting in line…")
    page.evaluate("window.__samePage = true")
    live_web.stop()
    start_worker()
    for _ in range(600):
        if GenerationJob.objects.get(pk=job_id).status == "succeeded":
            break
        time.sleep(0.2)
    assert GenerationJob.objects.get(pk=job_id).status == "succeeded"
    expect(page.locator("#job-percent")).to_have_text("0 %")  # nothing reached the page meanwhile
    live_web.start()
    expect(page.locator("#job-percent")).to_have_text("100 %", timeout=40_000)
    expect(page.locator("#draft-video")).to_be_visible()
    expect(page.locator("#alert")).to_be_hidden()
    assert page.evaluate("window.__samePage") is True
