"""Moderation in a real browser: a member reports a clip from its page, a moderator takes it down from the
moderation page, the author is told and appeals, and the moderator grants the appeal."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_pages_a11y_browser import AUDIT

PHONE = {"width": 375, "height": 780}
WIDE = {"width": 1200, "height": 900}


def test_report_take_down_appeal_and_restore(live_web, new_page, make_user, make_post, shot):
    from feed.models import Post

    ana, _ = make_user("ana"), make_user("rita")
    moderator = make_user("mod")
    moderator.is_staff = True
    moderator.save(update_fields=["is_staff"])
    post = make_post(ana, caption="my clip", prompt="a ball bouncing in a room")

    rita = new_page(PHONE)
    log_in(rita, live_web.url, "rita")
    rita.goto(f"{live_web.url}/posts/{post.pk}/")
    rita.get_by_text("Report this clip").click()
    rita.get_by_label("It uses my likeness without my consent").check()
    rita.get_by_label("Reason").fill("That is my face and I never allowed it.")
    rita.get_by_role("button", name="Send report").click()
    expect(rita.locator("#report-status")).to_have_text("Thank you. A moderator will look at it, and you will be told the outcome.")

    mod = new_page(WIDE)
    log_in(mod, live_web.url, "mod")
    mod.get_by_role("link", name="Moderation").click()
    group = mod.locator(".mod-group")
    expect(group).to_have_count(1)
    mod.wait_for_load_state("networkidle")
    assert mod.evaluate(AUDIT)["problems"] == []
    expect(group).to_contain_text(f"Clip {post.pk} by @ana")
    expect(group).to_contain_text("That is my face and I never allowed it.")
    expect(group).to_contain_text("a ball bouncing in a room")
    group.get_by_role("button", name="Take down").click()
    expect(group.locator("[data-slot='status']")).to_contain_text("Write the reason first")
    group.get_by_label("Reason (the author and the reporters are told)").fill("It uses @rita's likeness without consent.")
    shot(mod, "moderation-queue")
    group.get_by_role("button", name="Take down").click()
    expect(mod.locator("#toast")).to_have_text("Taken down. The author and the reporters were told.")
    expect(mod.locator("#queue-empty")).to_be_visible()
    assert Post.objects.get(pk=post.pk).state == "taken_down"

    author = new_page(PHONE)
    log_in(author, live_web.url, "ana")
    author.goto(live_web.url + "/notifications/")
    expect(author.get_by_text("Your clip was taken down: It uses @rita's likeness without consent.")).to_be_visible()
    author.get_by_role("link", name="Decisions about you and appeals").click()
    assert author.evaluate(AUDIT)["problems"] == []
    author.get_by_label("Why should this be looked at again?").fill("Rita is my sister and she agreed.")
    author.get_by_role("button", name="Appeal").click()
    expect(author.get_by_text("Your appeal: pending. A moderator will look at it.")).to_be_visible()

    mod.reload()
    appeal = mod.locator(".mod-appeal")
    expect(appeal).to_contain_text("Rita is my sister and she agreed.")
    appeal.get_by_label("Reason for the decision").fill("Confirmed with @rita.")
    appeal.get_by_role("button", name="Grant (reverse)").click()
    expect(mod.locator("#toast")).to_have_text("Appeal granted: the decision was reversed.")
    expect(mod.locator("#appeals-empty")).to_be_visible()
    assert Post.objects.get(pk=post.pk).state == "published"
