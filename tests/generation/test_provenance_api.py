"""Provenance of published clips, end to end: made by a real worker, read back from the stored MP4, and checked
through POST /api/provenance/verify (read by the worker)."""

from __future__ import annotations

import numpy as np
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from core.video import decode_frames, encode_mp4
from generation.provenance import bit_error_rate, extract_payload, read_manifest
from tests.support import publish_clip, reencode, stored_copy, verify_upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _anchor():
    return open(settings.C2PA_TRUST_ANCHOR).read()


@pytest.fixture
def clips(start_worker, purge_queues, make_user, client_for):
    start_worker()
    ana, ben = make_user("ana"), make_user("ben")
    ca, cb = client_for(ana), client_for(ben)
    parent_job, parent = publish_clip(ca, {"prompt": "a red ball bouncing on a beach", "seed": 5})
    remix_job, remix = publish_clip(cb, {"prompt": "at night", "remix_of": parent["id"]})
    return {"ana": ana, "ben": ben, "ca": ca, "cb": cb, "parent_job": parent_job, "parent": parent,
            "remix_job": remix_job, "remix": remix}


def test_manifests_are_trusted_remix_lists_parent_and_tampering_is_detected(clips, tmp_path):
    parent_path = stored_copy(clips["parent_job"].video, tmp_path, "parent")
    manifest = read_manifest(parent_path, trust_anchor_pem=_anchor())
    assert manifest["state"] == "trusted", manifest["validation_errors"]
    assert "Riff" in manifest["generator"] and settings.VERSION in manifest["generator"]
    created = [a for a in manifest["actions"] if a["action"] == "c2pa.created"]
    assert created and created[0]["digitalSourceType"].endswith("trainedAlgorithmicMedia")
    assert manifest["riff"]["job_id"] == clips["parent_job"].pk
    assert "a red ball" in str(manifest["actions"])  # the prompt is public by default

    remix_path = stored_copy(clips["remix_job"].video, tmp_path, "remix")
    remix = read_manifest(remix_path, trust_anchor_pem=_anchor())
    assert remix["state"] == "trusted"
    assert any(a["action"] == "c2pa.edited" for a in remix["actions"])
    assert len(remix["ingredients"]) == 1
    assert remix["ingredients"][0].get("riff", {}).get("job_id") == clips["parent_job"].pk

    data = bytearray(parent_path.read_bytes())
    mdat = data.find(b"mdat")
    assert mdat > 0
    for offset in range(mdat + 2000, mdat + 2064):
        data[offset] ^= 0xFF
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(data))
    assert read_manifest(tampered, trust_anchor_pem=_anchor())["state"] == "invalid"


def test_watermark_survives_reencoding_and_verify_finds_the_post(clips, tmp_path, capsys):
    job = clips["parent_job"]
    published = stored_copy(job.video, tmp_path, "published")
    crf35, scaled = tmp_path / "crf35.mp4", tmp_path / "scaled.mp4"
    reencode(published, crf35, crf=35, keep_audio=True)
    reencode(published, scaled, crf=23, scale=0.75, keep_audio=True)
    rates = {}
    for label, path in (("published", published), ("crf35", crf35), ("scaled75", scaled)):
        frames = decode_frames(path, max_frames=48)
        ident, stats = extract_payload(frames)
        assert ident == job.provenance_id, (label, stats)
        rates[label] = bit_error_rate(frames, job.provenance_id)
    with capsys.disabled():
        print(f"\nwatermark bit error rates (per-frame mean before voting): {rates}")
    assert read_manifest(crf35)["state"] == "none"  # re-encoding strips the manifest

    client = clips["cb"]
    report = verify_upload(client, "found.mp4", crf35.read_bytes())["report"]
    assert report["watermark"]["found"] and report["watermark"]["payload"] == job.provenance_id
    assert report["post"]["id"] == clips["parent"]["id"] and report["found_by"] == "watermark"
    assert report["c2pa"]["state"] == "none"
    assert not default_storage.listdir("provenance-checks")[1]  # the upload is not kept

    # The clip as anyone downloads it from Riff is the published file, and traces back to its post.
    downloaded = client.get(f"/api/posts/{clips['parent']['id']}/download")
    assert downloaded["Content-Disposition"] == f'attachment; filename="riff-ana-{clips["parent"]["id"]}.mp4"'
    data = b"".join(downloaded.streaming_content)
    assert data == published.read_bytes()
    report = verify_upload(client, "riff-ana.mp4", data)["report"]
    assert report["c2pa"]["state"] == "trusted" and report["post"]["id"] == clips["parent"]["id"]


def test_a_reshared_clip_marked_before_the_current_scheme_is_still_found(clips, tmp_path):
    from generation.backends.base import GenerationRequest
    from generation.backends.preview import PreviewBackend
    from generation.provenance.invisible import embed_bits
    from generation.provenance.legacy import V1_KEY, V1_SCHEME, v1_payload_bits

    job = clips["remix_job"]
    frames = PreviewBackend().generate(
        GenerationRequest(job_id=1, kind="text", prompt="a red ball bouncing on a beach", duration_s=2,
                          aspect="9:16", seed=5), lambda done, total: None).frames
    bits = v1_payload_bits(job.provenance_id)  # the first scheme: 64 bits, 8×8 blocks, no error correction
    marked = np.stack([embed_bits(frame, bits, scheme=V1_SCHEME, key=V1_KEY) for frame in frames])
    old = tmp_path / "old.mp4"
    encode_mp4(marked, 24, np.zeros(22050, np.float32), 22050, old)
    report = verify_upload(clips["ca"], "old.mp4", old.read_bytes())["report"]
    assert report["watermark"]["found"] and report["watermark"]["payload"] == job.provenance_id
    assert report["watermark"]["stats"]["scheme"] == "v1" and "64 bits read clean" in report["watermark"]["certainty"]
    assert report["post"]["id"] == clips["remix"]["id"] and report["found_by"] == "watermark"


def test_unmarked_clip_is_no_provenance_and_non_video_is_400(start_worker, purge_queues, make_user, client_for, tmp_path):
    start_worker()
    client = client_for(make_user("eve"))
    rng = np.random.default_rng(1)
    frames = (rng.random((24, 480, 480, 3)) * 255).astype(np.uint8)
    plain = tmp_path / "plain.mp4"
    encode_mp4(frames, 24, np.zeros(22050, np.float32), 22050, plain)
    check = verify_upload(client, "plain.mp4", plain.read_bytes())
    report = check["report"]
    assert report["summary"].startswith("No provenance found") and report["post"] is None
    assert report["watermark"]["found"] is False and report["c2pa"]["state"] == "none"
    # The report keeps its sentences as messages: the same check reads in French once its reader reads French.
    client.patch("/api/me", {"language": "fr"}, format="json")
    french = client.get(f"/api/provenance/checks/{check['id']}").json()["report"]
    assert french["summary"] == "Aucune provenance trouvée : ce clip ne porte ni manifeste C2PA ni filigrane Riff."

    r = client.post("/api/provenance/verify", {"file": SimpleUploadedFile("notes.mp4", b"hello, not a video", "video/mp4")}, format="multipart")
    assert r.status_code == 400 and r.json()["detail"]
    r = client.post("/api/provenance/verify", {}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()["detail"].lower()
