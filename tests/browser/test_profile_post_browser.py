"""Profiles and post pages: follow, block and unblock, editing your own profile, the grid, comments with replies on
the post page, deleting your own clip, and what someone without an account sees."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in, off_loop

PHONE = {"width": 375, "height": 780}


def test_follow_block_unblock_and_edit_profile(live_web, page, make_user, make_post, shot):
    ana, _ = make_user("ana"), make_user("ben")
    posts = [make_post(ana, caption=f"clip {n}") for n in range(3)]
    page.set_viewport_size(PHONE)
    log_in(page, live_web.url, "ben")
    page.goto(live_web.url + "/u/ana/")
    expect(page.get_by_role("heading", name="@ana")).to_be_visible()
    expect(page.locator(".grid .tile")).to_have_count(3)
    expect(page.locator(".counts")).to_contain_text("3 clips")
    expect(page.get_by_role("link", name="clip 2")).to_have_attribute("href", f"/posts/{posts[2].pk}/")

    follow = page.get_by_role("button", name="Follow")
    follow.click()
    expect(page.locator("#follow")).to_have_text("Following")
    expect(page.locator("#follower-count")).to_have_text("1")
    page.locator("#follow").click()
    expect(page.locator("#follow")).to_have_text("Follow")
    expect(page.locator("#follower-count")).to_have_text("0")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Block").click()
    expect(page.get_by_role("button", name="Unblock")).to_be_visible()
    expect(page.get_by_text("You blocked @ana")).to_be_visible()
    expect(page.locator(".grid .tile")).to_have_count(0)
    expect(page.locator("#follow")).to_be_disabled()
    # a blocked author's clip is gone for ben
    page.goto(f"{live_web.url}/posts/{posts[0].pk}/")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    page.goto(live_web.url + "/u/ana/")
    page.get_by_role("button", name="Unblock").click()
    expect(page.get_by_role("button", name="Block")).to_be_visible()
    expect(page.locator(".grid .tile")).to_have_count(3)

    # ben edits his own profile
    page.goto(live_web.url + "/u/ben/")
    page.get_by_text("Edit profile").click()
    page.get_by_label("Display name").fill("Ben B.")
    page.get_by_label("Bio").fill("Cars and anything that goes fast.")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#toast")).to_have_text("Profile saved")
    expect(page.locator("#profile-bio")).to_have_text("Cars and anything that goes fast.")
    page.reload()
    expect(page.locator(".display-name")).to_have_text("Ben B.")
    shot(page, "profile-own")


def test_post_page_comments_replies_delete_and_anonymous_view(live_web, page, new_page, make_user, make_post):
    from feed.services import comment_create

    ana, ben = make_user("ana"), make_user("ben")
    post = make_post(ana, caption="kitchen cat", prompt="a cat in a kitchen")
    thread = off_loop(comment_create, user=ben, post=post, text="first!")
    for n in range(5):
        off_loop(comment_create, user=ben, post=post, text=f"reply {n}", parent_id=thread.pk)

    # without an account: the clip, its caption and comments, and a way to log in
    anonymous = new_page(PHONE)
    anonymous.goto(f"{live_web.url}/posts/{post.pk}/")
    expect(anonymous.locator(".caption")).to_have_text("kitchen cat")
    expect(anonymous.get_by_text("first!")).to_be_visible()
    expect(anonymous.get_by_role("link", name="Log in").first).to_be_visible()
    anonymous.goto(f"{live_web.url}/u/ana/")
    expect(anonymous.locator(".grid .tile")).to_have_count(1)

    page.set_viewport_size(PHONE)
    log_in(page, live_web.url, "ana")
    page.goto(f"{live_web.url}/posts/{post.pk}/")
    expect(page.locator("details.prompt")).to_contain_text("a cat in a kitchen")
    first = page.locator(".comment-list > li").first
    expect(first.locator(".replies > li")).to_have_count(3)  # the first replies come inline
    first.get_by_role("button", name="View 2 more replies").click()
    expect(first.locator(".replies > li")).to_have_count(5)
    # a reply to a reply joins the same thread
    first.locator(".replies > li").last.get_by_role("button", name="Reply to @ben").click()
    page.get_by_label("Add a comment").fill("thanks everyone")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(first.locator(".replies > li")).to_have_count(6)
    expect(page.locator(".stats [data-count=comment_count]")).to_have_text("7")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(live_web.url + "/u/ana/")
    expect(page.locator("#grid-empty")).to_be_visible()
