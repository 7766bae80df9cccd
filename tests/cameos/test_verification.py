"""Verifying a person cameo: a fresh challenge phrase, a clip of the owner saying it, checked by the worker task
(called directly here, as the worker would; the end-to-end test sends it through a real worker)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Notification
from cameos import tasks
from cameos.models import Cameo, CameoChallenge

from .conftest import astronaut, cat, jpeg, other_person, speech, two_astronauts, upload, write_clip

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_cameo(make_user, client_for):
    """Olivia's person cameo from a real upload and a real reference check, open to everyone once verified."""
    owner = make_user("olivia")
    client = client_for(owner)
    response = client.post(
        "/api/cameos",
        {
            "name": "Olivia",
            "kind": "person",
            "permission": "everyone",
            "reference": [upload("me.jpg", jpeg(astronaut()))],
        },
        format="multipart",
    )
    assert response.status_code == 201
    assert tasks.check_references(response.json()["id"]) == "ready"
    return owner, client, Cameo.objects.get(pk=response.json()["id"])


def _challenge(client, cameo) -> dict:
    response = client.get(f"/api/cameos/{cameo.pk}/challenge")
    assert response.status_code == 200, response.json()
    return response.json()


def _submit(client, cameo, path, challenge_id=None):
    data = {"clip": upload(path.name, path.read_bytes(), "video/mp4")}
    if challenge_id is not None:
        data["challenge"] = challenge_id
    return client.post(f"/api/cameos/{cameo.pk}/verify", data, format="multipart")


def _verify(client, cameo, tmp_path, picture, audio, rate, **clip):
    challenge = _challenge(client, cameo)
    path = write_clip(tmp_path / "clip.mp4", picture, audio=audio, sample_rate=rate, **clip)
    response = _submit(client, cameo, path, challenge["id"])
    assert response.status_code == 202, response.json()
    assert response.json()["verification"]["state"] == "pending"
    task_result = tasks.verify_clip(challenge["id"])  # what the worker runs
    return task_result, client.get(f"/api/cameos/{cameo.pk}").json()


def test_a_clip_of_the_owner_saying_the_phrase_verifies_the_cameo(
    owner_cameo, make_user, client_for, tmp_path, django_capture_on_commit_callbacks
):
    owner, client, cameo = owner_cameo
    stranger = client_for(make_user("stranger"))
    assert stranger.get(f"/api/cameos/{cameo.pk}").status_code == 404  # unverified: only the owner can use it
    refused = stranger.post("/api/generations", {"prompt": "a walk", "cameos": [cameo.pk]}, format="json")
    assert refused.status_code == 404

    challenge = _challenge(client, cameo)
    assert len(challenge["phrase"].split()) == 4 and challenge["valid_for_s"] == 600
    expires = datetime.fromisoformat(challenge["expires_at"])
    assert timedelta(minutes=9) < expires - timezone.now() <= timedelta(minutes=10)
    audio, rate = speech(challenge["phrase"])
    path = write_clip(tmp_path / "clip.mp4", astronaut(), audio=audio, sample_rate=rate)
    with django_capture_on_commit_callbacks() as queued:
        response = _submit(client, cameo, path, challenge["id"])
    assert response.status_code == 202
    assert response.json()["verification"] == {"state": "pending", "reason": "", "checked_at": None}
    assert len(queued) == 1  # sent to the worker queue after commit
    stored_clip = CameoChallenge.objects.get(pk=challenge["id"]).clip
    assert default_storage.exists(stored_clip)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.verify_clip(challenge["id"]) == "passed"

    body = client.get(f"/api/cameos/{cameo.pk}").json()
    assert body["verified"] is True and body["verification"]["state"] == "verified"
    note = Notification.objects.get(recipient=owner, kind="system", data__verification="verified")
    assert note.text == "Your cameo “Olivia” is verified."
    checked = CameoChallenge.objects.get(pk=challenge["id"])
    assert checked.state == "passed" and checked.details["median_distance"] < 0.6 and checked.details["voiced_s"] > 0.48
    assert checked.clip == "" and not default_storage.exists(stored_clip)  # the clip is not kept
    assert stranger.get(f"/api/cameos/{cameo.pk}").json()["can_use"] is True
    assert (
        stranger.post("/api/generations", {"prompt": "a walk", "cameos": [cameo.pk]}, format="json").status_code == 202
    )


@pytest.mark.parametrize(
    "picture, reason",
    [
        (cat, "No face was found in most of the clip. Face the camera in good light."),
        (two_astronauts, "More than one face was in the clip. Record it alone, with only your face in view."),
        (other_person, "The face in the clip does not match the cameo's photos."),
    ],
    ids=["no-face", "two-faces", "another-person"],
)
def test_clips_without_the_owners_face_alone_are_rejected(owner_cameo, tmp_path, picture, reason):
    owner, client, cameo = owner_cameo
    phrase_audio, rate = speech("amber falcon nine meadow")
    result, body = _verify(client, cameo, tmp_path, picture(), phrase_audio, rate)
    assert result == "failed"
    assert body["verified"] is False
    assert body["verification"]["state"] == "rejected" and body["verification"]["reason"] == reason
    assert Notification.objects.get(recipient=owner, kind="system", data__verification="rejected").text.endswith(reason)


def test_a_silent_clip_is_rejected_for_no_speech(owner_cameo, tmp_path):
    _, client, cameo = owner_cameo
    phrase_audio, rate = speech("amber falcon nine meadow")
    result, body = _verify(client, cameo, tmp_path, astronaut(), np.zeros_like(phrase_audio), rate)
    assert result == "failed"
    assert body["verification"]["reason"] == "No speech was heard in the clip. Say the phrase aloud, clearly."


def test_a_clip_recorded_before_the_challenge_is_rejected(owner_cameo, tmp_path):
    _, client, cameo = owner_cameo
    phrase_audio, rate = speech("amber falcon nine meadow")
    an_hour_ago = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    result, body = _verify(client, cameo, tmp_path, astronaut(), phrase_audio, rate, creation_time=an_hour_ago)
    assert result == "failed"
    assert body["verification"]["reason"].startswith("This clip was not recorded for this challenge.")


def test_an_expired_challenge_is_refused_and_nothing_is_stored(owner_cameo, tmp_path):
    _, client, cameo = owner_cameo
    challenge = _challenge(client, cameo)
    CameoChallenge.objects.filter(pk=challenge["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    audio, rate = speech(challenge["phrase"])
    response = _submit(
        client, cameo, write_clip(tmp_path / "clip.mp4", astronaut(), audio=audio, sample_rate=rate), challenge["id"]
    )
    assert response.status_code == 409
    assert response.json()["code"] == "challenge_expired" and "expired" in response.json()["detail"]
    assert CameoChallenge.objects.get(pk=challenge["id"]).clip == ""
    assert client.get(f"/api/cameos/{cameo.pk}").json()["verification"]["state"] == "none"


def test_a_used_challenge_and_a_replayed_clip_are_refused(owner_cameo, tmp_path):
    _, client, cameo = owner_cameo
    challenge = _challenge(client, cameo)
    audio, rate = speech(challenge["phrase"])
    path = write_clip(tmp_path / "clip.mp4", other_person(), audio=audio, sample_rate=rate)
    assert _submit(client, cameo, path, challenge["id"]).status_code == 202
    tasks.verify_clip(challenge["id"])

    again = _submit(client, cameo, path, challenge["id"])
    assert again.status_code == 409 and again.json()["code"] == "challenge_used"
    latest = _submit(client, cameo, path)  # without an id: the latest phrase, which is this used one
    assert latest.status_code == 409 and latest.json()["code"] == "challenge_used"

    fresh = _challenge(client, cameo)
    replay = _submit(client, cameo, path, fresh["id"])
    assert replay.status_code == 409 and replay.json()["code"] == "clip_reused"


def test_a_new_phrase_retires_the_previous_one(owner_cameo, tmp_path):
    _, client, cameo = owner_cameo
    first = _challenge(client, cameo)
    second = _challenge(client, cameo)
    assert first["id"] != second["id"]
    audio, rate = speech(first["phrase"])
    response = _submit(
        client, cameo, write_clip(tmp_path / "clip.mp4", astronaut(), audio=audio, sample_rate=rate), first["id"]
    )
    assert response.status_code == 409 and response.json()["code"] == "challenge_expired"


def test_verification_is_for_the_owner_of_a_checked_person_cameo(
    owner_cameo, make_user, client_for, make_cameo, tmp_path
):
    owner, client, cameo = owner_cameo
    other = client_for(make_user("other"))
    assert other.get(f"/api/cameos/{cameo.pk}/challenge").status_code == 404
    character = make_cameo(owner, kind="character")
    response = client.get(f"/api/cameos/{character.pk}/challenge")
    assert response.status_code == 409 and response.json()["code"] == "not_a_person"
    not_a_video = client.post(
        f"/api/cameos/{cameo.pk}/verify",
        {"clip": upload("clip.mp4", b"not a video at all", "video/mp4")},
        format="multipart",
    )
    assert not_a_video.status_code == 400 and not_a_video.json()["code"] == "not_a_video"


def test_damaged_or_disguised_clips_are_refused_at_once_and_nothing_is_stored(owner_cameo, tmp_path):
    _, client, cameo = owner_cameo
    audio, rate = speech("amber falcon nine meadow")
    whole = write_clip(tmp_path / "clip.mp4", astronaut(), audio=audio, sample_rate=rate).read_bytes()
    sound_only = tmp_path / "sound.mp4"
    import av

    with av.open(str(sound_only), "w") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(audio[:1024].reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    for name, data in {"cut.mp4": whole[: len(whole) // 2], "sound.mp4": sound_only.read_bytes()}.items():
        challenge = _challenge(client, cameo)
        response = client.post(
            f"/api/cameos/{cameo.pk}/verify",
            {"clip": upload(name, data, "video/mp4"), "challenge": challenge["id"]},
            format="multipart",
        )
        assert response.status_code == 400, (name, response.json())
        assert response.json()["code"] == "not_a_video" and response.json()["detail"].startswith(
            "The clip cannot be used"
        )
        assert CameoChallenge.objects.get(pk=challenge["id"]).state == "issued"  # the phrase is still usable
    assert not CameoChallenge.objects.exclude(clip="").exists()
    assert client.get(f"/api/cameos/{cameo.pk}").json()["verification"]["state"] == "none"
