"""A cameo from start to end in two browsers, with a real worker: Olivia creates her cameo from a photo, verifies
it (the camera path, then the upload path), opens it to approved people; Ana asks, Olivia approves, Ana makes and
publishes a clip with it; Olivia sees the use and removes it, and the clip is gone.

Chromium's fake camera shows a test pattern, not a face, so a clip recorded with it is (rightly) not verified; the
verification that passes uploads a clip made here from scikit-image's astronaut photo (the face of the cameo's
reference) speaking the challenge phrase with Piper TTS, its mouth opening with the voice."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_up
from tests.cameos.conftest import astronaut, jpeg, speech, write_clip

PHONE = {"width": 375, "height": 780}
WORKER = 90_000


def _reload_until(page, locator, timeout_s: float = 90) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if locator.count() and locator.first.is_visible():
            return
        page.wait_for_timeout(1000)
        page.reload()
    expect(locator.first).to_be_visible()


def _phrase(page) -> str:
    challenge = page.locator("#verify-challenge")
    before = challenge.inner_text()
    page.get_by_role("button", name="Get a phrase").click()
    expect(challenge).to_contain_text("Say these digits aloud")
    expect(challenge).not_to_have_text(before)  # the new phrase, not the one shown before
    return re.search(r"one by one: ([0-9 ]+) \(", challenge.inner_text()).group(1)


def test_cameo_created_verified_approved_used_and_removed(live_web, start_worker, new_page, tmp_path, shot):
    start_worker()
    url = live_web.url
    olivia = new_page(PHONE)
    ana = new_page(PHONE)
    sign_up(olivia, url, "olivia")
    sign_up(ana, url, "ana")

    # Olivia creates her cameo from one photo
    photo = tmp_path / "me.jpg"
    photo.write_bytes(jpeg(astronaut()))
    olivia.get_by_role("navigation", name="Main").get_by_role("link", name="Cameos").click()
    olivia.get_by_label("Name").fill("Olivia")
    olivia.get_by_label("Photos (1–5)").set_input_files(str(photo))
    olivia.get_by_role("button", name="Create cameo").click()
    expect(olivia).to_have_url(re.compile(r"/cameos/\d+/$"))
    cameo_id = int(re.search(r"/cameos/(\d+)/$", olivia.url).group(1))
    _reload_until(olivia, olivia.get_by_role("heading", name="Verify it's you"))

    # the camera path: the fake camera records, the worker looks for her face and finds a test pattern
    _phrase(olivia)
    expect(olivia.locator("#verify-preview")).to_be_visible()
    olivia.get_by_role("button", name="Record").click()
    olivia.wait_for_timeout(2500)
    olivia.get_by_role("button", name="Stop and send").click()
    status = olivia.locator("#verify-status")
    # (the fake microphone's beeps are no voice: refused at once, or by the worker, which sees no face either)
    expect(status).to_contain_text(re.compile("Not verified|No voice was heard|no sound"), timeout=WORKER)

    # the upload path: a clip of the reference face saying the new phrase
    phrase = _phrase(olivia)
    samples, rate = speech(phrase)
    clip = write_clip(tmp_path / "verify.mp4", astronaut(), audio=samples, sample_rate=rate, talking=True)
    olivia.get_by_label("Or upload a clip").set_input_files(str(clip))
    expect(status).to_contain_text("Verified", timeout=WORKER)
    _reload_until(olivia, olivia.get_by_text("· verified"))

    # approved people only
    olivia.get_by_label("Permission").select_option("approved")
    olivia.get_by_role("button", name="Save").click()
    expect(olivia.get_by_text("Saved.")).to_be_visible()
    shot(olivia, "cameo-owner")

    olivia.get_by_role("navigation", name="Main").get_by_role("link", name="Cameos").click()
    expect(olivia.get_by_role("link", name="Olivia", exact=True)).to_have_attribute("href", f"/cameos/{cameo_id}/")
    shot(olivia, "cameos")

    # Ana asks; Olivia approves
    ana.goto(f"{url}/cameos/{cameo_id}/")
    ana.get_by_label("Message (optional)").fill("for a kitchen clip")
    ana.get_by_role("button", name="Ask to use it").click()
    expect(ana.get_by_text("Your request is waiting for @olivia")).to_be_visible()
    olivia.goto(f"{url}/cameos/{cameo_id}/")
    olivia.locator(".row", has_text="@ana").get_by_role("button", name="Approve").click()
    expect(olivia.get_by_text("@ana is approved.")).to_be_visible()

    # Ana picks the cameo in the composer (only cameos she may use are offered) and publishes a clip
    ana.goto(f"{url}/create/")
    picker = ana.locator(".cameo-picker")
    expect(picker.get_by_label(re.compile("Olivia"))).to_have_count(1)
    picker.get_by_label(re.compile("Olivia")).check()
    ana.get_by_label("Prompt", exact=True).fill("Olivia waving in a kitchen")
    ana.get_by_label("Duration").select_option("2")
    ana.get_by_role("button", name="Generate").click()
    expect(ana.locator("#job-percent")).to_have_text("100 %", timeout=WORKER)
    ana.get_by_label("Caption").fill("with Olivia")
    ana.get_by_role("button", name="Publish").click()
    expect(ana).to_have_url(re.compile(r"/posts/\d+/$"))
    post_url = ana.url

    # Olivia sees the use on her cameo's page and removes it: the post is taken down for everyone
    olivia.reload()
    use = olivia.locator(".use", has_text="@ana")
    expect(use).to_contain_text("Olivia waving in a kitchen")
    use.scroll_into_view_if_needed()
    shot(olivia, "cameo-uses")
    use.get_by_role("button", name="Remove", exact=True).click()
    expect(olivia.get_by_text("Use removed.")).to_be_visible()
    ana.goto(post_url)
    expect(ana.get_by_role("heading", name="Not found")).to_be_visible()
    ana.goto(f"{url}/notifications/")
    expect(ana.get_by_text("Your clip was taken down")).to_be_visible()
