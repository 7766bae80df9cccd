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
        page.wait_for_load_state("load")
        page.goto(page.url)  # load the page again: the choice beats the browser's
        expect(page.locator("html")).to_have_attribute("lang", "en")

        page.get_by_label("Language").select_option("fr")
        page.get_by_role("button", name="Change").click()
        expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
        page.wait_for_load_state("load")
        page.goto(page.url)
        expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
        page.get_by_label("Pseudo").fill("ana")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(live_web.url + "/")
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        expect(page.get_by_role("navigation", name="Principale").get_by_text("Brouillons")).to_be_visible()
    finally:
        context.close()


# Every text node and label a person meets on the page, after its scripts ran.
PAGE_TEXTS = """() => {
  const out = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && node.parentElement.closest("script, style, template")) continue;
    const text = node.textContent.trim();
    if (text) out.add(text);
  }
  for (const el of document.querySelectorAll("[aria-label], [placeholder], [alt], [title]")) {
    for (const name of ["aria-label", "placeholder", "alt", "title"]) {
      const value = (el.getAttribute(name) || "").trim();
      if (value) out.add(value);
    }
  }
  return [...out];
}"""


def test_french_pages_show_no_english_strings_after_their_scripts_ran(live_web, browser, make_user):
    from tests.config.test_i18n import JS_PO, _po_entries

    catalogue = {**_po_entries(), **_po_entries(JS_PO)}
    english = {msgid for (_, msgid), msgstr in catalogue.items() if msgstr and msgstr != msgid and "%(" not in msgid}
    make_user("ana")
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 780})
    page = context.new_page()
    try:
        page.goto(live_web.url + "/login/")
        page.get_by_label("Pseudo").fill("ana")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(live_web.url + "/")
        for path in ("/", "/create/", "/cameos/"):
            page.goto(live_web.url + path)
            page.wait_for_load_state("networkidle")
            if path == "/create/":
                page.get_by_label("Storyboard").check()  # the editor's shots are drawn by its script
                expect(page.locator("#shots-total")).to_contain_text("plan")
            left = sorted(set(page.evaluate(PAGE_TEXTS)) & english)
            assert not left, (path, left)
    finally:
        context.close()
