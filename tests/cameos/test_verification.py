"""Verifying a person cameo: a fresh challenge phrase (six digits), a clip of the owner's face saying it, checked
by the worker task (called directly here, as the worker would; the end-to-end test sends it through a real worker).

The clips are made here: Piper's voice reading the digits over the reference photo, drifting like a hand-held
phone, with the mouth opening and closing with the voice (``talking``) or held still (a photo with a voice-over).
Whisper, as the worker runs it, judges what is said."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Notification
from cameos import tasks
from cameos.models import Cameo, CameoChallenge

from .conftest import (
    astronaut,
    cat,
    challenge_for,
    fetch,
    jpeg,
    other_person,
    speech,
    submit_clip,
    two_astronauts,
    upload,
    verify_with_clip,
    write_clip,
)

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


def test_a_clip_of_the_owner_saying_the_phrase_verifies_the_cameo(
    owner_cameo, make_user, client_for, tmp_path, django_capture_on_commit_callbacks
):
    owner, client, cameo = owner_cameo
    stranger = client_for(make_user("stranger"))
    assert stranger.get(f"/api/cameos/{cameo.pk}").status_code == 404  # unverified: nobody can use it
    refused = stranger.post("/api/generations", {"prompt": "a walk", "cameos": [cameo.pk]}, format="json")
    assert refused.status_code == 404
    mine = client.post("/api/generations", {"prompt": "me on a walk", "cameos": [cameo.pk]}, format="json")
    assert mine.status_code == 403 and mine.json()["code"] == "cameo_not_verified"
    assert mine.json()["verify_url"] == f"/cameos/{cameo.pk}/#verify" and "yours included" in mine.json()["detail"]

    challenge = challenge_for(client, cameo)
    digits = challenge["phrase"].split()
    assert len(digits) == 6 and all(d.isdigit() and len(d) == 1 for d in digits) and challenge["valid_for_s"] == 600
    expires = datetime.fromisoformat(challenge["expires_at"])
    assert timedelta(minutes=9) < expires - timezone.now() <= timedelta(minutes=10)
    audio, rate = speech(challenge["phrase"])
    path = write_clip(tmp_path / "clip.mp4", astronaut(), audio=audio, sample_rate=rate, talking=True)
    with django_capture_on_commit_callbacks() as queued:
        response = submit_clip(client, cameo, path, challenge["id"])
    assert response.status_code == 202
    assert response.json()["verification"] == {"state": "pending", "reason": "", "checked_at": None}
    assert len(queued) == 1  # sent to the worker queue after commit
    stored_clip = CameoChallenge.objects.get(pk=challenge["id"]).clip
    assert default_storage.exists(stored_clip)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.verify_clip(challenge["id"]) == "passed"

    body = client.get(f"/api/cameos/{cameo.pk}").json()
    assert body["verified"] is True and body["verification"]["state"] == "verified" and body["verify_url"] is None
    note = Notification.objects.get(recipient=owner, kind="system", data__verification="verified")
    assert note.text == "Your cameo “Olivia” is verified."
    checked = CameoChallenge.objects.get(pk=challenge["id"])
    assert checked.state == "passed" and checked.details["median_distance"] < 0.6 and checked.details["voiced_s"] > 0.48
    assert checked.details["phrase_errors"] <= 2 and checked.details["lip_sync"] >= 0.62
    assert checked.clip == "" and not default_storage.exists(stored_clip)  # the clip is not kept
    assert body["voice"]["kept"] is False and body["voice"]["url"] == ""  # nobody asked to keep the voice
    assert stranger.get(f"/api/cameos/{cameo.pk}").json()["can_use"] is True
    for member in (client, stranger):
        assert member.post("/api/generations", {"prompt": "a walk", "cameos": [cameo.pk]}, format="json").status_code == 202


@pytest.mark.parametrize(
    "picture, talking, say, reason",
    [
        (
            astronaut, True, "3 3 3 3 3 3",
            "The phrase was not heard: the clip says “",
        ),
        (
            astronaut, False, None,
            "Your mouth does not move with the voice in this clip. Record yourself saying the phrase: a photo with a "
            "voice-over, or a clip with its sound from elsewhere, cannot verify a cameo.",
        ),
        (cat, True, None, "No face was found in most of the clip. Face the camera in good light."),
        (two_astronauts, True, None, "More than one face was in the clip. Record it alone, with only your face in view."),
        (other_person, True, None, "The face in the clip does not match the cameo's photos."),
    ],
    ids=["wrong-phrase", "still-photo", "no-face", "two-faces", "another-person"],
)
def test_each_way_a_clip_can_fail_is_rejected_with_its_own_reason(owner_cameo, tmp_path, picture, talking, say, reason):
    owner, client, cameo = owner_cameo
    result, body, challenge = verify_with_clip(client, cameo, tmp_path, picture(), say=say, talking=talking)
    assert result == "failed"
    assert body["verified"] is False and body["verification"]["state"] == "rejected"
    assert body["verification"]["reason"].startswith(reason)
    if say:
        assert f"not “{challenge['phrase']}”" in body["verification"]["reason"]
    note = Notification.objects.get(recipient=owner, kind="system", data__verification="rejected")
    assert reason in note.text
    assert CameoChallenge.objects.get(pk=challenge["id"]).state == "failed"  # checked: the phrase is used up


def test_the_lips_measure_separates_a_speaking_face_from_a_photo_with_a_voice_over(tmp_path, capsys):
    """The figures behind MIN_LIP_SYNC (cameos.checks), printed: the same phrases over the same face, the mouth
    moving with the voice or not."""
    from cameos import checks, clips

    def lip_sync(path) -> float:
        clip = clips.decode_clip(str(path), max_frames=10, motion=True)
        return clips.lip_sync(clip.motion, clip.motion_times, checks._face_fraction(clip.frames), clip.audio)

    talking, still = [], []
    for number, phrase in enumerate(["4 8 2 6 1 9", "0 7 3 3 5 2", "9 1 6 4 0 8", "2 5 7 1 9 3"]):
        audio, rate = speech(phrase)
        for moving, scores in ((True, talking), (False, still)):
            path = write_clip(tmp_path / f"{number}-{moving}.mp4", astronaut(), audio=audio, sample_rate=rate, talking=moving)
            scores.append(round(lip_sync(path), 3))
    with capsys.disabled():
        print(f"\nlip sync: talking {sorted(talking)}, still photo {sorted(still)} (threshold {checks.MIN_LIP_SYNC})")
    assert min(talking) >= checks.MIN_LIP_SYNC > max(still)


def test_the_owner_may_keep_the_voice_of_the_clip_and_delete_it(
    owner_cameo, make_user, client_for, tmp_path, django_capture_on_commit_callbacks
):
    owner, client, cameo = owner_cameo
    result, body, _ = verify_with_clip(client, cameo, tmp_path, astronaut(), keep_voice=True)
    assert result == "passed", body["verification"]
    voice = body["voice"]
    assert voice["kept"] is True and voice["kept_at"] and voice["url"] and voice["in_clips"] is True
    status, data = fetch(client, voice["url"])
    assert status == 200 and data[:4] == b"RIFF"  # a WAV file, for the owner's own cameo's speech
    cameo.refresh_from_db()
    assert default_storage.exists(cameo.voice)
    # Measured once in the worker (the clip's voice is Piper's Joe, about 160 Hz), with a sample line to listen to.
    assert 120 <= voice["pitch_hz"] <= 200 and cameo.voice_profile["envelope_db"]
    status, sample = fetch(client, voice["sample_url"])
    assert status == 200 and sample[:4] == b"RIFF" and len(sample) > 16000 * 2
    sample_name = cameo.voice_sample
    switched = client.patch(f"/api/cameos/{cameo.pk}", {"voice_in_clips": False}, format="json").json()
    assert switched["voice"]["in_clips"] is False
    someone = client_for(make_user("someone"))
    assert someone.get(f"/api/cameos/{cameo.pk}").json()["voice"] is None  # never shown to anyone else
    assert someone.delete(f"/api/cameos/{cameo.pk}/voice").status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/cameos/{cameo.pk}/voice").status_code == 204
    assert not default_storage.exists(cameo.voice) and not default_storage.exists(sample_name)
    assert client.get(f"/api/cameos/{cameo.pk}").json()["voice"] == {
        "kept": False, "kept_at": None, "url": "", "in_clips": False, "sample_url": "", "pitch_hz": None,
    }
    again = client.delete(f"/api/cameos/{cameo.pk}/voice")
    assert again.status_code == 404 and again.json()["code"] == "no_voice"


def test_a_clip_recorded_before_the_challenge_is_rejected(owner_cameo, tmp_path):
    _, client, cameo = owner_cameo
    an_hour_ago = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    result, body, _ = verify_with_clip(client, cameo, tmp_path, astronaut(), creation_time=an_hour_ago)
    assert result == "failed"
    assert body["verification"]["reason"].startswith("This clip was not recorded for this challenge.")


def test_an_expired_challenge_is_refused_and_nothing_is_stored(owner_cameo, tmp_path):
    _, client, cameo = owner_cameo
    challenge = challenge_for(client, cameo)
    CameoChallenge.objects.filter(pk=challenge["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    audio, rate = speech(challenge["phrase"])
    response = submit_clip(
        client, cameo, write_clip(tmp_path / "clip.mp4", astronaut(), audio=audio, sample_rate=rate), challenge["id"]
    )
    assert response.status_code == 409
    assert response.json()["code"] == "challenge_expired" and "expired" in response.json()["detail"]
    assert CameoChallenge.objects.get(pk=challenge["id"]).clip == ""
    assert client.get(f"/api/cameos/{cameo.pk}").json()["verification"]["state"] == "none"


def test_a_used_challenge_and_a_replayed_clip_are_refused(owner_cameo, tmp_path):
    _, client, cameo = owner_cameo
    challenge = challenge_for(client, cameo)
    audio, rate = speech(challenge["phrase"])
    path = write_clip(tmp_path / "clip.mp4", other_person(), audio=audio, sample_rate=rate, talking=True)
    assert submit_clip(client, cameo, path, challenge["id"]).status_code == 202
    tasks.verify_clip(challenge["id"])

    again = submit_clip(client, cameo, path, challenge["id"])
    assert again.status_code == 409 and again.json()["code"] == "challenge_used"
    latest = submit_clip(client, cameo, path)  # without an id: the latest phrase, which is this used one
    assert latest.status_code == 409 and latest.json()["code"] == "challenge_used"

    fresh = challenge_for(client, cameo)
    replay = submit_clip(client, cameo, path, fresh["id"])
    assert replay.status_code == 409 and replay.json()["code"] == "clip_reused"


def test_a_new_phrase_retires_the_previous_one(owner_cameo, tmp_path):
    _, client, cameo = owner_cameo
    first = challenge_for(client, cameo)
    second = challenge_for(client, cameo)
    assert first["id"] != second["id"]
    audio, rate = speech(first["phrase"])
    response = submit_clip(
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
        challenge = challenge_for(client, cameo)
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


def _three_hours_long(path):
    """A tiny MP4 that declares three hours: two frames, the second one three hours after the first."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=1)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for pts in (0, 3 * 3600):
            frame = av.VideoFrame.from_ndarray(np.full((240, 320, 3), 90, np.uint8), format="rgb24")
            frame.pts = pts
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _music(seconds: float, rate: int = 22050) -> np.ndarray:
    """A few bars of a chord progression: sound with no words in it."""
    t = np.arange(int(seconds * rate)) / rate
    chords = [(261.6, 329.6, 392.0), (220.0, 261.6, 329.6), (174.6, 220.0, 261.6), (196.0, 246.9, 293.7)]
    music = np.zeros_like(t)
    for index, chord in enumerate(chords):
        part = (t >= index * seconds / 4) & (t < (index + 1) * seconds / 4)
        for f in chord:
            music[part] += 0.2 * np.sin(2 * np.pi * f * t[part]) * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t[part]) ** 2)
    return music.astype(np.float32)


def test_clips_that_cannot_verify_anyone_are_refused_and_only_a_checked_clip_uses_the_phrase(owner_cameo, tmp_path):
    owner, client, cameo = owner_cameo
    challenge = challenge_for(client, cameo)
    speech_audio, rate = speech(challenge["phrase"])
    refused = {
        "no-sound.mp4": (write_clip(tmp_path / "no-sound.mp4", astronaut(), audio=None, seconds=3), "clip_no_audio",
                         "The clip has no sound."),
        "silence.mp4": (write_clip(tmp_path / "silence.mp4", astronaut(), audio=np.zeros_like(speech_audio), sample_rate=rate),
                        "clip_no_speech", "No voice was heard in the clip."),
        "three-hours.mp4": (_three_hours_long(tmp_path / "three-hours.mp4"), "not_a_video", "The clip cannot be used"),
        "notes.mp4": (None, "not_a_video", "The clip is not a video Riff can read."),
    }
    for name, (path, code, detail) in refused.items():
        data = path.read_bytes() if path is not None else b"these are words, not a video" * 40
        response = client.post(
            f"/api/cameos/{cameo.pk}/verify",
            {"clip": upload(name, data, "video/mp4"), "challenge": challenge["id"]},
            format="multipart",
        )
        assert response.status_code == 400, (name, response.json())
        assert response.json()["code"] == code and response.json()["detail"].startswith(detail), (name, response.json())
        assert CameoChallenge.objects.get(pk=challenge["id"]).state == "issued"  # the phrase is still usable
    assert client.get(f"/api/cameos/{cameo.pk}").json()["verification"]["state"] == "none"

    # Music with no words is heard by the worker, which says so; that clip used the phrase up.
    music = write_clip(tmp_path / "music.mp4", astronaut(), audio=_music(3.0), sample_rate=22050, talking=True)
    assert submit_clip(client, cameo, music, challenge["id"]).status_code == 202
    assert tasks.verify_clip(challenge["id"]) == "failed"
    reason = client.get(f"/api/cameos/{cameo.pk}").json()["verification"]["reason"]
    assert reason.startswith("The phrase was not heard") or reason.startswith("No speech was heard"), reason
    assert CameoChallenge.objects.get(pk=challenge["id"]).state == "failed"
