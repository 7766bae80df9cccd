"""The account page in Chromium: the browsers you are signed in on (signing another one out), an archive of your
data whose link appears when the worker has made it (over the socket), and deleting the account."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, log_in


def test_sessions_archive_and_deletion_from_the_account_page(live_web, start_worker, new_page, make_user, shot):
    start_worker()
    make_user("ana")
    laptop, phone = new_page({"width": 1200, "height": 900}), new_page()
    log_in(phone, live_web.url, "ana")
    log_in(laptop, live_web.url, "ana")
    laptop.get_by_role("link", name="Account").click()
    expect(laptop.get_by_role("heading", name="Your account", exact=True)).to_be_visible()
    sessions = laptop.locator("#sessions li")
    expect(sessions).to_have_count(2)
    expect(laptop.get_by_text("this browser")).to_have_count(1)

    # Sign the phone out from the laptop: its next page is the sign-in page.
    sessions.filter(has_not_text="this browser").get_by_role("button", name="Sign out").click()
    expect(laptop.get_by_role("status")).to_contain_text("signed out")
    expect(laptop.locator("#sessions li")).to_have_count(1)
    phone.goto(live_web.url + "/account/")
    expect(phone).to_have_url(live_web.url + "/login/?next=/account/")

    # The archive: made by the worker; the page shows its link when it is ready, without a reload by hand.
    laptop.get_by_role("button", name="Make an archive of my data").click()
    download_link = laptop.get_by_role("link", name="Download the archive")
    expect(download_link).to_be_visible(timeout=60_000)
    with laptop.expect_download() as got:
        download_link.click()
    assert got.value.suggested_filename.startswith("riff-ana-") and got.value.suggested_filename.endswith(".zip")
    shot(laptop, "account-page")

    # Delete: a wrong password is a readable error and changes nothing; the right one closes the account.
    laptop.get_by_label("Your password, to confirm").fill("not-my-password")
    laptop.get_by_role("button", name="Delete my account").click()
    expect(laptop.get_by_role("alert")).to_contain_text("not right")
    laptop.get_by_label("Your password, to confirm").fill(PASSWORD)
    laptop.get_by_role("button", name="Delete my account").click()
    expect(laptop.get_by_role("heading", name="Your account is closed")).to_be_visible()
    laptop.goto(live_web.url + "/login/")
    laptop.get_by_label("Handle").fill("ana")
    laptop.get_by_label("Password").fill(PASSWORD)
    laptop.get_by_role("button", name="Log in").click()
    expect(laptop.get_by_role("alert")).to_be_visible()
