"""The cameo API around consent: lists, visibility, settings, requests and approvals, restrictions, and the
generation API's refusals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from cameos.models import CameoRequest, CameoUse
from generation.models import GenerationJob
from tests.conftest import assert_signed_url

from .conftest import consent_when_it_runs, relate

pytestmark = pytest.mark.django_db


def test_the_list_holds_mine_and_those_i_may_use(make_user, make_cameo, client_for):
    olivia, ana, zoe = make_user("olivia"), make_user("ana"), make_user("zoe")
    open_one = make_cameo(olivia, permission="everyone", name="Open")
    private = make_cameo(olivia, permission="only_me", name="Private")
    asks = make_cameo(olivia, permission="approved", name="Ask me")
    unverified = make_cameo(olivia, permission="everyone", verified=False, name="Unverified")
    anas = make_cameo(ana, permission="only_me", name="Ana")

    mine = client_for(olivia).get("/api/cameos").json()
    assert [c["name"] for c in mine["results"]] == ["Unverified", "Ask me", "Private", "Open"]
    assert all(c["is_owner"] for c in mine["results"]) and mine["next"] is None
    # A person cameo is used by nobody before its person verified it, its owner included; the owner is shown
    # where to verify it.
    assert {c["name"]: c["can_use"] for c in mine["results"]} == {
        "Unverified": False, "Ask me": True, "Private": True, "Open": True
    }
    assert [c["verify_url"] for c in mine["results"]] == [f"/cameos/{unverified.pk}/#verify", None, None, None]

    anas_view = client_for(ana).get("/api/cameos").json()["results"]
    assert {c["id"] for c in anas_view} == {anas.pk, open_one.pk}
    shown = next(c for c in anas_view if c["id"] == open_one.pk)
    assert shown["owner"] == {"username": "olivia", "display_name": ""}
    assert shown["reference_urls"] == []
    assert_signed_url(shown["avatar_url"])
    assert set(shown) >= {
        "id",
        "owner",
        "name",
        "kind",
        "permission",
        "verified",
        "verification",
        "restrictions",
        "avatar_url",
        "reference_urls",
        "created_at",
    }

    # Someone's cameos I can see but not use yet (to ask for one): ?owner=
    of_olivia = client_for(zoe).get("/api/cameos?owner=olivia").json()["results"]
    assert {(c["name"], c["can_use"]) for c in of_olivia} == {("Open", True), ("Ask me", False)}
    assert client_for(zoe).get(f"/api/cameos/{private.pk}").status_code == 404
    assert client_for(zoe).get(f"/api/cameos/{unverified.pk}").status_code == 404
    assert client_for(zoe).get(f"/api/cameos/{asks.pk}").json()["can_use"] is False


def test_the_list_takes_the_same_number_of_queries_for_any_page_size(make_user, make_cameo, client_for):
    olivia, ana = make_user("olivia"), make_user("ana")
    for i in range(2):
        make_cameo(olivia, permission="everyone", name=f"c{i}")
    client = client_for(ana)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/cameos").json()["results"]) == 2
    for i in range(8):
        make_cameo(make_user(f"o{i}"), permission="everyone", name=f"d{i}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/cameos").json()["results"]) == 10
    assert len(many) == len(few)
    page = client.get("/api/cameos?page_size=4").json()
    assert len(page["results"]) == 4 and page["next"]
    rest = client.get(f"/api/cameos?page_size=4&cursor={page['next']}").json()["results"]
    assert not {c["id"] for c in rest} & {c["id"] for c in page["results"]}


def test_settings_are_the_owners(make_user, make_cameo, client_for):
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="everyone")
    changed = client_for(olivia).patch(
        f"/api/cameos/{cameo.pk}",
        {"name": "Liv", "permission": "mutuals", "restrictions": "no politics"},
        format="json",
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["permission"], changed.json()["restrictions"]) == (
        "Liv",
        "mutuals",
        "no politics",
    )
    refused = client_for(ana).patch(f"/api/cameos/{cameo.pk}", {"permission": "everyone"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_owner"
    assert client_for(ana).delete(f"/api/cameos/{cameo.pk}").status_code == 403
    bad = client_for(olivia).patch(f"/api/cameos/{cameo.pk}", {"permission": "friends"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"]["permission"]


def test_requests_and_approvals(make_user, make_cameo, client_for):
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="approved", name="Olivia")
    mine, theirs = client_for(olivia), client_for(ana)

    asked = theirs.post(f"/api/cameos/{cameo.pk}/requests", {"message": "for my birthday clip"}, format="json")
    assert asked.status_code == 201 and asked.json()["state"] == "pending"
    assert theirs.post(f"/api/cameos/{cameo.pk}/requests", {}, format="json").status_code == 200  # asking twice
    note = Notification.objects.get(recipient=olivia, kind="cameo_request")
    assert note.text == "@ana asks to use your cameo “Olivia”." and note.actor == ana
    assert theirs.get(f"/api/cameos/{cameo.pk}").json()["my_request"] == "pending"
    assert theirs.get(f"/api/cameos/{cameo.pk}/requests").status_code == 403
    pending = mine.get(f"/api/cameos/{cameo.pk}/requests").json()["results"]
    assert [(r["user"]["username"], r["message"]) for r in pending] == [("ana", "for my birthday clip")]

    approved = mine.post(f"/api/cameos/{cameo.pk}/approvals", {"username": "ana"}, format="json")
    assert approved.status_code == 201 and approved.json()["user"]["username"] == "ana"
    assert CameoRequest.objects.get().state == "approved"
    told = Notification.objects.get(recipient=ana, kind="cameo_approved")
    assert told.text == "@olivia approved you to use the cameo “Olivia”."
    assert [a["user"]["username"] for a in mine.get(f"/api/cameos/{cameo.pk}/approvals").json()["results"]] == ["ana"]
    assert mine.get(f"/api/cameos/{cameo.pk}/requests").json()["results"] == []
    assert theirs.get(f"/api/cameos/{cameo.pk}").json()["can_use"] is True
    again = theirs.post(f"/api/cameos/{cameo.pk}/requests", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_allowed"

    assert mine.delete(f"/api/cameos/{cameo.pk}/approvals/ana").status_code == 204
    assert mine.delete(f"/api/cameos/{cameo.pk}/approvals/ana").status_code == 404
    assert theirs.get(f"/api/cameos/{cameo.pk}").json()["can_use"] is False


def test_declining_and_withdrawing_requests(make_user, make_cameo, client_for):
    olivia, ana, ben = make_user("olivia"), make_user("ana"), make_user("ben")
    cameo = make_cameo(olivia, permission="approved")
    for user in (ana, ben):
        assert client_for(user).post(f"/api/cameos/{cameo.pk}/requests", {}, format="json").status_code == 201
    declined = client_for(olivia).delete(f"/api/cameos/{cameo.pk}/requests/ana")
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    withdrawn = client_for(ben).delete(f"/api/cameos/{cameo.pk}/requests/ben")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert client_for(ben).delete(f"/api/cameos/{cameo.pk}/requests/ana").status_code == 403
    assert not CameoRequest.objects.filter(state="pending").exists()


def test_blocked_people_cannot_ask_or_be_approved(make_user, make_cameo, client_for):
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="approved")
    relate(olivia, ana, blocked=True)
    assert client_for(ana).post(f"/api/cameos/{cameo.pk}/requests", {}, format="json").status_code == 404
    refused = client_for(olivia).post(f"/api/cameos/{cameo.pk}/approvals", {"username": "ana"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "blocked"


def test_a_job_may_name_at_most_two_cameos(make_user, make_cameo, client_for):
    olivia = make_user("olivia")
    ids = [make_cameo(olivia, name=f"c{i}").pk for i in range(3)]
    client = client_for(olivia)
    response = client.post("/api/generations", {"prompt": "three of us", "cameos": ids}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "A clip can use at most 2 cameos.", "code": "too_many_cameos"}
    assert not GenerationJob.objects.exists() and not CameoUse.objects.exists()
    two = client.post("/api/generations", {"prompt": "two of us", "cameos": ids[:2]}, format="json")
    assert two.status_code == 202 and CameoUse.objects.count() == 2


def test_a_cameo_you_cannot_see_is_a_404_and_nothing_is_stored(make_user, make_cameo, client_for):
    olivia, ana = make_user("olivia"), make_user("ana")
    private = make_cameo(olivia, permission="only_me")
    client = client_for(ana)
    for cameo_id in (private.pk, 987654):
        response = client.post("/api/generations", {"prompt": "hello", "cameos": [cameo_id]}, format="json")
        assert response.status_code == 404
        assert response.json() == {"detail": f"There is no cameo {cameo_id} you can use.", "code": "cameo_not_found"}
        assert client.get(f"/api/cameos/{cameo_id}").json() == {
            "detail": "There is no such cameo.",
            "code": "not_found",
        }
    assert not GenerationJob.objects.exists() and not CameoUse.objects.exists()


def test_restriction_phrases_are_refused_when_the_job_is_created(make_user, make_cameo, client_for):
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="everyone", name="Olivia", restrictions="no politics; always wearing a hat")
    response = client_for(ana).post(
        "/api/generations", {"prompt": "me talking politics on TV", "cameos": [cameo.pk]}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "@olivia does not allow this use of “Olivia”: “no politics”."
    assert response.json()["restriction"] == "no politics"
    assert not GenerationJob.objects.exists()
    # The owner's own restrictions do not bind the owner.
    assert (
        client_for(olivia)
        .post("/api/generations", {"prompt": "me talking politics", "cameos": [cameo.pk]}, format="json")
        .status_code
        == 202
    )


def test_the_worker_refuses_prompts_that_mean_what_a_restriction_forbids(make_user, make_cameo, client_for, settings):
    """The phrase check lets "an election rally" through "no politics"; the worker's semantic check (sentence
    embeddings) stops it and names the restriction."""
    settings.GENERATION_MAX_ACTIVE_PER_USER = 5
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="everyone", name="Olivia", restrictions="no politics; no alcohol")
    client = client_for(ana)
    rally = client.post(
        "/api/generations",
        {"prompt": "me giving a fiery speech at an election rally", "cameos": [cameo.pk]},
        format="json",
    )
    whiskey = client.post(
        "/api/generations", {"prompt": "me sipping whiskey at a bar", "cameos": [cameo.pk]}, format="json"
    )
    harmless = client.post(
        "/api/generations", {"prompt": "me riding a bicycle through a sunny park", "cameos": [cameo.pk]}, format="json"
    )
    assert rally.status_code == whiskey.status_code == harmless.status_code == 202

    assert consent_when_it_runs(GenerationJob.objects.get(pk=rally.json()["id"])) == (
        "@olivia does not allow this use of “Olivia”: “no politics”."
    )
    assert consent_when_it_runs(GenerationJob.objects.get(pk=whiskey.json()["id"])) == (
        "@olivia does not allow this use of “Olivia”: “no alcohol”."
    )
    assert consent_when_it_runs(GenerationJob.objects.get(pk=harmless.json()["id"])) is None


def test_new_restrictions_stop_pending_uses_that_break_them(make_user, make_cameo, client_for, settings):
    settings.GENERATION_MAX_ACTIVE_PER_USER = 5
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="everyone", name="Olivia")
    client = client_for(ana)
    beer = client.post(
        "/api/generations", {"prompt": "me drinking beer at a pub", "cameos": [cameo.pk]}, format="json"
    ).json()["id"]
    kite = client.post("/api/generations", {"prompt": "me flying a kite", "cameos": [cameo.pk]}, format="json").json()[
        "id"
    ]

    assert (
        client_for(olivia).patch(f"/api/cameos/{cameo.pk}", {"restrictions": "no beer"}, format="json").status_code
        == 200
    )

    stopped = GenerationJob.objects.get(pk=beer)
    assert stopped.status == "cancelled" and stopped.error == "@olivia does not allow this use of “Olivia”: “no beer”."
    assert GenerationJob.objects.get(pk=kite).status == "queued"


def test_when_the_restrictions_cannot_be_checked_the_job_does_not_run(make_user, make_cameo, client_for, monkeypatch):
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="everyone", name="Olivia", restrictions="no politics")
    job_id = (
        client_for(ana)
        .post("/api/generations", {"prompt": "me at a rally", "cameos": [cameo.pk]}, format="json")
        .json()["id"]
    )

    def model_missing(texts):
        raise OSError("the sentence-embedding model is not installed")

    monkeypatch.setattr("core.embeddings.embed_texts", model_missing)
    assert consent_when_it_runs(GenerationJob.objects.get(pk=job_id)) == (
        "The restrictions of the cameo “Olivia” could not be checked, so it was not used. Try again later."
    )


def test_restrictions_written_in_french_are_refused_when_the_job_is_created(make_user, make_cameo, client_for):
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="everyone", name="Olivia",
                       restrictions="pas de politique ; jamais d'alcool\naucun chapeau")
    client = client_for(ana)
    for prompt, clause in (("moi dans un débat de politique à la télé", "pas de politique"),
                           ("moi avec un verre d'alcool au bar", "jamais d'alcool"),
                           ("moi avec un grand chapeau", "aucun chapeau")):
        response = client.post("/api/generations", {"prompt": prompt, "cameos": [cameo.pk]}, format="json")
        assert response.status_code == 403, (prompt, response.json())
        assert response.json()["restriction"] == clause
    assert not GenerationJob.objects.exists()
    allowed = client.post("/api/generations", {"prompt": "moi à la plage au coucher du soleil", "cameos": [cameo.pk]},
                          format="json")
    assert allowed.status_code == 202, allowed.json()


def test_a_restriction_in_one_language_refuses_a_prompt_in_the_other(make_user, make_cameo, client_for, settings):
    """Meaning crosses languages: "pas de politique" stops an English rally, "no alcohol" a French bar."""
    settings.GENERATION_MAX_ACTIVE_PER_USER = 5
    olivia, ana = make_user("olivia"), make_user("ana")
    french = make_cameo(olivia, permission="everyone", name="Olivia", restrictions="pas de politique")
    english = make_cameo(make_user("max"), permission="everyone", name="Max", restrictions="no alcohol")
    client = client_for(ana)
    rally = client.post("/api/generations", {"prompt": "me debating the president on live television",
                                             "cameos": [french.pk]}, format="json")
    bar = client.post("/api/generations", {"prompt": "moi qui bois une bière au bar avec des amis",
                                           "cameos": [english.pk]}, format="json")
    park = client.post("/api/generations", {"prompt": "moi à vélo dans un parc ensoleillé", "cameos": [english.pk]},
                       format="json")
    assert rally.status_code == bar.status_code == park.status_code == 202  # no phrase names what is forbidden
    assert consent_when_it_runs(GenerationJob.objects.get(pk=rally.json()["id"])) == (
        "@olivia does not allow this use of “Olivia”: “pas de politique”.")
    assert consent_when_it_runs(GenerationJob.objects.get(pk=bar.json()["id"])) == (
        "@max does not allow this use of “Max”: “no alcohol”.")
    assert consent_when_it_runs(GenerationJob.objects.get(pk=park.json()["id"])) is None
