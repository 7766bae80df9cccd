"""The language switch in Chromium: a French browser gets the French sign-in page, the switch on it changes the
language and it sticks after a reload; a member's choice follows them after they sign in."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD


def test_the_language_switch_sticks_after_reload(live_web, browser, make_user):
    make_user("ana")
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 780})
    page = context.new_page()
    try:
        page.goto(live_web.url + "/login/")
        expect(page.locator("html")).to_have_attribute("lang", "fr")  # Accept-Language: fr
        expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()

        page.get_by_label("Langue").select_option("en")
        page.get_by_role("button", name="Changer").click()
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        page.reload()
        expect(page.locator("html")).to_have_attribute("lang", "en")  # the choice beats the browser's

        page.get_by_label("Language").select_option("fr")
        page.get_by_role("button", name="Change").click()
        page.reload()
        expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
        page.get_by_label("Pseudo").fill("ana")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(live_web.url + "/")
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        expect(page.get_by_role("navigation", name="Principale").get_by_text("Brouillons")).to_be_visible()
    finally:
        context.close()
