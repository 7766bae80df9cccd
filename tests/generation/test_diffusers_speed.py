"""The diffusers backend's speed switches on the tiny models (CPU): every cache mode diffusers ships, torch.compile
of the transformer, VAE tiling and slicing, and group offloading each make a clip whose progress still counts the
denoising steps; a switch that cannot work with the model is refused when the backend starts, not by a late job
failure. (What each one saves is measured on a GPU by bench/gpu.py; bench/diffusers_overhead.py times the cache
modes against none on the tiny models.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("diffusers")

from generation.backends.base import GenerationRequest  # noqa: E402
from generation.backends.diffusers import BackendConfigError, DiffusersBackend  # noqa: E402
from generation.backends.diffusers.loading import CACHE_MODES, enable_group_offload  # noqa: E402
from generation.backends.tiny import make_tiny_model  # noqa: E402

STEPS = 6
TILING_DIFFERENCE = 2.0  # grey levels: measured 0.51 (tiles blended over their 64-pixel overlap), 4× margin
RATIOS = [1.0, 0.99, 0.98, 0.97, 0.96, 0.95]  # MagCache's per-step magnitude ratios (a calibration run prints them)


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("speed-models")
    return {family: make_tiny_model(root / family, family) for family in ("wan", "ltx", "ltx2")}


def _make(backend: DiffusersBackend):
    request = GenerationRequest(job_id=1, kind="text", prompt="a red ball rolls on the beach", duration_s=1.0,
                                aspect="16:9", seed=4, short_side=64)
    progress: list[tuple[int, int]] = []
    clip = backend.generate(request, lambda done, total, **_: progress.append((done, total)))
    assert clip.frames.shape == (24, 64, 114, 3) and clip.frames.dtype == np.uint8
    assert progress[-1] == (STEPS, STEPS) and [done for done, _ in progress] == list(range(1, STEPS + 1))
    return clip


# Measured on the tiny LTX-2 model: diffusers itself refuses first_block and MagCache for its blocks, and pab and
# FasterCache fail in the first job; TaylorSeer works.
LTX2_REFUSED = {"first_block", "pab", "faster", "magcache", "magcache_calibrate"}


@pytest.mark.parametrize("mode", CACHE_MODES)
@pytest.mark.parametrize("family", ["wan", "ltx", "ltx2"])
def test_every_cache_mode_makes_a_clip_or_is_refused_at_start(models, family, mode):
    make = lambda: DiffusersBackend(model_dir=models[family], steps=STEPS, short_side=64, cache=mode,  # noqa: E731
                                    cache_ratios=RATIOS)
    if family == "ltx2" and mode in LTX2_REFUSED:
        with pytest.raises(BackendConfigError, match=f"GENERATION_CACHE={mode}"):
            make()
        return
    clip = _make(make())
    assert clip.meta["cache"] == mode and clip.meta["speedups"]["cache"] == mode


@pytest.mark.parametrize("family, compile_mode", [("ltx", "blocks"), ("ltx", "transformer")])
def test_torch_compile_makes_the_same_clip(models, family, compile_mode):
    plain = _make(DiffusersBackend(model_dir=models[family], steps=STEPS, short_side=64))
    clip = _make(DiffusersBackend(model_dir=models[family], steps=STEPS, short_side=64, compile=compile_mode))
    assert clip.meta["speedups"]["compile"] == compile_mode
    difference = np.abs(clip.frames.astype(int) - plain.frames.astype(int)).mean()
    print(f"{family} compile={compile_mode}: mean difference {difference:.3f} grey levels")
    assert difference < 1.0  # measured: 0.000 on these clips and on Wan's (compiling changes how, not what)


def test_vae_tiling_and_slicing_decode_large_frames_in_pieces(models):
    """At 288×512 the Wan VAE decodes in overlapping 256-pixel tiles, blended at the seams."""
    size = 288
    plain = DiffusersBackend(model_dir=models["wan"], steps=2, short_side=size)
    tiled = DiffusersBackend(model_dir=models["wan"], steps=2, short_side=size, vae_tiling=True, vae_slicing=True)
    assert tiled._base.vae.use_tiling and tiled._base.vae.use_slicing
    request = GenerationRequest(job_id=1, kind="text", prompt="a red ball", duration_s=1.0, aspect="16:9", seed=4,
                                short_side=size)
    a, b = plain.generate(request, lambda *_, **__: None), tiled.generate(request, lambda *_, **__: None)
    assert b.meta["speedups"]["vae_tiling"] and b.frames.shape == a.frames.shape == (24, 288, 512, 3)
    difference = np.abs(a.frames.astype(int) - b.frames.astype(int)).mean()
    print(f"wan VAE tiling at 288×512: mean difference {difference:.2f} grey levels")
    assert 0 < difference < TILING_DIFFERENCE


def test_group_offloading_runs_a_job_with_the_blocks_brought_in_one_group_at_a_time(models):
    """On a GPU the blocks wait in CPU memory and come over on a CUDA stream; here both sides are the CPU, which
    still runs every hook the family's transformer gets."""
    import torch

    backend = DiffusersBackend(model_dir=models["wan"], steps=STEPS, short_side=64)
    enable_group_offload(backend._base, device=torch.device("cpu"))
    _make(backend)
    # Pipelines made over the same weights (remix, cameo) share the offloaded modules and take turns with them.
    remix = backend._variant("WanVideoToVideoPipeline")
    enable_group_offload(remix, device=torch.device("cpu"))
    _make(backend)


def test_a_switch_that_cannot_work_is_refused_at_start(models):
    with pytest.raises(BackendConfigError, match="GENERATION_CACHE_RATIOS"):
        DiffusersBackend(model_dir=models["wan"], cache="magcache")
    with pytest.raises(BackendConfigError, match="compile mode"):
        DiffusersBackend(model_dir=models["wan"], compile="always")
    with pytest.raises(BackendConfigError, match="offload"):
        DiffusersBackend(model_dir=models["ltx"], offload="disk")


def test_a_half_downloaded_checkpoint_is_refused_at_start_naming_the_missing_file(models, tmp_path):
    import shutil

    partial = tmp_path / "partial"
    shutil.copytree(models["wan"], partial)
    [weights] = (partial / "transformer").glob("*.safetensors")
    weights.unlink()
    with pytest.raises(BackendConfigError) as info:
        DiffusersBackend(model_dir=partial)
    assert str(partial) in str(info.value) and "transformer" in str(info.value)
