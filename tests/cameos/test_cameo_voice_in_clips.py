"""A cameo speaks with its owner's kept voice in clips, only while the owner lets it: the worker reads the switch
when the job runs, and a job made after the owner switched it off (or deleted the voice) speaks with a catalogue
voice."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core import voices
from core.voices import voiceprint
from core.voices.speech import speak
from generation import services
from generation.worker import run_job, worker_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_thread_connections")]


def _clip_cast(client, cameo) -> dict:
    response = client.post(
        "/api/generations",
        {"prompt": '@olivia says "we made it to the top"', "duration_s": 2, "cameos": [cameo.pk]},
        format="json",
    )
    assert response.status_code == 202, response.json()
    job = services.job_claim_next(worker_id=worker_id())
    run_job(job, worker_id())
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    return job.scene_plan["cast"]


def test_the_cameo_speaks_with_the_kept_voice_only_while_its_owner_lets_it(make_user, make_cameo, client_for,
                                                                           purge_queues):
    olivia = make_user("olivia")
    cameo = make_cameo(olivia, name="Olivia", permission="everyone")
    kept = speak("I am recording this to verify my cameo. Four eight two six one nine.", "lise",
                 sample_rate=voiceprint.RATE)
    cameo.voice = default_storage.save(f"cameos/{cameo.pk}/voice.wav", ContentFile(b"RIFF"))
    cameo.voice_profile = voiceprint.measure(kept, voiceprint.RATE)
    cameo.save()
    friend = client_for(make_user("friend"))

    assert _clip_cast(friend, cameo) == {"@olivia": f"cameo:{cameo.pk}"}

    owner = client_for(olivia)
    assert owner.patch(f"/api/cameos/{cameo.pk}", {"voice_in_clips": False}, format="json").status_code == 200
    cast = _clip_cast(friend, cameo)
    assert cast["@olivia"] in voices.catalogue().voices

    owner.patch(f"/api/cameos/{cameo.pk}", {"voice_in_clips": True}, format="json")
    assert owner.delete(f"/api/cameos/{cameo.pk}/voice").status_code == 204
    assert _clip_cast(friend, cameo)["@olivia"] in voices.catalogue().voices
