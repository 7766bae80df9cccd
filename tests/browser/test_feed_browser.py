"""The feed in a phone-sized browser: clips snap and play one at a time, tabs, steering, likes, comments with
replies, share, watch time and the sound toggle."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in, off_loop

PHONE = {"width": 375, "height": 780}


PLAYING = "(id) => { const v = document.querySelector(`article.clip[data-post='${id}'] video`); return !!v && !v.paused && v.currentTime > 0; }"


def test_feed_plays_the_visible_clip_and_records_watch_time(live_web, page, make_user, make_post, shot):
    ana, ben = make_user("ana"), make_user("ben")
    first = make_post(ana, caption="first clip")
    second = make_post(ana, caption="second clip")
    ben_post = make_post(ben, caption="ben's own")
    page.set_viewport_size(PHONE)
    log_in(page, live_web.url, "ben")
    page.goto(live_web.url + "/?tab=latest")
    clips = page.locator("article.clip")
    expect(clips).to_have_count(3)
    top = clips.first
    expect(top).to_have_attribute("data-post", str(ben_post.pk))
    page.wait_for_function("() => { const v = document.querySelector('article.clip video'); return !v.paused && v.currentTime > 0.2; }")
    assert page.evaluate("document.querySelector('article.clip video').muted") is True
    # every clip box is the full screen height, whatever the clip's own size: nothing moves when a clip loads
    heights = page.evaluate("[...document.querySelectorAll('article.clip')].map(a => a.getBoundingClientRect().height)")
    assert len(set(round(h) for h in heights)) == 1 and heights[0] > 500
    shot(page, "feed")

    # a tap unmutes; the button says what it will do next
    sound = top.get_by_role("button", name="Unmute")
    sound.click()
    expect(top.get_by_role("button", name="Mute")).to_be_visible()
    assert page.evaluate("document.querySelector('article.clip video').muted") is False

    # scrolling one screen plays the next clip and pauses the first; the first clip's watch time is recorded
    page.wait_for_function("() => document.querySelector('article.clip video').currentTime > 0.8")
    page.locator("#clips").evaluate("(el) => el.scrollBy(0, el.clientHeight)")
    page.wait_for_function(PLAYING, arg=second.pk)
    assert page.evaluate("(id) => document.querySelector(`article.clip[data-post='${id}'] video`).paused", ben_post.pk)
    from feed.models import View

    for _ in range(50):
        view = View.objects.filter(post=ben_post, user=ben).first()
        if view is not None and view.watch_s > 0:
            break
        page.wait_for_timeout(100)
    assert view is not None and view.watch_s > 0, "the watch time of the clip scrolled past was not recorded"
    assert not View.objects.filter(post=first).exists()


def test_tabs_steering_like_comments_and_share(live_web, page, context, make_user, make_post, shot):
    from accounts.services import follow_create

    ana, ben, cara = make_user("ana"), make_user("ben"), make_user("cara")
    off_loop(follow_create, follower=ben, followee=ana)
    ana_post = make_post(ana, caption="ana's cat")
    make_post(cara, caption="cara's car")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size(PHONE)
    log_in(page, live_web.url, "ben")

    # Following: only ana's clip, with the reason it is there
    page.get_by_role("link", name="Following").click()
    expect(page).to_have_url(live_web.url + "/?tab=following")
    clip = page.locator(f"article.clip[data-post='{ana_post.pk}']")
    expect(page.locator("article.clip")).to_have_count(1)
    expect(clip.get_by_text("you follow @ana")).to_be_visible()
    page.get_by_role("link", name="Latest").click()
    expect(page.locator("article.clip")).to_have_count(2)
    expect(page.get_by_role("link", name="Latest")).to_have_attribute("aria-current", "page")

    # steering
    page.get_by_text("Tune").click()
    page.get_by_label("What do you want to see more or less of?").fill("more cats, less cars")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#steer-status")).to_contain_text("More: cats")
    expect(page.locator("#steer-status")).to_contain_text("Less: cars")
    shot(page, "feed-steering")
    page.get_by_text("Tune").click()

    # like
    clip = page.locator(f"article.clip[data-post='{ana_post.pk}']")
    clip.scroll_into_view_if_needed()
    like = clip.get_by_role("button", name="Like")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(clip.locator("[data-count=like_count]")).to_have_text("1")

    # comments: a comment, a reply to it, both shown in one thread
    clip.get_by_role("button", name="Comments").click()
    sheet = page.locator("#comments-sheet")
    expect(sheet).to_be_visible()
    expect(sheet.get_by_text("No comments yet")).to_be_visible()
    sheet.get_by_label("Add a comment").fill("lovely cat")
    sheet.get_by_role("button", name="Post").click()
    expect(sheet.locator(".comment-list > li")).to_have_count(1)
    sheet.get_by_role("button", name="Reply to @ben").click()
    expect(sheet.get_by_text("Replying to @ben")).to_be_visible()
    sheet.get_by_label("Add a comment").fill("thanks!")
    sheet.get_by_label("Add a comment").press("Enter")
    expect(sheet.locator(".comment-list > li .replies > li")).to_have_count(1)
    expect(sheet.locator(".replies")).to_contain_text("thanks!")
    # an empty comment is refused with a readable message
    sheet.get_by_role("button", name="Post").click()
    expect(sheet.get_by_role("alert")).to_contain_text("empty")
    shot(page, "feed-comments")
    sheet.get_by_role("button", name="Close").click()
    expect(sheet).to_be_hidden()
    expect(clip.locator("[data-count=comment_count]")).to_have_text("2")

    # share copies the post's link
    clip.get_by_role("button", name="Share").click()
    expect(page.locator("#toast")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_web.url}/posts/{ana_post.pk}/"

    # the remix button opens the composer for this clip
    clip.get_by_role("link", name="Remix").click()
    expect(page).to_have_url(f"{live_web.url}/create/?remix_of={ana_post.pk}")
    expect(page.get_by_text("Remix of @ana’s clip")).to_be_visible()
