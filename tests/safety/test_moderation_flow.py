"""Reports -> the moderation queue -> a decision -> notifications, suspensions, appeals, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notification
from cameos.models import CameoUse
from feed.models import Comment, Post, Report
from generation.models import GenerationJob, PolicyRefusal
from moderation.models import Appeal, ModerationAction
from tests.conftest import assert_signed_url

pytestmark = pytest.mark.django_db


def _report(client, post_id, reason="This clip breaks the rules.", **extra):
    return client.post(f"/api/posts/{post_id}/report", {"reason": reason, **extra}, format="json")


def _act(client, **body):
    return client.post("/api/moderation/actions", body, format="json")


def _notifications(user, kind="moderation"):
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("id"))


@pytest.fixture
def reported(make_user, make_post, make_cameo, staff):
    """@author's remix of @ben's clip, with @lia's cameo, a private prompt and a past refusal, reported twice."""
    author, ben, lia, rita, sam = (make_user(n) for n in ("author", "ben", "lia", "rita", "sam"))
    root = make_post(ben, prompt="a ball in a park")
    post = make_post(author, prompt="SECRET prompt: lia in the rain", prompt_public=False, remix_of=root, root=root,
                     depth=1, ancestors=[root.pk])
    Post.objects.filter(pk=root.pk).update(remix_count=1, descendant_count=1)
    cameo = make_cameo(lia, name="Lia", permission="everyone")
    CameoUse.objects.create(cameo=cameo, user=author, post=post, basis="everyone", prompt=post.prompt)
    PolicyRefusal.objects.create(user=author, text="a p0rn scene", rule="sexual_content", category="sexual")
    return {"author": author, "ben": ben, "lia": lia, "rita": rita, "sam": sam, "post": post, "root": root,
            "cameo": cameo, "moderator": staff()}


def test_report_queue_take_down_and_everyone_is_told(reported, client_for):
    r = reported
    likeness = _report(client_for(r["lia"]), r["post"].pk, "This uses my face in a way I never allowed.", kind="likeness")
    assert likeness.status_code == 201 and likeness.json()["status"] == "open"
    assert _report(client_for(r["rita"]), r["post"].pk, "Degrading.").status_code == 201

    mod = client_for(r["moderator"])
    queue = mod.get("/api/moderation/queue").json()["results"]
    assert len(queue) == 1
    group = queue[0]
    assert group["post"]["id"] == r["post"].pk
    assert group["post"]["prompt"] == "SECRET prompt: lia in the rain"  # moderators see the private prompt
    assert_signed_url(group["post"]["video_url"])
    assert (group["report_count"], group["likeness_count"]) == (2, 1)
    assert [rep["kind"] for rep in group["reports"]] == ["likeness", "post"]
    assert group["cameos"] == [{"id": r["cameo"].pk, "name": "Lia", "kind": "person", "owner": "lia", "permission": "everyone"}]
    assert group["lineage"]["remix_of"] == r["root"].pk
    assert group["lineage"]["ancestors"] == [{"id": r["root"].pk, "author": "ben", "state": "published"}]
    assert group["author_history"]["refusals_total"] == 1 and group["author_history"]["actions"] == []

    taken = _act(mod, action="take_down", post=r["post"].pk, reason="It uses @lia's likeness without consent.")
    assert taken.status_code == 201, taken.content
    action = ModerationAction.objects.get()
    assert (action.moderator, action.target, action.action) == (r["moderator"], r["author"], "take_down")
    assert sorted(action.reports.values_list("kind", flat=True)) == ["likeness", "post"]

    # Hidden everywhere.
    r["post"].refresh_from_db()
    assert r["post"].state == "taken_down"
    assert client_for(r["sam"]).get(f"/api/posts/{r['post'].pk}").status_code == 404
    assert r["post"].pk not in [p["id"] for p in client_for(r["sam"]).get("/api/feed?tab=latest").json()["results"]]
    assert Post.objects.get(pk=r["root"].pk).remix_count == 0

    # The author is told, with the reason and the decision to appeal; the reporters are told the outcome.
    told = _notifications(r["author"])
    assert len(told) == 1 and told[0].text == "Your clip was taken down: It uses @lia's likeness without consent."
    assert (told[0].data["action"], told[0].data["appealable"]) == (action.pk, True)
    for reporter in (r["lia"], r["rita"]):
        [note] = _notifications(reporter)
        assert note.text.startswith("The clip you reported was taken down: It uses @lia")
        mine = client_for(reporter).get("/api/reports").json()["results"]
        assert mine[0]["status"] == "actioned" and mine[0]["outcome"] == note.text
    assert mod.get("/api/moderation/queue").json()["results"] == []
    history = client_for(r["moderator"]).get("/api/moderation/actions?user=author").json()["results"]
    assert history[0]["reason"] == "It uses @lia's likeness without consent." and history[0]["moderator"]["username"] == "mod"


def test_dismiss_and_warn(reported, client_for):
    r = reported
    _report(client_for(r["rita"]), r["post"].pk, "I do not like it.")
    comment = Comment.objects.create(post=r["post"], author=r["ben"], text="rude words")
    on_comment = _report(client_for(r["sam"]), r["post"].pk, "Rude.", comment=comment.pk).json()["id"]
    mod = client_for(r["moderator"])
    assert _act(mod, action="dismiss", post=r["post"].pk, reason="Disliking a clip is not a rule.").status_code == 201
    assert Report.objects.get(reporter=r["rita"]).status == "dismissed"
    assert Report.objects.get(pk=on_comment).status == "open"  # a decision on the clip leaves its comments' reports
    [note] = _notifications(r["rita"])
    assert "does not break the rules: Disliking a clip is not a rule." in note.text
    assert Post.objects.get(pk=r["post"].pk).state == "published"
    assert _notifications(r["author"]) == []  # nothing happened to the author

    warned = _act(mod, action="warn", user="author", reason="Please credit the clips you remix.")
    assert warned.status_code == 201
    [note] = _notifications(r["author"])
    assert note.text == "You received a warning: Please credit the clips you remix."
    mine = client_for(r["author"]).get("/api/me/moderation").json()["results"]
    assert [(d["action"], d["appealable"]) for d in mine] == [("warn", True)]
    # Taking the clip down answers the reports of its comments too.
    assert _act(mod, action="take_down", post=r["post"].pk, reason="Gore.").status_code == 201
    closed = Report.objects.get(pk=on_comment)
    assert (closed.status, closed.outcome) == ("actioned", "The clip the comment you reported was on was taken down: Gore.")


def test_a_suspended_member_gets_403_with_the_date(reported, client_for, purge_queues):
    r = reported
    author = client_for(r["author"])
    queued = author.post("/api/generations", {"prompt": "a cat playing piano"}, format="json").json()["id"]
    until = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    suspended = _act(client_for(r["moderator"]), action="suspend", user="author", reason="Repeated harassment.", until=until.isoformat())
    assert suspended.status_code == 201, suspended.content
    assert GenerationJob.objects.get(pk=queued).status == "cancelled"  # their queued work stops

    day = until.strftime("%Y-%m-%d %H:%M")
    generate = author.post("/api/generations", {"prompt": "a cat playing piano"}, format="json")
    assert generate.status_code == 403
    body = generate.json()
    assert body["code"] == "suspended" and day in body["detail"] and "Repeated harassment." in body["detail"]
    assert body["suspended_until"].startswith(until.strftime("%Y-%m-%dT%H:%M"))
    comment = author.post(f"/api/posts/{r['root'].pk}/comments", {"text": "hello"}, format="json")
    assert comment.status_code == 403 and day in comment.json()["detail"]
    assert client_for(r["author"]).get("/api/me").json()["suspended_until"]
    assert GenerationJob.objects.count() == 1 and not Comment.objects.exists()
    [note] = _notifications(r["author"])
    assert note.text.startswith(f"Your account is suspended until {day} UTC")

    # The author appeals once; a moderator grants it and the suspension ends.
    action_id = ModerationAction.objects.get().pk
    appeal = author.post(f"/api/moderation/actions/{action_id}/appeal", {"text": "That was my brother on my phone."}, format="json")
    assert appeal.status_code == 201 and appeal.json()["status"] == "pending"
    again = author.post(f"/api/moderation/actions/{action_id}/appeal", {"text": "Please!"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_appealed"
    pending = client_for(r["moderator"]).get("/api/moderation/appeals").json()["results"]
    assert [a["text"] for a in pending] == ["That was my brother on my phone."]
    decided = client_for(r["moderator"]).post(
        f"/api/moderation/appeals/{appeal.json()['id']}/decision", {"decision": "grant", "reason": "Fair enough."}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "granted"
    assert author.post("/api/generations", {"prompt": "a cat playing piano"}, format="json").status_code == 202
    assert _notifications(r["author"])[-1].text == "Your appeal was granted and the decision reversed: Fair enough."


def test_an_appeal_granted_restores_a_taken_down_post_and_a_removed_comment(reported, client_for):
    r = reported
    comment = Comment.objects.create(post=r["root"], author=r["author"], text="you are all idiots")
    Post.objects.filter(pk=r["root"].pk).update(comment_count=1)
    rep = _report(client_for(r["ben"]), r["root"].pk, "Insulting.", comment=comment.pk)
    assert rep.status_code == 201 and rep.json()["kind"] == "comment"
    mod = client_for(r["moderator"])
    removed = _act(mod, action="take_down", comment=comment.pk, reason="Insults are not allowed.")
    assert removed.status_code == 201, removed.content
    assert not Comment.objects.exists() and Post.objects.get(pk=r["root"].pk).comment_count == 0
    report = Report.objects.get()
    assert (report.status, report.comment_id, report.comment_text) == ("actioned", None, "you are all idiots")
    assert _notifications(r["author"])[0].text == "Your comment was removed: Insults are not allowed."
    assert _notifications(r["ben"])[0].text.startswith("The comment you reported was taken down")

    _act(mod, action="take_down", post=r["post"].pk, reason="Likeness without consent.")
    author = client_for(r["author"])
    decisions = {d["action"] + ("-comment" if d["comment_text"] else ""): d["id"] for d in author.get("/api/me/moderation").json()["results"]}
    for key in ("take_down", "take_down-comment"):
        appeal = author.post(f"/api/moderation/actions/{decisions[key]}/appeal", {"text": "Please look again."}, format="json")
        mod.post(f"/api/moderation/appeals/{appeal.json()['id']}/decision", {"decision": "grant", "reason": "Restored."}, format="json")
    assert Post.objects.get(pk=r["post"].pk).state == "published"
    assert Post.objects.get(pk=r["root"].pk).remix_count == 1 and Post.objects.get(pk=r["root"].pk).comment_count == 1
    restored = Comment.objects.get()
    assert (restored.author, restored.text, restored.created_at) == (r["author"], "you are all idiots", comment.created_at)
    assert ModerationAction.objects.filter(reversed_at__isnull=False).count() == 2


def test_a_denied_appeal_changes_nothing_and_dismissals_cannot_be_appealed(reported, client_for):
    r = reported
    mod = client_for(r["moderator"])
    _act(mod, action="take_down", post=r["post"].pk, reason="Gore.")
    author = client_for(r["author"])
    action_id = ModerationAction.objects.get().pk
    appeal_id = author.post(f"/api/moderation/actions/{action_id}/appeal", {"text": "It was ketchup."}, format="json").json()["id"]
    denied = mod.post(f"/api/moderation/appeals/{appeal_id}/decision", {"decision": "deny", "reason": "It was not."}, format="json")
    assert denied.status_code == 200 and denied.json()["status"] == "denied"
    assert Post.objects.get(pk=r["post"].pk).state == "taken_down"
    again = mod.post(f"/api/moderation/appeals/{appeal_id}/decision", {"decision": "grant", "reason": "Hm."}, format="json")
    assert again.status_code == 409
    _report(client_for(r["rita"]), r["root"].pk, "Boring.")
    dismissal = _act(mod, action="dismiss", post=r["root"].pk, reason="Not a rule.").json()["id"]
    ben = client_for(r["ben"])
    refused = ben.post(f"/api/moderation/actions/{dismissal}/appeal", {"text": "?"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_appealable"


# --- bad input: 4xx JSON, nothing changes --------------------------------------------------------------------


def test_reports_on_what_you_cannot_see_and_bad_reasons(reported, client_for, make_post, make_user):
    from accounts.services import block_create

    r = reported
    rita = client_for(r["rita"])
    private = make_post(r["ben"], visibility="private")
    gone = make_post(r["ben"], state="taken_down")
    blocker = make_user("blocker")
    blocked_post = make_post(blocker)
    block_create(blocker=blocker, blocked=r["rita"])
    other_comment = Comment.objects.create(post=r["root"], author=r["ben"], text="hi")
    cases = [
        (private.pk, {"reason": "bad"}, 404),
        (gone.pk, {"reason": "bad"}, 404),
        (blocked_post.pk, {"reason": "bad"}, 404),
        (999999, {"reason": "bad"}, 404),
        (r["post"].pk, {"reason": ""}, 400),
        (r["post"].pk, {"reason": "   "}, 400),
        (r["post"].pk, {"reason": "x" * 1001}, 400),
        (r["post"].pk, {"reason": "bad", "kind": "spam"}, 400),
        (r["post"].pk, {"reason": "bad", "comment": other_comment.pk}, 404),
        (r["post"].pk, {"reason": "bad", "kind": "comment"}, 400),
    ]
    for post_id, body, code in cases:
        response = rita.post(f"/api/posts/{post_id}/report", body, format="json")
        assert response.status_code == code, (post_id, body, response.content)
        assert response.json()["detail"] and response.json()["code"]
    assert not Report.objects.exists()


def test_moderation_by_non_staff_is_403_json_and_changes_nothing(reported, client_for):
    r = reported
    _report(client_for(r["rita"]), r["post"].pk)
    sam = client_for(r["sam"])
    for method, url, body in [
        ("get", "/api/moderation/queue", None),
        ("get", "/api/moderation/actions", None),
        ("post", "/api/moderation/actions", {"action": "take_down", "post": r["post"].pk, "reason": "mine now"}),
        ("get", "/api/moderation/appeals", None),
        ("post", "/api/moderation/appeals/1/decision", {"decision": "grant", "reason": "x"}),
        ("get", "/api/moderation/refusals", None),
    ]:
        response = getattr(sam, method)(url, body, format="json")
        assert response.status_code == 403, (url, response.content)
        assert response.json() == {"detail": "Only moderators (staff) can do that.", "code": "not_staff"}
    from rest_framework.test import APIClient

    assert APIClient().get("/api/moderation/queue").status_code == 401
    assert Post.objects.get(pk=r["post"].pk).state == "published"
    assert Report.objects.get().status == "open" and not ModerationAction.objects.exists()


def test_bad_moderation_input_is_4xx_and_changes_nothing(reported, client_for):
    r = reported
    _report(client_for(r["rita"]), r["post"].pk)
    mod = client_for(r["moderator"])
    past = (timezone.now() - timedelta(days=1)).isoformat()
    far = (timezone.now() + timedelta(days=4000)).isoformat()
    cases = [
        ({"action": "take_down", "post": r["post"].pk, "reason": ""}, 400, "reason_empty"),
        ({"action": "take_down", "post": r["post"].pk, "reason": "x" * 501}, 400, "reason_too_long"),
        ({"action": "explode", "post": r["post"].pk, "reason": "x"}, 400, "invalid"),
        ({"action": "suspend", "user": "author", "reason": "x"}, 400, "until_required"),
        ({"action": "suspend", "user": "author", "reason": "x", "until": past}, 400, "until_past"),
        ({"action": "suspend", "user": "author", "reason": "x", "until": far}, 400, "until_too_far"),
        ({"action": "warn", "post": r["post"].pk, "reason": "x", "until": far}, 400, "until_unexpected"),
        ({"action": "warn", "reason": "x"}, 400, "target_required"),
        ({"action": "warn", "user": "nobody", "reason": "x"}, 404, "user_not_found"),
        ({"action": "take_down", "post": 999999, "reason": "x"}, 404, "post_not_found"),
        ({"action": "take_down", "comment": 999999, "reason": "x"}, 404, "comment_not_found"),
        ({"action": "dismiss", "post": r["root"].pk, "reason": "x"}, 409, "nothing_to_dismiss"),
        ({"action": "dismiss", "post": r["post"].pk, "reason": "x", "reports": [999999]}, 409, "reports_not_open"),
        ({"action": "warn", "user": "mod", "reason": "x"}, 403, "own_content"),
    ]
    for body, code, machine in cases:
        response = _act(mod, **body)
        assert (response.status_code, response.json()["code"]) == (code, machine), (body, response.content)
        assert response.json()["detail"]
    assert not ModerationAction.objects.exists()
    assert Report.objects.get().status == "open" and Post.objects.get(pk=r["post"].pk).state == "published"
    author = client_for(r["author"])
    assert author.post("/api/moderation/actions/999999/appeal", {"text": "x"}, format="json").status_code == 404
    assert not Notification.objects.filter(kind="moderation").exists()
    # Taking down what is already down is a conflict.
    _act(mod, action="take_down", post=r["post"].pk, reason="Gore.")
    again = _act(mod, action="take_down", post=r["post"].pk, reason="Gore.")
    assert again.status_code == 409 and again.json()["code"] == "not_published"
    action_id = ModerationAction.objects.get().pk
    empty = author.post(f"/api/moderation/actions/{action_id}/appeal", {"text": " "}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "appeal_empty"
    stranger = client_for(r["sam"]).post(f"/api/moderation/actions/{action_id}/appeal", {"text": "mine?"}, format="json")
    assert stranger.status_code == 404
    assert not Appeal.objects.exists()


def test_the_queue_reads_a_fixed_number_of_queries_whatever_its_length(make_user, make_post, make_cameo, client_for, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mod = client_for(staff())
    reporters = [make_user(f"reporter{n}") for n in range(3)]

    def add_groups(n: int) -> None:
        for i in range(n):
            author = make_user()
            post = make_post(author)
            CameoUse.objects.create(cameo=make_cameo(author, name=f"C{i}"), user=author, post=post, basis="owner")
            PolicyRefusal.objects.create(user=author, text="x", rule="hate", category="hate")
            for reporter in reporters:
                Report.objects.create(reporter=reporter, post=post, reason="bad")

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = mod.get("/api/moderation/queue?page_size=50")
        return len(response.json()["results"]), len(captured)

    add_groups(2)
    few = count()
    add_groups(6)
    many = count()
    assert (few[0], many[0]) == (2, 8)
    assert many[1] == few[1], (few, many)
