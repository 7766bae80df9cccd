"""A re-share that re-encodes at CRF 35 and scales to 75 % at once: for 20 published clips of 2 to 10 s (the preview
backend, each with its own prompt, seed and shape), ``POST /api/provenance/verify`` still finds the post.

The clips are made and published through the API and a real worker; the copies are made as another app would
(decode, scale with OpenCV's area filter, encode with x264 at CRF 35). The bit error rates are printed before
correction (the votes' hard bits) and after (what the decoder recovered)."""

from __future__ import annotations

import numpy as np
import pytest

from core.video import decode_frames
from generation.provenance import bit_error_rate
from generation.provenance_checks import SAMPLE_FRAMES
from tests.support import publish_clip, reencode, stored_copy, verify_upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PROMPTS = [
    "a red ball bouncing in a kitchen",
    "two cats rolling on the floor at night",
    "a car racing in the desert, camera pans",
    "snow falling in a forest",
    "a dog running on the beach at sunset",
    "five white balls bouncing in space",
    "rain in the city at night with fog",
    "a yellow cube spinning on a table",
    "a bird flying over the ocean",
    "a purple ball rolling on sand at dawn, zoom in",
]
CLIPS = [
    {
        "prompt": PROMPTS[i % len(PROMPTS)],
        "seed": 1000 + 37 * i,
        "duration_s": 2 + (8 * i) // 19,  # 2 s up to 10 s
        "aspect": ("9:16", "16:9", "1:1")[i % 3],
    }
    for i in range(20)
]


def test_twenty_clips_survive_crf_35_and_75_percent_together(start_worker, purge_queues, make_user, client_for, tmp_path):
    start_worker()
    client = client_for(make_user("ana"))
    rows = []
    for index, payload in enumerate(CLIPS):
        job, post = publish_clip(client, payload)
        published = stored_copy(job.video, tmp_path, f"clip{index}")
        copy = tmp_path / f"copy{index}.mp4"
        reencode(published, copy, crf=35, scale=0.75)

        report = verify_upload(client, copy.name, copy.read_bytes())["report"]
        mark = report["watermark"]
        before = bit_error_rate(decode_frames(copy, max_frames=SAMPLE_FRAMES), job.provenance_id)["voted_ber"]
        rows.append((payload["duration_s"], payload["aspect"], before, mark["stats"].get("bits_corrected")))
        assert mark["found"] and mark["payload"] == job.provenance_id, (payload, mark)
        assert report["post"]["id"] == post["id"] and report["found_by"] == "watermark"
        assert "bits" in mark["certainty"] and "frames carry the mark" in mark["certainty"]

    before = np.array([row[2] for row in rows])
    print(f"\nCRF 35 + 75 %: {len(rows)}/{len(CLIPS)} found; bit error rate before correction mean {before.mean():.3f}, "
          f"worst {before.max():.3f}; after correction 0 for every clip")
    for duration, aspect, ber, corrected in rows:
        print(f"  {duration:>2} s {aspect:>5}: BER before {ber:.3f}, bits corrected {corrected}")
