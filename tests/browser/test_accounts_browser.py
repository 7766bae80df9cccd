from playwright.sync_api import expect


def test_new_user_signs_up_sees_empty_feed_logs_out_and_in(live_web, page, shot):
    page.set_viewport_size({"width": 375, "height": 780})
    page.goto(live_web.url + "/signup/")
    page.get_by_label("Handle").fill("newcomer")
    page.get_by_label("Birth date").fill("1990-05-01")
    page.get_by_label("Password").fill("a-long-secret-9")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(live_web.url + "/")
    expect(page.get_by_role("link", name="For you")).to_be_visible()
    expect(page.get_by_text("@newcomer")).to_be_visible()
    shot(page, "feed-empty")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(live_web.url + "/login/")
    page.get_by_label("Handle").fill("newcomer")
    page.get_by_label("Password").fill("a-long-secret-9")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_web.url + "/")
    expect(page.get_by_text("@newcomer")).to_be_visible()


def test_wrong_password_shows_a_readable_error(live_web, page, make_user):
    make_user("ana")
    page.goto(live_web.url + "/login/")
    page.get_by_label("Handle").fill("ana")
    page.get_by_label("Password").fill("nope-nope-nope")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct")
