"""Choosing voices through the API: the catalogue, the ``voices`` map and ``language``, bad input refused with a
message and nothing written, and the cast a finished job reports."""

from __future__ import annotations

import pytest

from generation import services
from generation.models import GenerationJob
from generation.worker import run_job, worker_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_thread_connections")]


def test_the_catalogue_is_listed_for_anyone(client):
    body = client.get("/api/voices").json()
    names = [voice["name"] for voice in body["results"]]
    assert len(names) >= 8 and body["default"] in names
    pip = next(voice for voice in body["results"] if voice["name"] == "pip")
    assert pip["age"] == "child" and pip["languages"] == ["en", "fr"] and pip["description"]


@pytest.mark.parametrize(
    "payload, code, says",
    [
        ({"prompt": 'the coach shouts "again!"', "voices": {"coach": "darth"}}, "voice_unknown", "Unknown voice darth"),
        ({"prompt": 'the coach shouts "again!"', "voices": {"referee": "bruno"}}, "voice_speaker_unknown",
         "No line in the prompt is spoken by referee; the speakers are: coach"),
        ({"prompt": "a ball bounces", "voices": {"coach": "bruno"}}, "voice_speaker_unknown", "put the lines in quotes"),
        ({"prompt": 'the cat says "こんにちは"'}, "dialogue_script_unsupported", "Riff speaks English and French"),
        ({"prompt": 'the cat says "hi"', "language": "de"}, "invalid", "language"),
    ],
    ids=["unknown-voice", "unknown-speaker", "no-lines", "other-script", "other-language"],
)
def test_bad_voice_choices_are_refused_with_a_message_and_nothing_is_written(make_user, client_for, payload, code,
                                                                             says):
    client = client_for(make_user("ana"))
    response = client.post("/api/generations", {"duration_s": 2, **payload}, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == code and says in str(body), body
    assert not GenerationJob.objects.exists()


def test_the_author_casts_a_speaker_and_the_finished_job_says_who_spoke_with_which_voice(make_user, client_for,
                                                                                        purge_queues):
    client = client_for(make_user("ana"))
    prompt = 'a ball bounces, the coach shouts "again!" and a little girl says "look"'
    response = client.post("/api/generations", {"prompt": prompt, "duration_s": 3, "voices": {"Coach": "maya"},
                                                "language": "en"}, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["voices"] == {"coach": "maya"} and response.json()["cast"] == {}
    job = services.job_claim_next(worker_id=worker_id())
    run_job(job, worker_id())
    body = client.get(f"/api/generations/{job.pk}").json()
    assert body["status"] == "succeeded", body["error"]
    assert body["cast"] == {"coach": "maya", "girl": "pip"}
    assert body["backend_meta"]["voices"] == body["cast"]


def test_two_hundred_lines_in_four_seconds_make_a_clip_with_the_lines_that_fit(make_user, client_for, purge_queues):
    client = client_for(make_user("ana"))
    prompt = "a ball bounces and " + " ".join(f'"{n}"' for n in range(200))
    response = client.post("/api/generations", {"prompt": prompt[:1000], "duration_s": 4}, format="json")
    assert response.status_code == 202, response.json()
    job = services.job_claim_next(worker_id=worker_id())
    run_job(job, worker_id())
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    meta = job.backend_meta
    assert 1 <= meta["dialogue_lines"] <= 6 and meta["dialogue_lines"] + meta["dialogue_dropped"] == 6
