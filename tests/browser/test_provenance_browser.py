"""The provenance page: a clip made and published on Riff is traced back to its post through its manifest and
watermark; a clip from elsewhere has no provenance; a file that is not a video is refused with a readable message."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.conftest import clip_arrays, log_in, off_loop


def _published_clip(user) -> tuple[int, bytes]:
    from django.core.files.storage import default_storage

    from generation.models import GenerationJob
    from generation.services import job_create, job_publish

    job, _ = off_loop(job_create, user=user, prompt="a red ball bouncing in a kitchen", duration_s=2)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status not in ("queued", "running"):
            break
        time.sleep(0.3)
    assert job.status == "succeeded", job.error
    post = off_loop(job_publish, user=user, job=GenerationJob.objects.get(pk=job.pk), caption="traced")
    with default_storage.open(job.video, "rb") as handle:
        return post.pk, handle.read()


def test_check_a_clip(live_web, start_worker, page, make_user, tmp_path, shot):
    from core.video import encode_mp4

    ana = make_user("ana")
    start_worker()
    post_id, data = _published_clip(ana)
    riff_clip = tmp_path / "downloaded.mp4"
    riff_clip.write_bytes(data)
    frames, fps, audio, rate = clip_arrays(3)
    other_clip = tmp_path / "elsewhere.mp4"
    encode_mp4(frames, fps, audio, rate, other_clip)
    not_video = tmp_path / "notes.mp4"
    not_video.write_text("this is not a video")

    page.set_viewport_size({"width": 375, "height": 780})
    page.goto(live_web.url + "/login/")
    page.get_by_role("link", name="Check a clip").click()
    expect(page.get_by_role("heading", name="Where did this clip come from?")).to_be_visible()

    page.get_by_label("Video file").set_input_files(str(not_video))
    page.get_by_role("button", name="Check this clip").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("alert")).not_to_be_empty()

    page.get_by_label("Video file").set_input_files(str(other_clip))
    page.get_by_role("button", name="Check this clip").click()
    expect(page.locator("#report-summary")).to_contain_text("No provenance found", timeout=60_000)
    expect(page.locator("#report-watermark")).to_have_text("Not found.")

    log_in(page, live_web.url, "ana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Check").click()
    page.get_by_label("Video file").set_input_files(str(riff_clip))
    page.get_by_role("button", name="Check this clip").click()
    expect(page.locator("#report-summary")).to_contain_text("Made on Riff by @ana", timeout=60_000)
    expect(page.locator("#report-c2pa")).to_contain_text("Signed and intact")
    expect(page.locator("#report-watermark")).to_contain_text("Found")
    expect(page.locator("#report-watermark")).to_contain_text("frames carry the mark")  # how sure the reading is
    shot(page, "provenance")
    page.get_by_role("link", name="Open the clip by @ana").click()
    expect(page).to_have_url(f"{live_web.url}/posts/{post_id}/")
