"""The whole loop in two browsers with a real generation worker: sign up, generate with a live progress bar,
play the draft with sound, publish; a follower gets the "new posts" banner, opens the clip, likes it (the author
sees the count move and the badge light up), remixes it, and the lineage shows both clips."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import WATCH_PERCENT, sign_up

PHONE = {"width": 375, "height": 780}
GENERATION_TIMEOUT = 120_000


def _generate(page, *, prompt_label: str, prompt: str) -> None:
    page.evaluate("window.__samePage = true")
    page.evaluate(WATCH_PERCENT)
    page.get_by_label(prompt_label, exact=True).fill(prompt)
    page.get_by_label("Duration").select_option("2")
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/create/\?job=\d+$"))
    expect(page.locator("#job-percent")).to_have_text("100 %", timeout=GENERATION_TIMEOUT)
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    assert page.evaluate("window.__samePage") is True, "the page reloaded while the clip was generated"


def _play_draft_with_sound(page) -> None:
    video = page.locator("#draft-video")
    expect(video).to_be_visible()
    assert video.get_attribute("controls") is not None
    page.evaluate("document.getElementById('draft-video').play()")
    page.wait_for_function(
        "() => { const v = document.getElementById('draft-video'); return v.currentTime > 0.3 && v.webkitAudioDecodedByteCount > 0; }",
        timeout=20_000,
    )


def _publish(page, caption: str) -> int:
    page.get_by_label("Caption").fill(caption)
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/posts/\d+/$"))
    return int(re.search(r"/posts/(\d+)/$", page.url).group(1))


def test_generate_publish_follow_like_remix_and_lineage(live_web, start_worker, new_page, shot):
    start_worker()
    url = live_web.url
    ana = new_page(PHONE)
    ben = new_page(PHONE)
    sign_up(ana, url, "ana")
    sign_up(ben, url, "ben")

    # ben follows ana from her profile, then waits on his feed
    ben.goto(url + "/u/ana/")
    ben.get_by_role("button", name="Follow").click()
    expect(ben.get_by_role("button", name="Following")).to_have_attribute("aria-pressed", "true")
    expect(ben.locator("#follower-count")).to_have_text("1")
    ana.reload()
    expect(ana.locator("#notif-badge")).to_have_attribute("data-count", "1")  # the follow
    ben.get_by_role("link", name="Feed").click()
    expect(ben.locator("#feed-empty")).to_be_visible()

    # ana writes a prompt and watches the bar fill without reloading
    ana.get_by_role("navigation", name="Main").get_by_role("link", name="Create").click()
    expect(ana.get_by_role("heading", name="Create a clip")).to_be_visible()
    shot(ana, "composer")
    ana.get_by_label("Style").select_option("storybook")
    _generate(ana, prompt_label="Prompt",
              prompt='a red ball bouncing on a table in a kitchen at sunset next to a vase, the cat says "hello"')
    seen = ana.evaluate("window.__percents")
    assert seen[-1] == "100 %" and any(value not in ("0 %", "100 %") for value in seen), seen
    expect(ana.locator("#job-state")).to_contain_text("Done")
    # what the preview understood: the place, the prop, the unknown vase as a labelled crate, the chosen style
    understood = ana.locator("#understood")
    for part in ("kitchen", "table", "“vase”", "style: storybook", "Not understood: vase"):
        expect(understood).to_contain_text(part)
    _play_draft_with_sound(ana)
    shot(ana, "composer-draft")
    post_id = _publish(ana, "my first riff")
    expect(ana.locator(".caption")).to_have_text("my first riff")
    shot(ana, "post")

    # ben gets the banner, brings the clip in and opens it
    banner = ben.locator("#new-posts")
    expect(banner).to_be_visible(timeout=20_000)
    expect(banner).to_contain_text("New posts")
    shot(ben, "feed-new-posts")
    banner.click()
    clip = ben.locator(f"article.clip[data-post='{post_id}']")
    expect(clip).to_be_visible()
    expect(clip.get_by_text("you follow @ana")).to_be_visible()
    clip.get_by_role("link", name="Open clip").click()
    expect(ben).to_have_url(f"{url}/posts/{post_id}/")

    # ben likes it: ana's post page counts it live and her badge lights up
    ben.locator(".post-actions").get_by_role("button", name="Like").click()
    expect(ana.locator(".post-actions [data-count=like_count]")).to_have_text("1")
    badge = ana.locator("#notif-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_attribute("data-count", "2")

    # ben remixes it
    ben.locator(".post-actions").get_by_role("link", name="Remix").click()
    expect(ben).to_have_url(f"{url}/create/?remix_of={post_id}")
    expect(ben.get_by_text("Remix of @ana’s clip")).to_be_visible()
    _generate(ben, prompt_label="What should change?", prompt="at night")
    _play_draft_with_sound(ben)
    remix_id = _publish(ben, "night version")
    expect(ben.locator(".remix-of")).to_have_text("remix of @ana")

    # ana: the remix count moves live and the badge counts the remix too
    expect(ana.locator(".post-actions [data-count=remix_count]")).to_have_text("1")
    expect(badge).to_have_attribute("data-count", "3")

    # the lineage on the remix's page shows both clips, and each is a link to its page
    tree = ben.locator("#lineage svg")
    expect(tree.locator(f"a[href='/posts/{post_id}/']")).to_have_count(1)
    expect(tree.locator(f"a[href='/posts/{remix_id}/']")).to_have_attribute("aria-current", "page")
    ben.locator("#lineage").scroll_into_view_if_needed()
    shot(ben, "post-lineage")
    tree.locator(f"a[href='/posts/{post_id}/']").click()
    expect(ben).to_have_url(f"{url}/posts/{post_id}/")
    expect(ben.locator(f"#lineage svg a[href='/posts/{remix_id}/']")).to_have_count(1)

    # ana reads her notifications: both are listed and the badge goes out
    ana.get_by_role("link", name="Notifications").click()
    expect(ana.get_by_text("@ben remixed your clip.")).to_be_visible()
    expect(ana.get_by_text("@ben liked your clip.")).to_be_visible()
    expect(ana.get_by_role("link", name="@ben started following you.")).to_have_attribute("href", "/u/ben/")
    expect(badge).to_be_hidden()
    shot(ana, "notifications")
    ana.reload()
    expect(badge).to_be_hidden()

    # ben's remix is in his profile grid; ana's drafts list is empty now that her draft is published
    ben.goto(f"{url}/u/ben/")
    expect(ben.locator(f".grid a[href='/posts/{remix_id}/']")).to_be_visible()
    shot(ben, "profile")
    ana.goto(f"{url}/drafts/")
    expect(ana.locator("#drafts-empty")).to_be_visible()
