"""Every main page at 375 px (a phone) and 1280 px: labels on every control, alt on every image, names on every
link and button, tap targets of 44 px, no sideways scrolling, readable contrast, and keyboard focus that shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, off_loop
from tests.conftest import ROOT

AUDIT = (ROOT / "bench" / "page_audit.js").read_text()


@pytest.fixture
def content(make_user, make_post):
    return off_loop(_content, make_user, make_post)


def _content(make_user, make_post):
    from accounts.services import follow_create, user_update_profile
    from feed.services import comment_create, like_create
    from generation.services import job_create

    ana, ben = make_user("ana", display_name="Ana"), make_user("ben")
    user_update_profile(user=ana, bio="Cats and kitchens.")
    follow_create(follower=ana, followee=ben)
    original = make_post(ben, caption="the original")
    remix = make_post(ana, caption="a remix of it", remix_of=original)
    make_post(ben, caption="another one")
    comment = comment_create(user=ben, post=remix, text="nice remix")
    comment_create(user=ana, post=remix, text="thank you", parent_id=comment.pk)
    like_create(user=ben, post=remix)
    job_create(user=ana, prompt="a green cube spinning in space", duration_s=2)
    return {"remix": remix, "original": original}


def _pages(content) -> list[tuple[str, str]]:
    return [
        ("feed", "/?tab=latest"),
        ("post", f"/posts/{content['remix'].pk}/"),
        ("profile", "/u/ana/"),
        ("other-profile", "/u/ben/"),
        ("composer", "/create/"),
        ("remix-composer", f"/create/?remix_of={content['original'].pk}"),
        ("drafts", "/drafts/"),
        ("notifications", "/notifications/"),
        ("cameos", "/cameos/"),
        ("account", "/account/"),
    ]


@pytest.mark.parametrize("width", [375, 1280])
def test_pages_pass_the_audit(live_web, page, content, width, shot):
    page.set_viewport_size({"width": width, "height": 800})
    for name, path in [("login", "/login/"), ("signup", "/signup/")]:
        page.goto(live_web.url + path)
        result = page.evaluate(AUDIT)
        assert result["problems"] == [], (name, result["problems"])
    log_in(page, live_web.url, "ana")
    for name, path in _pages(content):
        page.goto(live_web.url + path)
        page.wait_for_load_state("networkidle")
        result = page.evaluate(AUDIT)
        assert result["problems"] == [], (name, width, result["problems"])
        assert result["counts"]["textChecked"] > 0
        if width == 375 and name == "other-profile":
            shot(page, name)
        if width == 1280 and name in ("feed", "post"):
            shot(page, f"{name}-desktop")


def test_keyboard_reaches_the_page_with_a_visible_focus(live_web, page, content):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_web.url, "ana")
    page.goto(f"{live_web.url}/posts/{content['remix'].pk}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # from the content, Tab walks to the like button and it answers Space like a click
    like = page.locator(".post-actions").get_by_role("button", name="Like")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.action === 'like'"):
            break
    expect(like).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Space")
    expect(like).to_have_attribute("aria-pressed", "true")


def test_pages_show_their_content_without_javascript(live_web, browser, content):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        log_in(page, live_web.url, "ana")
        page.goto(live_web.url + "/?tab=latest")
        clips = page.locator("article.clip")
        expect(clips).to_have_count(3)
        expect(clips.first.locator("video")).to_have_attribute("autoplay", "")
        expect(clips.first.get_by_role("link", name="Open clip")).to_be_visible()
        page.goto(f"{live_web.url}/posts/{content['remix'].pk}/")
        expect(page.locator(".caption")).to_have_text("a remix of it")
        expect(page.locator("#post-video")).to_have_attribute("controls", "")
        expect(page.get_by_role("link", name="Open the clip this one remixes")).to_be_visible()
        page.goto(live_web.url + "/u/ben/")
        expect(page.locator(".grid .tile")).to_have_count(2)
    finally:
        context.close()
