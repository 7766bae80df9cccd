"""LTX-2 on the diffusers backend, with the tiny random-weight model ``make_tiny_model --family ltx2`` writes and
``from_pretrained`` loads: the pipeline makes the sound with the picture, and that sound is the clip's soundtrack;
a line given a voice is spoken by that voice over it, the model's sound ducked under the line. Whisper (as the
cameo check runs it) judges that the line can be heard. The worker path is in test_diffusers_worker.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("diffusers")

from generation.backends.base import GenerationRequest  # noqa: E402
from generation.backends.diffusers import DiffusersBackend  # noqa: E402
from generation.backends.diffusers.soundtrack import soundtrack  # noqa: E402
from generation.backends.preview.audio import DUCK_DEPTH  # noqa: E402
from generation.backends.tiny import make_tiny_model  # noqa: E402

PROMPT = 'on an outdoor court at sunset, the coach shouts "come on, one more time"'
# How far the spoken line stands over the model's ducked sound while it is said, in dB: measured 6.0 dB over this
# tiny model's loud noise (seed 5; its RMS is about that of the line at full level), and Whisper hears the line
# word for word there. The bound keeps half of that margin.
MIN_LINE_OVER_BED_DB = 3.0


@pytest.fixture(scope="module")
def backend(tmp_path_factory) -> DiffusersBackend:
    model = make_tiny_model(tmp_path_factory.mktemp("ltx2") / "ltx2", "ltx2")
    return DiffusersBackend(model_dir=model, steps=3, short_side=64)


def _request(**overrides) -> GenerationRequest:
    fields = {"job_id": 1, "kind": "text", "prompt": PROMPT, "duration_s": 3.0, "aspect": "9:16", "seed": 5,
              "short_side": 64}
    return GenerationRequest(**{**fields, **overrides})


def test_the_family_is_read_from_the_model_index_and_the_grid_is_ltx2s(backend):
    assert (backend.family, backend.class_name) == ("ltx2", "LTX2Pipeline")
    assert (backend.grid.fps, backend.grid.frame_step, backend.grid.size_multiple) == (24, 8, 32)


def test_without_a_voice_the_soundtrack_is_the_models_own(backend):
    clip = backend.generate(_request(), lambda *_, **__: None)
    assert clip.meta["audio"] == "model" and clip.meta["pipeline"] == "LTX2Pipeline"
    assert clip.audio.shape == (round(3.0 * clip.sample_rate),)
    assert np.sqrt(np.mean(clip.audio**2)) > 0.01  # the model's sound, not silence
    assert clip.scene_plan["cast"] == {}  # nobody was given a voice: the model speaks for itself


def test_a_line_given_a_voice_is_spoken_over_the_models_sound_ducked(backend, capsys):
    from cameos import speech

    plain = backend.generate(_request(), lambda *_, **__: None)
    voiced = backend.generate(_request(voices={"coach": "bruno"}), lambda *_, **__: None)
    assert voiced.meta["audio"] == "model+voices" and voiced.meta["voices"] == {"coach": "bruno"}

    # The line alone, laid out as in the clip (the same cast and timing over a silent bed).
    line, rate, _ = soundtrack(_request(voices={"coach": "bruno"}), 3.0, model_audio=np.zeros_like(plain.audio))
    spoken = np.abs(line) > 0.01
    window = np.convolve(spoken, np.ones(rate // 20), mode="same") > 0  # where the line is being said
    bed = plain.audio[window] * (1.0 - DUCK_DEPTH)
    over = 20 * np.log10(np.sqrt(np.mean(line[window] ** 2)) / np.sqrt(np.mean(bed**2)))
    heard = speech.transcribe(voiced.audio, voiced.sample_rate).lower()
    with capsys.disabled():
        print(f"\nLTX-2 voiced line: {over:.1f} dB over the ducked model sound; Whisper heard {heard!r}")
    assert over >= MIN_LINE_OVER_BED_DB
    assert "one more time" in heard


def test_remix_and_cameo_run_on_ltx2s_condition_and_image_pipelines(backend, tmp_path):
    from PIL import Image

    from core.video import encode_mp4
    from generation.backends.base import CameoRef, ParentClip

    frames = np.zeros((48, 112, 64, 3), np.uint8)
    frames[:, 40:70, 20:44] = (220, 60, 40)
    parent = tmp_path / "parent.mp4"
    encode_mp4(frames, 24, None, 0, parent)
    remix = backend.generate(
        _request(kind="remix", prompt="at night", strength=0.7,
                 parent=ParentClip(post_id=1, scene_plan=None, video_path=str(parent), seed=1)),
        lambda *_, **__: None,
    )
    assert remix.meta["pipeline"] == "LTX2ConditionPipeline" and remix.meta["audio"] == "model"
    photo = Path(tmp_path / "ref.jpg")
    Image.new("RGB", (96, 96), (200, 150, 120)).save(photo)
    cameo = backend.generate(
        _request(kind="cameo", prompt="Biscuit waves", cameos=[CameoRef(1, "Biscuit", "character", str(photo))]),
        lambda *_, **__: None,
    )
    # A clip with a cameo speaks with voices (the cameo's, when its owner kept one), over the model's sound.
    assert cameo.meta["pipeline"] == "LTX2ImageToVideoPipeline" and cameo.meta["audio"] == "model+voices"
