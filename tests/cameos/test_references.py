"""Creating cameos: what the web process accepts (Pillow only), what the worker's reference check decides, and
who can see which media."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from accounts.models import Notification
from cameos import tasks
from cameos.models import Cameo, CameoReference
from tests.conftest import assert_signed_url

from .conftest import (
    astronaut,
    cat,
    cat_views,
    coffee,
    fetch,
    jpeg,
    other_person,
    png_bomb,
    stored_files,
    two_astronauts,
    upload,
)

pytestmark = pytest.mark.django_db


def _create(client, *files, **fields):
    data = {"name": "Olivia", "kind": "person", **fields, "reference": list(files)}
    return client.post("/api/cameos", data, format="multipart")


def _stored_cameo_files() -> set[str]:
    return stored_files("cameos")


def test_person_cameo_is_checked_by_the_worker_then_ready_with_an_avatar(
    make_user, client_for, django_capture_on_commit_callbacks
):
    owner = make_user("olivia")
    client = client_for(owner)
    photo = jpeg(astronaut(), exif=_exif_with_gps())
    with django_capture_on_commit_callbacks() as queued:
        response = _create(client, upload("me.jpg", photo), permission="everyone", restrictions="no politics")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference_check"] == {"state": "pending", "reason": ""}
    assert body["verification"]["state"] == "none" and body["verified"] is False
    assert body["avatar_url"] == "" and body["can_use"] is False
    assert len(queued) == 1  # the check is sent to the worker after commit, not run here

    cameo = Cameo.objects.get(pk=body["id"])
    stored = CameoReference.objects.get(cameo=cameo)
    with default_storage.open(stored.file) as handle:
        kept = Image.open(io.BytesIO(handle.read()))
        assert kept.format == "JPEG"
        assert not kept.getexif() and "icc_profile" not in kept.info  # metadata stripped

    assert tasks.check_references(cameo.pk) == "ready"  # what the worker runs

    cameo.refresh_from_db()
    assert cameo.reference_state == "ready" and default_storage.exists(cameo.avatar)
    with default_storage.open(cameo.avatar) as handle:
        assert Image.open(handle).size == (192, 192)
    assert len(CameoReference.objects.get(cameo=cameo).face_encoding) == 128 * 8
    note = Notification.objects.get(recipient=owner, kind="system")
    assert "ready" in note.text and note.data["reference_check"] == "ready"
    body = client.get(f"/api/cameos/{cameo.pk}").json()
    assert body["reference_check"]["state"] == "ready" and body["avatar_url"]
    # The photos are checked, but nothing proves whose face it is until the person verifies it.
    assert body["can_use"] is False and body["verify_url"] == f"/cameos/{cameo.pk}/#verify"


def _exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}
    return exif.tobytes()


@pytest.mark.parametrize(
    "picture, reason",
    [
        (cat, "The photo shows no face. Use a clear photo of your face, looking at the camera."),
        (two_astronauts, "The photo shows 2 faces. Use photos of you alone."),
    ],
    ids=["no-face", "two-faces"],
)
def test_person_reference_without_exactly_one_face_is_rejected_by_the_worker(make_user, client_for, picture, reason):
    owner = make_user("olivia")
    client = client_for(owner)
    response = _create(client, upload("me.jpg", jpeg(picture())))
    assert response.status_code == 201
    cameo_id = response.json()["id"]

    assert tasks.check_references(cameo_id) == "rejected"

    body = client.get(f"/api/cameos/{cameo_id}").json()
    assert body["reference_check"] == {"state": "rejected", "reason": reason}
    assert body["avatar_url"] == "" and body["can_use"] is False
    assert Notification.objects.get(recipient=owner, kind="system").text.endswith(reason)
    generation = client.post("/api/generations", {"prompt": "a walk", "cameos": [cameo_id]}, format="json")
    assert generation.status_code == 403
    assert "did not pass the check" in generation.json()["detail"]


def test_photos_of_two_different_people_are_rejected(make_user, client_for):
    client = client_for(make_user("olivia"))
    response = _create(client, upload("a.jpg", jpeg(astronaut())), upload("b.jpg", jpeg(other_person())))
    assert response.status_code == 201
    assert tasks.check_references(response.json()["id"]) == "rejected"
    assert client.get(f"/api/cameos/{response.json()['id']}").json()["reference_check"]["reason"] == (
        "Photo 2 does not look like the same person as photo 1. Use photos of one person."
    )


def test_a_character_needs_no_face_and_no_verification(make_user, client_for):
    owner, friend = make_user("olivia"), make_user("friend")
    photos = [upload(f"cat{i}.jpg", jpeg(picture)) for i, picture in enumerate(cat_views())]
    response = _create(client_for(owner), *photos, name="Chelsea", kind="character", permission="everyone")
    assert response.status_code == 201
    assert response.json()["verification"]["state"] == "not_required"
    assert tasks.check_references(response.json()["id"]) == "ready"
    body = client_for(friend).get(f"/api/cameos/{response.json()['id']}").json()
    assert body["can_use"] is True and body["avatar_url"] and body["verified"] is False
    details = Notification.objects.get(recipient=owner, kind="system").data["details"]
    assert details["human_faces"] == [0, 0, 0] and min(details["subject_similarity"]) >= 0.6


def test_a_character_needs_three_photos_or_a_clip(make_user, client_for):
    response = _create(client_for(make_user("olivia")), upload("cat.jpg", jpeg(cat())), name="Chelsea", kind="character")
    assert response.status_code == 400 and response.json()["code"] == "character_references_missing"
    assert "at least 3 photos" in response.json()["detail"] and not Cameo.objects.exists()


@pytest.mark.parametrize(
    "pictures, reason",
    [
        (
            lambda: [astronaut(), astronaut()[:, ::-1], astronaut()[40:, 20:]],
            "Photo 1 shows a person's face. A character is a pet, an object or a drawing; to appear as yourself, "
            "make a person cameo (and verify it) instead.",
        ),
        (
            lambda: [*cat_views()[:2], coffee()],
            "Photo 3 does not seem to show the same character as the others. Use pictures of one character only.",
        ),
    ],
    ids=["a-human-face", "not-one-subject"],
)
def test_a_character_with_a_human_face_or_several_subjects_is_rejected(make_user, client_for, pictures, reason):
    client = client_for(make_user("olivia"))
    photos = [upload(f"p{i}.jpg", jpeg(picture)) for i, picture in enumerate(pictures())]
    response = _create(client, *photos, name="Not a pet", kind="character", permission="everyone")
    assert response.status_code == 201
    assert tasks.check_references(response.json()["id"]) == "rejected"
    body = client.get(f"/api/cameos/{response.json()['id']}").json()
    assert body["reference_check"] == {"state": "rejected", "reason": reason} and body["can_use"] is False


def test_the_check_runs_once_even_if_the_task_is_delivered_twice(make_user, client_for):
    response = _create(client_for(make_user("olivia")), upload("me.jpg", jpeg(astronaut())))
    assert tasks.check_references(response.json()["id"]) == "ready"
    assert tasks.check_references(response.json()["id"]) == "skipped"
    assert Notification.objects.filter(kind="system").count() == 1


@pytest.mark.parametrize(
    "make_file, status, code",
    [
        (
            lambda: upload("notes.jpg", b"these are not pixels, just words pretending" * 10, "image/jpeg"),
            400,
            "not_an_image",
        ),
        (lambda: upload("bomb.png", png_bomb(), "image/png"), 413, "image_too_large"),
        (lambda: upload("tiny.jpg", jpeg(astronaut()[:64, :64])), 400, "image_too_small"),
        (lambda: upload("huge.jpg", b"\xff\xd8\xff" + os.urandom(21 * 1024 * 1024)), 413, "upload_too_large"),
    ],
    ids=["not-an-image", "decompression-bomb", "too-small", "over-20-MB"],
)
def test_bad_references_are_refused_and_nothing_is_stored(
    make_user, client_for, django_capture_on_commit_callbacks, make_file, status, code
):
    client = client_for(make_user("olivia"))
    before = _stored_cameo_files()
    with django_capture_on_commit_callbacks() as queued:
        response = _create(client, make_file())
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code and body["detail"]
    assert not Cameo.objects.exists() and not CameoReference.objects.exists()
    assert _stored_cameo_files() == before and queued == []


def test_the_limit_counts_every_file_of_the_upload(make_user, client_for, settings):
    settings.MAX_UPLOAD_BYTES = 120_000
    photo = jpeg(astronaut())
    assert 60_000 < len(photo) < 120_000
    client = client_for(make_user("olivia"))
    before = _stored_cameo_files()
    response = _create(client, upload("me.jpg", photo), upload("again.jpg", photo))
    body = response.json()
    assert response.status_code == 413, body
    assert body["code"] == "upload_too_large" and body["max_bytes"] == 120_000
    assert body["detail"].startswith("The upload is too large") and "117 KB" in body["detail"]
    assert not Cameo.objects.exists() and _stored_cameo_files() == before


@pytest.mark.parametrize(
    "fields, code",
    [({"name": ""}, "name_empty"), ({"kind": "robot"}, "invalid"), ({"permission": "friends"}, "invalid")],
    ids=["no-name", "bad-kind", "bad-permission"],
)
def test_bad_fields_are_refused(make_user, client_for, fields, code):
    before = _stored_cameo_files()
    response = _create(client_for(make_user("olivia")), upload("me.jpg", jpeg(astronaut())), **fields)
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Cameo.objects.exists() and _stored_cameo_files() == before


def test_no_reference_file_is_refused(make_user, client_for):
    response = client_for(make_user("olivia")).post("/api/cameos", {"name": "Olivia"}, format="multipart")
    assert response.status_code == 400 and "reference" in response.json()["errors"]


def test_reference_media_reach_only_the_owner_through_signed_expiring_urls(make_user, client_for, make_cameo, client):
    owner, friend = make_user("olivia"), make_user("friend")
    cameo = make_cameo(owner, permission="everyone")
    mine = client_for(owner).get(f"/api/cameos/{cameo.pk}").json()
    theirs = client_for(friend).get(f"/api/cameos/{cameo.pk}").json()
    assert len(mine["reference_urls"]) == 1 and theirs["reference_urls"] == []
    assert theirs["avatar_url"] and theirs["reference_clip_url"] == ""

    signed = mine["reference_urls"][0]
    assert_signed_url(signed)
    assert_signed_url(theirs["avatar_url"])
    status, body = fetch(client, signed)
    assert status == 200 and body[:3] == b"\xff\xd8\xff"
    assert fetch(client, signed.split("?")[0])[0] == 403  # the bare path is refused
    forged = signed.replace("sig=", "sig=0").replace("X-Amz-Signature=", "X-Amz-Signature=0")
    assert fetch(client, forged)[0] == 403
