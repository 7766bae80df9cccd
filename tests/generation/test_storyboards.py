"""Storyboards and stitches through the real worker: one MP4 whose cuts fall on the shot boundaries asked for,
the same subject from shot to shot, a line that runs on across a cut (heard by Whisper on both sides), valid
C2PA; stitches of drafts with every source as an ingredient; a cancel during a shot; bad requests refused with a
message and nothing queued."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.test import override_settings

from core.video import decode_audio, iter_frames, probe
from generation import services
from generation.models import GenerationJob
from generation.provenance import read_manifest
from generation.worker import run_job, worker_id
from tests.support import stored_copy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_thread_connections")]

FPS = 24
LINE = "this is a long line that keeps going after the cut, all the way into the next shot of the story"
# The main subject's colours: hue histograms (18 bins, red in one) of the strongly coloured pixels (S > 0.7,
# V > 0.25: the painted subject, not the walls and floors) of each shot's middle frame, compared by Hellinger
# distance (0 = same colours, 1 = none in common). Measured on the storyboard below (a red ball in a kitchen;
# wide, close-up, medium at night): 0.25 and 0.29 between consecutive shots (night lighting shifts the red);
# when the second shot turns the ball blue, 1.0. A subject keeps its look when consecutive shots are within 0.45.
SAME_LOOK = 0.45


def _storyboard(client, shots: list[dict], **extra):
    return client.post("/api/generations", {"kind": "storyboard", "shots": shots, "aspect": "16:9", "seed": 5,
                                            **extra}, format="json")


def _run_next() -> GenerationJob:
    job = services.job_claim_next(worker_id=worker_id())
    assert job is not None
    run_job(job, worker_id())
    job.refresh_from_db()
    return job


def _cuts(path) -> list[int]:
    """Frames where most of the picture changes at once: the share of 30-pixel blocks whose mean grey level moves
    by more than 6 is over a half (a caption appearing or a subject moving changes a small part of the picture).
    Measured on the storyboard below: 0.78 and 0.99 at its cuts, at most 0.25 elsewhere (a caption appearing)."""
    previous, shares = None, []
    for frame in iter_frames(path):
        grey = frame.astype(np.float32).mean(axis=2)
        h, w = grey.shape[0] // 30 * 30, grey.shape[1] // 30 * 30
        blocks = grey[:h, :w].reshape(h // 30, 30, w // 30, 30).mean(axis=(1, 3))
        if previous is not None:
            shares.append(float((np.abs(blocks - previous) > 6).mean()))
        previous = blocks
    CUT_SHARES.append(shares)
    return [int(i) + 1 for i in np.flatnonzero(np.asarray(shares) > 0.5)]


CUT_SHARES: list[list[float]] = []


def _hue_histogram(frame: np.ndarray) -> np.ndarray:
    pixels = frame[::2, ::2].reshape(-1, 3) / 255.0
    hsv = np.array([colorsys.rgb_to_hsv(*p) for p in pixels[:: max(1, len(pixels) // 20000)]])
    keep = (hsv[:, 1] > 0.7) & (hsv[:, 2] > 0.25)
    histogram, _ = np.histogram((hsv[keep, 0] + 1 / 36) % 1.0, bins=18, range=(0, 1))  # red in one bin
    return histogram / max(1, histogram.sum())


def _hellinger(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(max(0.0, 1 - np.sum(np.sqrt(a * b)))))


def _middle_frames(path, spans: list[tuple[int, int]]) -> list[np.ndarray]:
    wanted = {(start + end) // 2 for start, end in spans}
    return [frame.copy() for index, frame in enumerate(iter_frames(path)) if index in wanted]


def _look_distances(path, starts: list[int], total: int) -> list[float]:
    spans = list(zip(starts, [*starts[1:], total]))
    histograms = [_hue_histogram(frame) for frame in _middle_frames(path, spans)]
    return [_hellinger(a, b) for a, b in zip(histograms, histograms[1:])]


def test_a_three_shot_storyboard_of_30_seconds(make_user, client_for, purge_queues, tmp_path, capsys):
    from cameos import speech

    client = client_for(make_user("ana"))
    shots = [
        {"prompt": f'a red ball bounces in a kitchen, the girl says "{LINE}"', "duration_s": 4},
        {"prompt": "the ball keeps bouncing", "duration_s": 13, "framing": "close_up"},
        {"prompt": "at night", "duration_s": 13, "framing": "medium"},
    ]
    response = _storyboard(client, shots)
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["kind"] == "storyboard" and body["duration_s"] == 30 and len(body["shots"]) == 3
    job = _run_next()
    assert job.status == GenerationJob.Status.SUCCEEDED, job.error

    path = stored_copy(job.video, tmp_path, "storyboard")
    info = probe(path)
    assert abs(info["duration_s"] - 30.0) <= 1 / FPS + 1e-6 and info["has_audio"]
    boundaries = [4 * FPS, 17 * FPS]
    cuts = _cuts(path)
    assert len(cuts) == 2 and all(abs(c - b) <= 1 for c, b in zip(cuts, boundaries)), cuts
    distances = _look_distances(path, [0, *boundaries], 30 * FPS)
    with capsys.disabled():
        shares = CUT_SHARES[-1]
        quiet = max(v for i, v in enumerate(shares) if i + 1 not in cuts)
        print(f"\n  storyboard: cuts at frames {cuts} (changed share {[round(shares[c - 1], 2) for c in cuts]}, "
              f"elsewhere at most {quiet:.2f}); look distance between shots {[round(d, 3) for d in distances]}")
    assert all(d <= SAME_LOOK for d in distances), distances

    line = next(e for e in job.backend_meta["events"] if e["type"] == "dialogue")
    assert line["t"] < 4.0 < line["end"]
    audio, rate = decode_audio(path)
    segment = audio[: int(8 * rate)]
    if rate != speech.SAMPLE_RATE:
        n = round(len(segment) * speech.SAMPLE_RATE / rate)
        segment = np.interp(np.arange(n) * rate / speech.SAMPLE_RATE, np.arange(len(segment)), segment)
    segments, _ = speech.model().transcribe(np.asarray(segment, np.float32), language="en", beam_size=1,
                                            word_timestamps=True, condition_on_previous_text=False)
    words = [w for s in segments for w in s.words]
    line_words = set(LINE.replace(",", "").split())
    before = [w.word.strip(" ,.").lower() for w in words if w.end < 4.0]
    after = [w.word.strip(" ,.").lower() for w in words if w.start > 4.0]
    assert line_words & set(before) and line_words & set(after), (before, after)

    manifest = read_manifest(path, trust_anchor_pem=open(settings.C2PA_TRUST_ANCHOR).read())
    assert manifest["state"] == "trusted"
    assert [s["framing"] for s in job.backend_meta["shots"]] == ["wide", "close_up", "medium"]


def test_a_shot_that_changes_the_subject_changes_its_look(make_user, client_for, purge_queues, tmp_path):
    """The measure above can tell: a shot that recolours the ball is far from the shot before."""
    client = client_for(make_user("ana"))
    shots = [{"prompt": "a red ball bounces in a kitchen", "duration_s": 2},
             {"prompt": "the ball turns blue", "duration_s": 2}]
    assert _storyboard(client, shots).status_code == 202
    job = _run_next()
    assert job.status == GenerationJob.Status.SUCCEEDED, job.error
    (distance,) = _look_distances(stored_copy(job.video, tmp_path, "recolour"), [0, 2 * FPS], 4 * FPS)
    print(f"\n  recoloured shot: look distance {distance:.3f}")
    assert distance > SAME_LOOK


def test_stitching_three_drafts_lists_them_all(make_user, client_for, purge_queues, tmp_path):
    client = client_for(make_user("ana"))
    drafts = []
    for prompt in ("a red ball bounces in a kitchen", "two cats in a park", "a blue car in the snow"):
        assert client.post("/api/generations", {"prompt": prompt, "duration_s": 2, "aspect": "1:1"},
                           format="json").status_code == 202
        drafts.append(_run_next())
    assert all(d.status == GenerationJob.Status.SUCCEEDED for d in drafts)
    response = client.post("/api/generations", {"kind": "stitch", "sources": [
        {"draft": drafts[0].pk}, {"draft": drafts[1].pk, "transition": "dissolve"}, {"draft": drafts[2].pk}]},
        format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["stitch_of"] == [d.pk for d in drafts]
    stitch = _run_next()
    assert stitch.status == GenerationJob.Status.SUCCEEDED, stitch.error

    path = stored_copy(stitch.video, tmp_path, "stitch")
    info = probe(path)
    # Cut: end to end. Dissolve: the clips overlap by half a second (12 frames).
    assert abs(info["duration_s"] - (6.0 - 0.5)) <= 1 / FPS + 1e-6 and info["has_audio"]
    cuts = _cuts(path)
    assert any(abs(c - (2 * FPS + 2 * FPS - 12)) <= 1 for c in cuts), cuts  # the cut into the third clip
    manifest = read_manifest(path, trust_anchor_pem=open(settings.C2PA_TRUST_ANCHOR).read())
    assert manifest["state"] == "trusted"
    ingredients = manifest["ingredients"]
    assert [i.get("riff", {}).get("job_id") for i in ingredients] == [d.pk for d in drafts]
    assert {i["relationship"] for i in ingredients} == {"componentOf"}
    assert stitch.backend_meta["clip"]["duration_s"] == pytest.approx(5.5, abs=1 / FPS)


def test_cancel_during_the_second_shot_keeps_nothing_and_the_next_job_runs(make_user, client_for, start_worker,
                                                                           purge_queues):
    from channels.testing import WebsocketCommunicator

    from accounts.services import user_token
    from config.asgi import application

    user = make_user("ana")
    client = client_for(user)
    token = user_token(user=user)
    start_worker()
    shots = [{"prompt": "a red ball bounces in a kitchen", "duration_s": 3},
             {"prompt": "the ball rolls", "duration_s": 20}, {"prompt": "at night", "duration_s": 20}]

    async def scenario():
        ws = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", b"http://localhost:8000"),
                                                                (b"authorization", f"Token {token}".encode())])
        assert (await ws.connect(timeout=10))[0]
        await ws.receive_json_from(timeout=10)
        job = (await sync_to_async(_storyboard)(client, shots)).json()
        seen_shots, cancelled = set(), False
        while True:
            event = await ws.receive_json_from(timeout=120)
            if event.get("job") != job["id"]:
                continue
            if event["type"] == "job.progress" and "shot" in event:
                assert event["shots"] == 3
                seen_shots.add(event["shot"])
                if event["shot"] == 1 and not cancelled:
                    assert (await sync_to_async(client.post)(f"/api/generations/{job['id']}/cancel")).status_code == 200
                    cancelled = True
            if event["type"] == "job.status" and event["status"] in ("succeeded", "failed", "cancelled"):
                await ws.disconnect()
                return job["id"], seen_shots, event["status"]

    job_id, seen_shots, final = async_to_sync(scenario)()
    assert final == "cancelled" and seen_shots <= {0, 1} and 1 in seen_shots
    job = GenerationJob.objects.get(pk=job_id)
    assert job.video == "" and job.poster == "" and job.draft == "none"

    follow = client.post("/api/generations", {"prompt": "a green ball", "duration_s": 1}, format="json").json()
    for _ in range(600):
        state = client.get(f"/api/generations/{follow['id']}").json()
        if state["status"] in ("succeeded", "failed", "cancelled"):
            break
        import time

        time.sleep(0.1)
    assert state["status"] == "succeeded", state


@override_settings(GENERATION_MAX_STORYBOARD_S=60, GENERATION_MAX_SHOTS=12)
def test_bad_storyboards_and_stitches_are_refused_and_nothing_is_queued(make_user, client_for, purge_queues):
    ana, ben = make_user("ana"), make_user("ben")
    client, other = client_for(ana), client_for(ben)
    shot = {"prompt": "a red ball", "duration_s": 2}
    running = GenerationJob.objects.create(user=ana, prompt="a ball", seed=1, duration_s=2)
    bens = GenerationJob.objects.create(user=ben, prompt="a ball", seed=1, duration_s=2, status="succeeded",
                                        video="drafts/x.mp4", draft="ready")
    before = GenerationJob.objects.count()
    cases = [
        ({"kind": "storyboard", "shots": []}, 400, "shots_empty"),
        ({"kind": "storyboard", "shots": [shot] * 13}, 400, "too_many_shots"),
        ({"kind": "storyboard", "shots": [{**shot, "duration_s": 0}]}, 400, "shot_duration_out_of_range"),
        ({"kind": "storyboard", "shots": [{**shot, "duration_s": 61}]}, 400, "shot_duration_out_of_range"),
        ({"kind": "storyboard", "shots": [{**shot, "duration_s": 20}] * 4}, 400, "storyboard_too_long"),
        ({"kind": "storyboard", "shots": [shot, {**shot, "prompt": " "}]}, 400, "shot_prompt_empty"),
        ({"kind": "storyboard", "shots": [{**shot, "framing": "fisheye"}]}, 400, "invalid"),
        ({"kind": "storyboard", "shots": [shot], "cameos": [999999]}, 404, "cameo_not_found"),
        ({"kind": "stitch", "sources": [{"draft": running.pk}, {"draft": running.pk}]}, 409, "stitch_source_not_ready"),
        ({"kind": "stitch", "sources": [{"draft": bens.pk}, {"draft": bens.pk}]}, 404, "stitch_source_not_found"),
        ({"kind": "stitch", "sources": [{"draft": bens.pk}]}, 400, "stitch_too_few"),
    ]
    for payload, status, code in cases:
        response = client.post("/api/generations", payload, format="json")
        assert (response.status_code, response.json().get("code")) == (status, code), (payload, response.json())
        assert response.json()["detail"]
    assert other.post("/api/generations", {"kind": "storyboard", "shots": [shot]}, format="json").status_code == 202
    assert GenerationJob.objects.count() == before + 1
    assert not GenerationJob.objects.filter(user=ana, kind__in=["storyboard", "stitch"]).exists()
