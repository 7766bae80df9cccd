"""Finding clips in Chromium: search from the top bar, open a clip from the results and its #tag."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in, off_loop


def test_search_from_the_top_bar_then_open_a_tag(live_web, page, make_user, make_post, shot):
    ana = off_loop(make_user, "ana")
    make_post(ana, caption="a red ball on the #Beach")
    make_post(ana, caption="a quiet forest")
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_web.url, "ana")
    box = page.get_by_role("searchbox", name="Search")
    box.fill("red ball")
    box.press("Enter")
    expect(page).to_have_url(live_web.url + "/search/?q=red+ball")
    tiles = page.locator("#grid .tile")
    expect(tiles).to_have_count(1)
    shot(page, "search-results")
    tiles.first.get_by_role("link").click()
    page.get_by_role("link", name="#Beach").click()
    expect(page.get_by_role("heading", name="#beach")).to_be_visible()
    expect(page.locator("#grid .tile")).to_have_count(1)

    # On a phone the top bar has a search button instead of the box.
    page.set_viewport_size({"width": 375, "height": 780})
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search clips, people and tags").fill("@an")
    page.get_by_label("Search clips, people and tags").press("Enter")
    page.get_by_role("link", name="People").click()
    expect(page.locator(".results").get_by_role("link", name="@ana")).to_be_visible()
