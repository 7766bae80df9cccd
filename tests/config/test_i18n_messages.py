"""Messages in the member's language beyond the pages: every API refusal, what the workers write (a check's reason,
a failed job), and notifications, which read in the reader's language at the moment they are read."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _french(make_user, client_for, username: str = "ana"):
    user = make_user(username)
    client = client_for(user)
    assert client.patch("/api/me", {"language": "fr"}, format="json").status_code == 200
    return user, client


# (method, url, body, the French message): refusals from each app and from the shared layers below them.
REFUSALS = [
    ("post", "/api/generations", {"prompt": ""}, "Écrivez un prompt : décrivez le clip que vous voulez."),
    ("post", "/api/generations", {"prompt": "a cat", "duration_s": 99}, None),
    ("post", "/api/generations", {"kind": "storyboard", "shots": [{"prompt": "", "duration_s": 3}]},
     "Plan 1 : écrivez ce qui s'y passe."),
    ("post", "/api/generations", {"kind": "stitch", "sources": [{"draft": 999999}]},
     "Un assemblage réunit au moins deux de vos brouillons."),
    ("get", "/api/feed?tab=nope", None, "Onglet « nope » inconnu. Utilisez for_you, following ou latest."),
    ("get", "/api/feed?cursor=garbage", None, "Le curseur de page n'est pas valide. Recommencez depuis la première page."),
    ("get", "/api/cameos/999999", None, "Ce caméo n'existe pas."),
    ("post", "/api/users/ana/follow", None, "Vous ne pouvez pas vous suivre vous-même."),
    ("get", "/api/posts/999999", None, "Cette publication n'existe pas."),
    ("get", "/api/moderation/queue", None, "Seuls les modérateurs (l'équipe) peuvent faire cela."),
    ("get", "/api/generations/999999", None, "Cette génération n'existe pas."),
]


@pytest.mark.parametrize("method, url, body, french", REFUSALS, ids=[f"{m} {u}" for m, u, _, _ in REFUSALS])
def test_api_refusals_come_in_the_members_language(make_user, client_for, purge_queues, method, url, body, french):
    _, client = _french(make_user, client_for)
    english = client_for(make_user("ben"))
    url_for_ben = url.replace("/users/ana/", "/users/ben/")
    send = lambda c, u: getattr(c, method)(u, body, format="json") if body is not None else getattr(c, method)(u)  # noqa: E731
    fr, en = send(client, url), send(english, url_for_ben)
    assert fr.status_code == en.status_code and fr.status_code >= 400, (fr.json(), en.json())
    assert fr.json()["code"] == en.json()["code"]
    if french is not None:
        assert fr.json()["detail"] == french
    assert fr.json()["detail"] != en.json()["detail"], en.json()["detail"]


def test_an_upload_refusal_names_the_upload_in_the_members_language(make_user, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _, client = _french(make_user, client_for)
    photo = SimpleUploadedFile("me.jpg", b"not a picture at all", content_type="image/jpeg")
    response = client.post("/api/cameos", {"name": "Moi", "kind": "person", "reference": [photo]}, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "La photo de référence : ce n'est pas une image que Riff sait lire. Envoyez une photo JPEG, PNG ou WebP.")


def test_notifications_read_in_the_readers_language_even_after_a_switch(make_user, client_for):
    ben, ben_client = _french(make_user, client_for, "ben")
    ana = make_user("ana")
    assert client_for(ana).post("/api/users/ben/follow").status_code in (200, 201)
    [note] = ben_client.get("/api/notifications").json()["results"]
    assert note["text"] == "@ana a commencé à vous suivre."
    ben_client.patch("/api/me", {"language": "en"}, format="json")
    [note] = ben_client.get("/api/notifications").json()["results"]
    assert note["text"] == "@ana started following you."
    from django.test import Client

    browser = Client()
    browser.force_login(ben)
    assert "@ana started following you." in browser.get("/notifications/").content.decode()
    ben.language = "fr"
    ben.save(update_fields=["language"])
    assert "@ana a commencé à vous suivre." in browser.get("/notifications/").content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
def test_the_workers_reasons_are_written_in_the_owners_language(make_user, client_for):
    """The reference check runs in the worker, with no browser to ask: it writes in the owner's chosen language."""
    from cameos import tasks
    from cameos.models import Cameo
    from tests.cameos.conftest import cat, jpeg, upload

    owner, client = _french(make_user, client_for, "olivia")
    created = client.post(
        "/api/cameos", {"name": "Moi", "kind": "person", "reference": [upload("cat.jpg", jpeg(cat()))]},
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    tasks.check_references(created.json()["id"])
    cameo = Cameo.objects.get(pk=created.json()["id"])
    assert cameo.reference_state == "rejected"
    assert cameo.reference_reason == (
        "La photo ne montre aucun visage. Utilisez une photo nette de votre visage, face à l'objectif.")
    [note] = client.get("/api/notifications").json()["results"]
    assert note["text"].startswith("Les photos de votre caméo « Moi » n'ont pas été acceptées : La photo ne montre")


def patch_gettext(translations: dict):
    from unittest import mock

    from django.utils import translation

    real = translation.gettext
    return mock.patch.object(translation, "gettext", lambda message: translations.get(message, real(message)))


def test_a_message_the_catalogue_cannot_fill_falls_back_to_english():
    from django.utils import translation

    from core.i18n import member_language, render

    with translation.override("fr"):
        assert render("Not in any catalogue, {name}.", {"name": "Ana"}) == "Not in any catalogue, Ana."
        assert render("@{actor} liked your clip.", {"actor": "ana"}) == "@ana aime votre clip."
        # A value missing from the stored params stays as its name; a broken translation gives the English.
        assert render("@{actor} liked your clip.", {}) == "@{actor} aime votre clip."
        assert render("Photo {number}", {"number": 2}) == "La photo 2"
    with translation.override("fr"), patch_gettext({"Photo {number}": "La photo {number:x}"}):
        assert render("Photo {number}", {"number": "deux"}) == "Photo deux"

    class Member:
        language = "xx"

    assert member_language(Member()) == "en"


def test_the_moderation_page_in_french_shows_no_english_catalogue_string(make_user):
    from django.test import Client

    from feed.models import Post, Report
    from moderation.models import Appeal, ModerationAction

    from .test_i18n import _english_left

    moderator = make_user("mona")
    moderator.is_staff, moderator.language = True, "fr"
    moderator.save(update_fields=["is_staff", "language"])
    author, reporter = make_user("ben"), make_user("rita")
    post = Post.objects.create(author=author, video="clips/1.mp4", poster="clips/1.jpg", prompt="a red ball", caption="b")
    Report.objects.create(reporter=reporter, post=post, reason="Spam.")
    Report.objects.create(reporter=make_user("sam"), post=post, kind="likeness", reason="That is me.")
    action = ModerationAction.objects.create(moderator=moderator, target=author, action="warn", reason="Be kind.")
    Appeal.objects.create(action=action, author=author, text="I was kind.")
    browser = Client()
    browser.force_login(moderator)
    html = browser.get("/moderation/").content.decode()
    assert "2 signalements" in html and "Spam." in html and "I was kind." in html
    assert not _english_left(html), _english_left(html)


def test_voices_and_feed_reasons_read_in_the_members_language(make_user, client_for):
    from feed.models import Post

    ana, client = _french(make_user, client_for)
    voices = {v["name"]: v["description"] for v in client.get("/api/voices").json()["results"]}
    assert voices["joe"] == "homme à la voix chaude, médium, américain"
    english = {v["name"]: v["description"] for v in client_for(make_user("ben")).get("/api/voices").json()["results"]}
    assert english["joe"] == "warm mid-range man, American"

    cleo = make_user("cleo")
    client.post("/api/users/cleo/follow")
    Post.objects.create(author=cleo, video="clips/1.mp4", poster="clips/1.jpg", prompt="a red ball", caption="b")
    following = client.get("/api/feed?tab=following").json()["results"]
    assert following[0]["reasons"] == ["vous suivez @cleo"]
    for_you = client.get("/api/feed?tab=for_you").json()["results"]
    assert "vous suivez @cleo" in for_you[0]["reasons"]


# The job runs here as in a worker: its heartbeat thread writes the lease on a connection of its own, which sees the
# job only once it is committed (on PostgreSQL a job longer than GENERATION_HEARTBEAT_S otherwise loses its lease).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
def test_a_prompt_mixing_scripts_is_made_or_refused_with_a_reason_in_the_members_language(make_user, client_for,
                                                                                          purge_queues):
    from generation import services
    from generation.worker import run_job, worker_id

    _, client = _french(make_user, client_for)
    refused = client.post("/api/generations", {"prompt": 'un chat dit "Привет, мир" dans la cuisine'}, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "Riff parle anglais et français : la réplique « Привет, мир » est écrite dans une autre écriture.")
    made = client.post("/api/generations", {"prompt": "un chat 猫 saute sur la table de la cuisine", "duration_s": 1},
                       format="json")
    assert made.status_code == 202, made.json()
    job = services.job_claim_next(worker_id=worker_id())
    run_job(job, worker_id())
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert "cat" in str(job.scene_plan).lower() and "kitchen" in str(job.scene_plan).lower()
