"""The diffusers backend on tiny random-weight models, loaded through the real ``from_pretrained`` path.

The models are built by :mod:`generation.backends.tiny` into temporary directories (one per layout for the
module); no weights are downloaded. Durations are short and step counts small so the file runs in well
under two minutes on a CPU.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

pytest.importorskip("diffusers")

from core.video import encode_mp4  # noqa: E402
from generation.backends.base import (  # noqa: E402
    BackendError,
    CameoRef,
    GenerationRequest,
    JobCancelled,
    ParentClip,
    Shot,
)
from generation.backends.diffusers import BackendConfigError, DiffusersBackend  # noqa: E402
from generation.backends.tiny import make_tiny_audio_model, make_tiny_model  # noqa: E402
from generation.backends.video_fit import retime  # noqa: E402

STEPS = 3
SHORT_SIDE = 64


@pytest.fixture(scope="module")
def model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def _tiny(root: Path, family: str, layout: str | None = None) -> Path:
    out = root / f"{family}-{layout or 'default'}"
    if not out.exists():
        make_tiny_model(out, family, layout=layout)
    return out


@pytest.fixture(scope="module", params=["wan", "ltx"])
def backend(request: pytest.FixtureRequest, model_root: Path) -> DiffusersBackend:
    return DiffusersBackend(model_dir=_tiny(model_root, request.param), steps=STEPS, short_side=SHORT_SIDE)


@pytest.fixture(scope="module")
def wan_dir(model_root: Path) -> Path:
    return _tiny(model_root, "wan")


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A parent clip (2 s, 24 fps, a square moving across) and a cameo reference photo."""
    root = tmp_path_factory.mktemp("media")
    frames = np.zeros((48, 112, 64, 3), dtype=np.uint8)
    for i, frame in enumerate(frames):
        frame[:, :] = (30, 60, 90)
        frame[40:60, i:i + 16] = (250, 200, 40)
    video = root / "parent.mp4"
    encode_mp4(frames, 24, None, 0, video)
    face = Image.new("RGB", (120, 160), (200, 170, 140))
    ImageDraw.Draw(face).ellipse((30, 30, 90, 110), fill=(230, 190, 160))
    photo = root / "face.png"
    face.save(photo)
    return {"video": str(video), "photo": str(photo)}


def _request(kind: str = "text", *, media: dict[str, str] | None = None, **overrides: object) -> GenerationRequest:
    fields: dict = {
        "job_id": 1,
        "kind": kind,
        "prompt": "a red ball rolls on the beach",
        "duration_s": 1.0,
        "aspect": "9:16",
        "seed": 7,
        "short_side": SHORT_SIDE,
    }
    if kind in ("remix", "extend") and "parent" not in overrides:
        fields["parent"] = ParentClip(post_id=3, scene_plan=None, video_path=media["video"])
    if kind == "cameo" and "cameos" not in overrides:
        fields["cameos"] = [CameoRef(id=5, name="Ana", kind="person", reference_image=media["photo"])]
    fields.update(overrides)
    return GenerationRequest(**fields)


class Progress:
    def __init__(self, cancel_at: int | None = None):
        self.calls: list[tuple[int, int]] = []
        self.shots: list[tuple[int, int] | None] = []
        self.cancel_at = cancel_at

    def __call__(self, step: int, total: int, *, shot: tuple[int, int] | None = None) -> None:
        self.calls.append((step, total))
        self.shots.append(shot)
        if step == self.cancel_at:
            raise JobCancelled("cancelled by owner")


def _assert_clip_fits(clip, request: GenerationRequest) -> None:
    width, height = request.size
    assert clip.fps == 24
    assert clip.frames.dtype == np.uint8
    assert clip.frames.shape == (round(request.duration_s * 24), height, width, 3)
    assert clip.duration_s == pytest.approx(request.duration_s)
    assert clip.audio.dtype == np.float32
    assert clip.audio.ndim == 1
    assert len(clip.audio) == round(clip.duration_s * clip.sample_rate)
    assert np.abs(clip.audio).max() <= 1.0


@pytest.mark.parametrize("kind", ["text", "remix", "cameo", "extend"])
def test_each_kind_makes_a_clip_of_the_requested_duration_and_aspect(backend, media, kind):
    request = _request(kind, media=media)
    progress = Progress()

    clip = backend.generate(request, progress)

    _assert_clip_fits(clip, request)
    expected = {
        "wan": {"text": "WanPipeline", "remix": "WanVideoToVideoPipeline", "cameo": "WanImageToVideoPipeline",
                "extend": "WanImageToVideoPipeline"},
        "ltx": {"text": "LTXPipeline", "remix": "LTXConditionPipeline", "cameo": "LTXImageToVideoPipeline",
                "extend": "LTXImageToVideoPipeline"},
    }[backend.family][kind]
    assert clip.meta["pipeline"] == expected
    assert clip.meta["requested"]["num_frames"] == 24
    assert [step for step, _ in progress.calls] == list(range(1, clip.meta["steps"] + 1))
    assert {total for _, total in progress.calls} == {clip.meta["steps"]}


def test_progress_counts_every_denoising_step(backend):
    progress = Progress()
    clip = backend.generate(_request(), progress)
    assert progress.calls == [(1, STEPS), (2, STEPS), (3, STEPS)]
    assert clip.meta["steps"] == STEPS


def test_remix_runs_the_part_of_the_schedule_its_strength_asks_for(wan_dir, media):
    backend = DiffusersBackend(model_dir=wan_dir, steps=10, short_side=SHORT_SIDE)
    progress = Progress()
    clip = backend.generate(_request("remix", media=media, strength=0.5), progress)
    assert clip.meta["steps"] == 5
    assert progress.calls[-1] == (5, 5)


def test_cancel_stops_within_one_step_and_the_backend_keeps_serving(backend):
    backend.steps = 6
    try:
        progress = Progress(cancel_at=2)
        with pytest.raises(JobCancelled):
            backend.generate(_request(), progress)
        assert progress.calls == [(1, 6), (2, 6)]

        clip = backend.generate(_request(), Progress())
        assert clip.meta["steps"] == 6
    finally:
        backend.steps = STEPS


def test_the_same_seed_gives_the_same_clip_and_another_seed_another(backend):
    first = backend.generate(_request(seed=11), Progress())
    again = backend.generate(_request(seed=11), Progress())
    other = backend.generate(_request(seed=12), Progress())
    assert np.array_equal(first.frames, again.frames)
    assert not np.array_equal(first.frames, other.frames)


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
def test_the_requested_aspect_is_kept(backend, aspect):
    request = _request(aspect=aspect)
    clip = backend.generate(request, Progress())
    _assert_clip_fits(clip, request)
    width, height = clip.meta["width"], clip.meta["height"]
    requested = clip.meta["requested"]
    assert (width > height) == (requested["width"] > requested["height"])
    assert (width == height) == (requested["width"] == requested["height"])


@pytest.mark.parametrize("duration_s", [0.5, 1.0, 2.5, 4.0, 10.0])
@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
def test_wan_renders_4k_plus_1_frames_at_16_fps_in_multiples_of_16(wan_dir, duration_s, aspect):
    backend = DiffusersBackend(model_dir=wan_dir, short_side=480)
    shape = backend.plan(_request(duration_s=duration_s, aspect=aspect, short_side=480))
    assert shape.num_frames % 4 == 1
    assert abs(shape.num_frames - duration_s * 16) <= 2
    assert shape.fps == 16
    assert shape.width % 16 == 0 and shape.height % 16 == 0
    assert min(shape.width, shape.height) == 480


def test_ltx_renders_8k_plus_1_frames_at_24_fps_in_multiples_of_32(model_root):
    backend = DiffusersBackend(model_dir=_tiny(model_root, "ltx"), short_side=480)
    shape = backend.plan(_request(duration_s=5.0, aspect="16:9", short_side=480))
    assert (shape.num_frames, shape.fps) == (121, 24)
    assert (shape.width, shape.height) == (864, 480)


def test_the_model_never_renders_larger_than_the_clip_asked_for(wan_dir):
    backend = DiffusersBackend(model_dir=wan_dir, short_side=480)
    shape = backend.plan(_request(aspect="16:9", short_side=128))
    assert (shape.width, shape.height) == (224, 128)


def test_dialogue_and_ambience_are_on_the_clip_timeline(backend):
    silent_prompt = backend.generate(_request(prompt="a calm beach at night"), Progress())
    spoken = backend.generate(_request(prompt='a dog on the beach says "hello there friend"'), Progress())
    assert np.abs(silent_prompt.audio).max() > 0.0  # ambience
    assert len(spoken.audio) == len(silent_prompt.audio)
    assert np.sqrt(np.mean(spoken.audio**2)) > np.sqrt(np.mean(silent_prompt.audio**2))


def test_an_audio_model_lays_its_bed_under_the_clip(wan_dir, model_root):
    audio_dir = make_tiny_audio_model(model_root / "audio")
    backend = DiffusersBackend(model_dir=wan_dir, steps=2, short_side=SHORT_SIDE, audio_model_dir=audio_dir,
                               audio_steps=2)
    request = _request(duration_s=3.0)  # longer than the tiny audio model's 2 s window: the bed repeats
    clip = backend.generate(request, Progress())
    _assert_clip_fits(clip, request)
    assert clip.meta["audio"] == "StableAudioPipeline"
    assert np.abs(clip.audio[-clip.sample_rate // 2:]).max() > 0.0


def test_cache_acceleration_is_used_when_the_transformer_supports_it(wan_dir):
    backend = DiffusersBackend(model_dir=wan_dir, steps=STEPS, short_side=SHORT_SIDE, cache="first_block")
    assert backend.cache == "first_block"
    request = _request()
    clip = backend.generate(request, Progress())
    _assert_clip_fits(clip, request)
    assert clip.meta["cache"] == "first_block"


def test_a_cache_that_fails_at_run_time_is_dropped_and_the_job_still_succeeds(wan_dir, monkeypatch):
    """Every cache mode runs on both families (test_diffusers_speed.py); should one still break at run time on a
    real checkpoint, the job is made again once without it, and the worker goes on without it."""
    backend = DiffusersBackend(model_dir=wan_dir, steps=STEPS, short_side=SHORT_SIDE, cache="first_block")
    real, tried = backend._run, []

    def breaks_with_a_cache(*args, **kwargs):
        tried.append(backend.cache)
        if backend.cache is not None:
            raise BackendError("the cache broke")
        return real(*args, **kwargs)

    monkeypatch.setattr(backend, "_run", breaks_with_a_cache)
    request = _request()
    clip = backend.generate(request, Progress())
    _assert_clip_fits(clip, request)
    assert tried == ["first_block", None] and backend.cache is None and clip.meta["cache"] is None
    assert clip.meta["speedups"]["cache"] is None


def test_an_unknown_option_is_refused_at_start(wan_dir):
    with pytest.raises(BackendConfigError, match="cache"):
        DiffusersBackend(model_dir=wan_dir, cache="everything")
    with pytest.raises(BackendConfigError, match="offload"):
        DiffusersBackend(model_dir=wan_dir, offload="disk")


def test_a_missing_model_directory_is_refused_naming_it(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(BackendConfigError, match=str(missing)):
        DiffusersBackend(model_dir=missing)


def test_a_directory_without_a_model_index_is_refused(tmp_path):
    with pytest.raises(BackendConfigError, match="model_index.json") as info:
        DiffusersBackend(model_dir=tmp_path)
    assert str(tmp_path) in str(info.value)


def test_an_unsupported_pipeline_class_is_refused_naming_path_and_class(tmp_path):
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": "StableDiffusionPipeline"}))
    with pytest.raises(BackendConfigError) as info:
        DiffusersBackend(model_dir=tmp_path)
    assert str(tmp_path) in str(info.value)
    assert "StableDiffusionPipeline" in str(info.value)


def test_unreadable_weights_are_refused_at_start(wan_dir, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_index.json").write_text((wan_dir / "model_index.json").read_text())
    with pytest.raises(BackendConfigError, match=str(broken)):
        DiffusersBackend(model_dir=broken)


def test_a_text_only_model_explains_why_it_cannot_make_a_cameo(model_root, media):
    backend = DiffusersBackend(model_dir=_tiny(model_root, "wan", "t2v"), steps=2, short_side=SHORT_SIDE)
    with pytest.raises(BackendError, match="image-to-video"):
        backend.generate(_request("cameo", media=media), Progress())
    clip = backend.generate(_request("remix", media=media), Progress())
    assert clip.meta["pipeline"] == "WanVideoToVideoPipeline"


def test_an_image_to_video_model_uses_its_image_encoder_for_cameos(model_root, media):
    backend = DiffusersBackend(model_dir=_tiny(model_root, "wan", "i2v"), steps=2, short_side=SHORT_SIDE)
    request = _request("cameo", media=media)
    clip = backend.generate(request, Progress())
    _assert_clip_fits(clip, request)
    assert clip.meta["pipeline"] == "WanImageToVideoPipeline"
    remix = backend.generate(_request("remix", media=media), Progress())
    assert (remix.meta["pipeline"], remix.meta["condition"]) == ("WanImageToVideoPipeline", "parent_first_frame")
    with pytest.raises(BackendError, match="starting image"):
        backend.generate(_request(), Progress())


def _two_cameos(root: Path) -> list[CameoRef]:
    cameos = []
    for cameo_id, colour in ((5, (220, 40, 40)), (6, (40, 60, 220))):
        path = root / f"cameo-{cameo_id}.png"
        Image.new("RGB", (120, 160), colour).save(path)
        cameos.append(CameoRef(id=cameo_id, name=f"cameo {cameo_id}", kind="character", reference_image=str(path)))
    return cameos


def _pipeline_inputs(backend: DiffusersBackend, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """What each pipeline call of ``backend`` receives."""
    calls: list[dict] = []
    run = backend._run

    def recording(pipe, inputs, seed, on_progress):
        calls.append(inputs)
        return run(pipe, inputs, seed, on_progress)

    monkeypatch.setattr(backend, "_run", recording)
    return calls


@pytest.mark.parametrize("family, layout", [("wan", "i2v"), ("ltx", None)])
def test_two_cameos_both_reach_an_image_to_video_pipeline(model_root, tmp_path, monkeypatch, family, layout):
    # An image-to-video model starts from one picture: the two references share it, side by side, in order.
    backend = DiffusersBackend(model_dir=_tiny(model_root, family, layout), steps=2, short_side=SHORT_SIDE)
    calls = _pipeline_inputs(backend, monkeypatch)
    request = _request("cameo", cameos=_two_cameos(tmp_path))
    _assert_clip_fits(backend.generate(request, Progress()), request)

    image = np.asarray(calls[0]["image"], dtype=np.float32)
    assert image.shape[:2] == (calls[0]["height"], calls[0]["width"])
    half = image.shape[1] // 2
    assert np.allclose(image[:, :half].mean(axis=(0, 1)), (220, 40, 40), atol=2)
    assert np.allclose(image[:, half:].mean(axis=(0, 1)), (40, 60, 220), atol=2)


def test_a_vace_model_takes_every_cameo_as_a_reference_image(model_root, tmp_path, monkeypatch):
    backend = DiffusersBackend(model_dir=_tiny(model_root, "wan", "vace"), steps=2, short_side=SHORT_SIDE)
    calls = _pipeline_inputs(backend, monkeypatch)
    backend.generate(_request("cameo", cameos=_two_cameos(tmp_path)), Progress())
    colours = [np.asarray(image).reshape(-1, 3).mean(axis=0) for image in calls[0]["reference_images"]]
    assert np.allclose(colours, [(220, 40, 40), (40, 60, 220)], atol=1)


def test_a_vace_model_makes_cameos_from_reference_images(model_root, media):
    backend = DiffusersBackend(model_dir=_tiny(model_root, "wan", "vace"), steps=2, short_side=SHORT_SIDE)
    for kind in ("text", "cameo", "remix"):
        request = _request(kind, media=media)
        clip = backend.generate(request, Progress())
        _assert_clip_fits(clip, request)
        assert clip.meta["pipeline"] == "WanVACEPipeline"
    assert clip.meta["condition"] == "parent_video"


def test_a_remix_without_a_parent_video_fails_with_a_message(backend):
    request = _request("remix", parent=ParentClip(post_id=3, scene_plan=None, video_path=None))
    with pytest.raises(BackendError, match="parent video"):
        backend.generate(request, Progress())


def test_a_pipeline_failure_becomes_a_readable_error_and_the_worker_keeps_serving(backend, monkeypatch):
    def out_of_memory(*args: object, **kwargs: object) -> None:
        raise RuntimeError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(backend._base.transformer, "forward", out_of_memory)
    with pytest.raises(BackendError, match="ran out of GPU memory") as info:
        backend.generate(_request(), Progress())
    assert info.value.transient
    monkeypatch.undo()

    clip = backend.generate(_request(), Progress())
    assert clip.meta["steps"] == STEPS


def test_retime_keeps_the_ends_and_blends_between():
    frames = np.stack([np.full((2, 2, 3), v, dtype=np.uint8) for v in (0, 100, 200)])
    out = retime(frames, 5)
    assert [int(f[0, 0, 0]) for f in out] == [0, 50, 100, 150, 200]


def _storyboard(**overrides: object) -> GenerationRequest:
    shots = [Shot("a red ball rolls on the beach", 1.0), Shot("the ball stops", 0.5, framing="close_up"),
             Shot("at night", 0.5, transition="dissolve")]
    return _request("storyboard", prompt=shots[0].prompt, duration_s=2.0, shots=shots, **overrides)


@pytest.mark.parametrize("family, layout", [("wan", "i2v"), ("ltx", None)])
def test_a_storyboard_makes_each_shot_from_the_last_frame_of_the_one_before(model_root, monkeypatch, family, layout):
    backend = DiffusersBackend(model_dir=_tiny(model_root, family, layout), steps=2, short_side=SHORT_SIDE)
    calls = _pipeline_inputs(backend, monkeypatch)
    seen: list[np.ndarray] = []
    original = backend._shot_request

    def remembering(request, shot, k, last):
        seen.append(None if last is None else last.copy())
        return original(request, shot, k, last)

    monkeypatch.setattr(backend, "_shot_request", remembering)
    progress = Progress()
    request = _storyboard() if family == "ltx" else _storyboard(cameos=_two_cameos(model_root))
    clip = backend.generate(request, progress)
    _assert_clip_fits(clip, request)
    assert len(calls) == 3 and [s["index"] for s in clip.meta["shots"]] == [0, 1, 2]
    assert [s["condition"] for s in clip.meta["shots"][1:]] == ["parent_last_frame"] * 2
    # Shots 2 and 3 start from the picture the shot before ended on: the frame the clip shows just before the cut.
    first_cut = 24
    assert np.array_equal(seen[1], clip.frames[first_cut - 1])
    conditioned = np.asarray(calls[1]["image"], dtype=np.float32)
    assert conditioned.shape[:2] == (calls[1]["height"], calls[1]["width"])
    # Progress covers the whole storyboard, shot by shot.
    assert {shot for shot in progress.shots} == {(0, 3), (1, 3), (2, 3)}
    assert progress.calls[-1][0] == progress.calls[-1][1]


def test_a_text_only_model_makes_a_storyboard_from_each_shots_prompt(model_root):
    backend = DiffusersBackend(model_dir=_tiny(model_root, "wan", "t2v"), steps=2, short_side=SHORT_SIDE)
    clip = backend.generate(_storyboard(), Progress())
    assert [s["condition"] for s in clip.meta["shots"]] == ["none"] * 3
    assert clip.frames.shape[0] == 48


def test_a_cancel_in_the_second_shot_stops_the_storyboard(wan_dir):
    backend = DiffusersBackend(model_dir=wan_dir, steps=2, short_side=SHORT_SIDE)
    progress = Progress(cancel_at=3)  # steps 1-2 are the first shot, 3-4 the second
    with pytest.raises(JobCancelled):
        backend.generate(_storyboard(), progress)
    assert progress.shots[-1] == (1, 3)
    assert backend.generate(_request(), Progress()).frames.shape[0] == 24
