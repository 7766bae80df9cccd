"""The diffusers backend through the real worker (GENERATION_BACKEND=diffusers) with tiny random-weight models
written by ``manage.py make_tiny_model`` and loaded back with ``from_pretrained``: the production path on CPU."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from core.video import probe
from generation.models import GenerationJob
from tests.conftest import ROOT, worker_env
from tests.support import wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

STEPS = 3


@pytest.fixture(scope="module", params=["wan", "ltx", "ltx2"])
def tiny_model(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"tiny-{request.param}")
    done = subprocess.run(
        [sys.executable, "manage.py", "make_tiny_model", str(out), "--family", request.param],
        cwd=ROOT, env=worker_env(), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "model_index.json").exists()
    return request.param, out


def _local_copy(name, tmp_path):
    path = tmp_path / name.replace("/", "_")
    with default_storage.open(name, "rb") as src:
        path.write_bytes(src.read())
    return path


def _check_clip(job, tmp_path, duration, size):
    assert job.status == "succeeded", (job.status, job.error, job.errors)
    info = probe(_local_copy(job.video, tmp_path))
    assert abs(info["duration_s"] - duration) <= 1 / 24 + 1e-6
    assert info["has_audio"]
    assert (info["width"], info["height"]) == size
    return info


def test_text_remix_and_cameo_jobs_on_the_diffusers_worker(tiny_model, start_worker, purge_queues, make_user, client_for, tmp_path):
    from cameos.models import Cameo

    family, model_dir = tiny_model
    user = make_user("ana")
    client = client_for(user)
    start_worker(GENERATION_BACKEND="diffusers", GENERATION_MODEL=str(model_dir), GENERATION_STEPS=STEPS, GENERATION_SHORT_SIDE=64)

    text = client.post("/api/generations", {"prompt": 'a red ball on a beach, "hello there"', "duration_s": 2, "aspect": "16:9", "seed": 3}, format="json").json()
    job = wait_for_job(text["id"], timeout=180)
    _check_clip(job, tmp_path, 2.0, (114, 64))
    meta = job.backend_meta
    assert meta["family"] == family and meta["steps"] == STEPS
    if family == "wan":
        assert (meta["num_frames"] - 1) % 4 == 0 and meta["width"] % 16 == 0 and meta["height"] % 16 == 0
    else:
        assert (meta["num_frames"] - 1) % 8 == 0 and meta["width"] % 32 == 0 and meta["height"] % 32 == 0
    # LTX-2 makes the sound with the picture: the clip's soundtrack is the pipeline's (no line was given a voice).
    assert meta["audio"] == ("model" if family == "ltx2" else "ambience")
    api_job = client.get(f"/api/generations/{job.pk}").json()
    assert api_job["backend_meta"]["num_frames"] == meta["num_frames"]  # the mapping is reported on the job

    post = client.post(f"/api/generations/{job.pk}/publish", {"caption": "tiny"}, format="json").json()
    remix = client.post("/api/generations", {"prompt": "at night", "remix_of": post["id"], "duration_s": 1, "aspect": "9:16", "strength": 0.7}, format="json").json()
    job = wait_for_job(remix["id"], timeout=180)
    _check_clip(job, tmp_path, 1.0, (64, 114))
    assert job.kind == "remix" and job.backend_meta["pipeline"]

    image = Image.new("RGB", (96, 96), (200, 150, 120))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    reference = default_storage.save(f"cameos/{user.pk}/ref.jpg", ContentFile(buffer.getvalue()))
    cameo = Cameo.objects.create(owner=user, kind="character", name="Biscuit", reference=reference,
                                 reference_state="ready", verification_state="not_required", permission="only_me")
    made = client.post("/api/generations", {"prompt": "Biscuit waves", "cameos": [cameo.pk], "duration_s": 1, "aspect": "1:1"}, format="json")
    assert made.status_code == 202, made.content
    job = wait_for_job(made.json()["id"], timeout=180)
    _check_clip(job, tmp_path, 1.0, (64, 64))
    assert job.kind == "cameo"
    if family == "ltx2":
        assert (job.backend_meta["pipeline"], job.backend_meta["audio"]) == ("LTX2ImageToVideoPipeline", "model+voices")


def test_a_clip_at_the_default_size_renders_at_the_size_the_family_was_trained_at(
    tiny_model, start_worker, purge_queues, make_user, client_for, tmp_path
):
    """The default settings (GENERATION_SHORT_SIDE 480) and a 16:9 clip: the tiny model renders at its family's
    trained size (Wan 832×480, LTX and LTX-2 864×480) and the clip comes out at 852×480. A tiny Wan model once kept diffusers'
    test value of rope_max_seq_len (32) and could not render a grid 52 patches wide."""
    family, model_dir = tiny_model
    client = client_for(make_user("ana"))
    start_worker(GENERATION_BACKEND="diffusers", GENERATION_MODEL=str(model_dir), GENERATION_STEPS=2)
    made = client.post("/api/generations", {"prompt": "a red ball on a beach", "duration_s": 1, "aspect": "16:9"},
                       format="json").json()
    job = wait_for_job(made["id"], timeout=300)
    _check_clip(job, tmp_path, 1.0, (852, 480))
    meta = job.backend_meta
    assert (meta["width"], meta["height"]) == {"wan": (832, 480), "ltx": (864, 480), "ltx2": (864, 480)}[family]
    assert meta["trained_size"] is True and meta["steps"] == 2


def test_progress_counts_denoising_steps_and_cancel_stops_within_one_step(tiny_model, start_worker, purge_queues, make_user, client_for):

    from asgiref.sync import async_to_sync, sync_to_async
    from channels.testing import WebsocketCommunicator

    from accounts.services import user_token
    from config.asgi import application

    family, model_dir = tiny_model
    user = make_user("ana")
    client = client_for(user)
    token = user_token(user=user)
    start_worker(GENERATION_BACKEND="diffusers", GENERATION_MODEL=str(model_dir), GENERATION_STEPS=40, GENERATION_SHORT_SIDE=96)

    async def scenario():
        ws = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", b"http://localhost:8000"), (b"authorization", f"Token {token}".encode())])
        assert (await ws.connect(timeout=10))[0]
        await ws.receive_json_from(timeout=10)
        job = (await sync_to_async(client.post)("/api/generations", {"prompt": "a ball", "duration_s": 4}, format="json")).json()
        steps, after_cancel, cancelled_at = [], [], None
        while True:
            event = await ws.receive_json_from(timeout=120)
            if event.get("job") != job["id"]:
                continue
            if event["type"] == "job.progress" and event["step"] is not None:
                assert event["total"] == 40
                (after_cancel if cancelled_at is not None else steps).append(event["step"])
                if cancelled_at is None and event["step"] >= 2:
                    r = await sync_to_async(client.post)(f"/api/generations/{job['id']}/cancel")
                    assert r.status_code == 200
                    cancelled_at = event["step"]
            if event["type"] == "job.status" and event["status"] in ("succeeded", "failed", "cancelled"):
                await ws.disconnect()
                return job["id"], steps, after_cancel, event["status"]

    job_id, steps, after_cancel, final = async_to_sync(scenario)()
    assert steps[:3] == [1, 2, 3][: len(steps[:3])] and steps == sorted(steps)
    assert final == "cancelled"
    # One step may already be running when the cancel lands (its event in flight), and the next step sees it.
    assert len(after_cancel) <= 2, after_cancel
    job = GenerationJob.objects.get(pk=job_id)
    assert job.status == "cancelled" and job.video == ""


def test_invalid_model_directory_fails_fast_at_worker_start(start_worker, tmp_path):
    missing = tmp_path / "no-such-model"
    worker = start_worker(wait=False, beat=False, GENERATION_BACKEND="diffusers", GENERATION_MODEL=str(missing))
    worker.proc.wait(120)
    assert worker.proc.returncode == 3
    assert str(missing) in worker.output()
    assert "cannot start the generation worker" in worker.output()


def test_a_speed_switch_the_model_cannot_use_stops_the_worker_at_start(tiny_model, start_worker):
    family, model_dir = tiny_model
    worker = start_worker(wait=False, beat=False, GENERATION_BACKEND="diffusers", GENERATION_MODEL=str(model_dir),
                          GENERATION_CACHE="magcache")
    worker.proc.wait(120)
    assert worker.proc.returncode == 3
    assert "GENERATION_CACHE_RATIOS" in worker.output() and "cannot start the generation worker" in worker.output()
