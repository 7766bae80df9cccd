"""Finding clips in Chromium: search from the top bar, open a clip from the results and its #tag, explore; the app
installs and opens offline."""

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

    # On a phone the top bar has a search button instead of the box; with no query it shows explore.
    page.set_viewport_size({"width": 375, "height": 780})
    page.get_by_role("link", name="Search").click()
    trending = page.locator("#trending-tags")
    expect(trending.get_by_role("link", name="#beach")).to_be_visible()
    shot(page, "explore")
    page.get_by_label("Search clips, people and tags").fill("@an")
    page.get_by_label("Search clips, people and tags").press("Enter")
    page.get_by_role("link", name="People").click()
    expect(page.locator(".results").get_by_role("link", name="@ana")).to_be_visible()


def test_the_app_installs_and_opens_offline_to_a_page_that_says_so(live_web, page, make_user):
    off_loop(make_user, "ana")
    log_in(page, live_web.url, "ana")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    manifest = page.request.get(live_web.url + href).json()
    assert (manifest["name"], manifest["start_url"], manifest["display"]) == ("Riff", "/", "standalone")
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert page.request.get(live_web.url + icon["src"]).ok
    # The service worker takes control of the page (what Chromium asks of an installable app, with the manifest).
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    cached = page.evaluate("caches.keys().then(keys => Promise.all(keys.map(k => caches.open(k).then(c => c.keys()))))"
                           ".then(lists => lists.flat().map(r => new URL(r.url).pathname))")
    assert "/offline/" in cached and not [path for path in cached if path.startswith(("/api/", "/media/"))]

    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    assert "@ana" not in page.content()  # nothing personal is kept for offline
    page.context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_text("@ana").first).to_be_visible()
