"""The cameo web pages: create with photos, the owner's page (verification, permission, approvals, uses with
Remove), and what others see."""

from __future__ import annotations

import pytest
from django.test import Client

from cameos.models import Cameo, CameoApproval, CameoUse
from generation.models import GenerationJob

from .conftest import astronaut, jpeg, upload

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_a_cameo_from_the_page(make_user):
    olivia = make_user("olivia")
    page = _browser(olivia)
    assert page.get("/cameos/").status_code == 200
    response = page.post(
        "/cameos/",
        {
            "name": "Olivia",
            "kind": "person",
            "permission": "approved",
            "restrictions": "no politics",
            "reference": [upload("me.jpg", jpeg(astronaut()))],
        },
    )
    cameo = Cameo.objects.get(owner=olivia)
    assert response.status_code == 302 and response["Location"] == f"/cameos/{cameo.pk}/"
    assert (cameo.name, cameo.permission, cameo.restrictions, cameo.reference_state) == (
        "Olivia",
        "approved",
        "no politics",
        "pending",
    )
    detail = page.get(response["Location"]).content.decode()
    assert "The photos are being checked." in detail


def test_a_bad_photo_shows_the_reason_on_the_page(make_user):
    page = _browser(make_user("olivia"))
    response = page.post(
        "/cameos/", {"name": "Olivia", "kind": "person", "reference": [upload("x.jpg", b"plain text")]}
    )
    assert response.status_code == 400
    assert "is not an image Riff can read" in response.content.decode()
    assert not Cameo.objects.exists()


def test_an_unverified_cameo_shows_the_owner_how_to_verify_it(make_user, make_cameo):
    olivia = make_user("olivia")
    cameo = make_cameo(olivia, permission="everyone", name="Olivia", verified=False)
    html = _browser(olivia).get(f"/cameos/{cameo.pk}/").content.decode()
    assert 'id="verify"' in html and "js/cameos.js" in html  # camera verification for an unverified person
    assert "nobody can use it, you included" in html and 'id="verify-keep-voice"' in html
    composer = _browser(olivia).get("/create/").content.decode()
    assert 'id="cameos-to-verify"' in composer and f'href="/cameos/{cameo.pk}/#verify"' in composer
    assert f'name="cameos" value="{cameo.pk}"' not in composer  # not offered until verified


def test_the_owners_page_lists_uses_and_removes_them(make_user, make_cameo, client_for):
    olivia = make_user("olivia")
    cameo = make_cameo(olivia, permission="everyone", name="Olivia")
    job_id = (
        client_for(olivia)
        .post("/api/generations", {"prompt": "my own walk", "cameos": [cameo.pk]}, format="json")
        .json()["id"]
    )
    page = _browser(olivia)

    html = page.get(f"/cameos/{cameo.pk}/").content.decode()
    assert 'id="verify"' not in html  # verified already
    assert "my own walk" in html and "Remove" in html and "Reference photo 1" in html

    use = CameoUse.objects.get(job_id=job_id)
    response = page.post(f"/cameos/{cameo.pk}/action", {"action": "remove_use", "use": use.pk})
    assert response.status_code == 302
    assert GenerationJob.objects.get(pk=job_id).status == "cancelled"
    assert "Use removed." in page.get(f"/cameos/{cameo.pk}/").content.decode()


def test_permission_and_approvals_from_the_page(make_user, make_cameo):
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="everyone")
    page = _browser(olivia)
    page.post(
        f"/cameos/{cameo.pk}/action", {"action": "update", "name": "Liv", "permission": "approved", "restrictions": ""}
    )
    page.post(f"/cameos/{cameo.pk}/action", {"action": "approve", "username": "ana"})
    cameo.refresh_from_db()
    assert (cameo.name, cameo.permission) == ("Liv", "approved")
    assert CameoApproval.objects.filter(cameo=cameo, user=ana).exists()
    response = page.post(f"/cameos/{cameo.pk}/action", {"action": "approve", "username": "nobody"})
    assert "No account with that handle." in page.get(response["Location"]).content.decode()


def test_others_see_the_avatar_and_can_ask(make_user, make_cameo):
    olivia, ana = make_user("olivia"), make_user("ana")
    cameo = make_cameo(olivia, permission="approved")
    page = _browser(ana)
    html = page.get(f"/cameos/{cameo.pk}/").content.decode()
    assert "Ask to use it" in html and "Reference photo" not in html and "Every use" not in html
    page.post(f"/cameos/{cameo.pk}/action", {"action": "request", "message": "please"})
    assert "Your request is waiting for @olivia." in page.get(f"/cameos/{cameo.pk}/").content.decode()
    assert page.post(f"/cameos/{cameo.pk}/action", {"action": "delete"}).status_code == 302
    assert Cameo.objects.filter(pk=cameo.pk).exists()
    private = make_cameo(olivia, permission="only_me")
    assert page.get(f"/cameos/{private.pk}/").status_code == 404


def test_the_owner_hears_how_the_cameo_speaks_and_switches_the_voice_off_and_on(make_user, make_cameo):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    olivia = make_user("olivia")
    cameo = make_cameo(olivia, name="Olivia")
    cameo.voice = default_storage.save(f"cameos/{cameo.pk}/voice.wav", ContentFile(b"RIFF voice"))
    cameo.voice_sample = default_storage.save(f"cameos/{cameo.pk}/voice-sample.wav", ContentFile(b"RIFF sample"))
    cameo.voice_profile = {"f0_median": 210.0}
    cameo.save()
    page = _browser(olivia)
    html = page.get(f"/cameos/{cameo.pk}/").content.decode()
    assert 'id="voice-sample"' in html and "Your cameo speaks with your voice." in html
    assert "@olivia says" in html

    page.post(f"/cameos/{cameo.pk}/action", {"action": "voice_in_clips", "on": "0"})
    cameo.refresh_from_db()
    assert cameo.voice_in_clips is False
    html = page.get(f"/cameos/{cameo.pk}/").content.decode()
    assert "speaks with a voice from Riff&#x27;s catalogue" in html and 'id="voice-on"' in html
    page.post(f"/cameos/{cameo.pk}/action", {"action": "voice_in_clips", "on": "1"})
    cameo.refresh_from_db()
    assert cameo.voice_in_clips is True
    # Someone else's page never shows the voice.
    other = _browser(make_user("someone"))
    assert 'id="voice-sample"' not in other.get(f"/cameos/{cameo.pk}/").content.decode()


def test_the_cameo_pages_in_french_show_no_english_catalogue_string(make_user, make_cameo):
    from django.test import Client

    from tests.config.test_i18n import _english_left

    owner = make_user("olivia")
    owner.language = "fr"
    owner.save(update_fields=["language"])
    cameo = make_cameo(owner, name="Olivia", permission="approved", restrictions="pas de politique")
    client = Client()
    client.force_login(owner)
    for url in ("/cameos/", f"/cameos/{cameo.pk}/"):
        html = client.get(url).content.decode()
        assert '<html lang="fr">' in html and not _english_left(html), (url, _english_left(html))
    assert "Chaque utilisation" in client.get(f"/cameos/{cameo.pk}/").content.decode()
