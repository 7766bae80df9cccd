"""Loading a diffusers video checkpoint from a local directory: which family it is, the dtype, the device and
offload, pipelines of the same family built over the loaded weights, and the transformer's cache acceleration.
Nothing is downloaded: ``from_pretrained`` reads the directory."""

from __future__ import annotations

import inspect
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

logger = logging.getLogger("generation.backends.diffusers")

SUPPORTED_PIPELINES = {
    "wan": ("WanPipeline", "WanImageToVideoPipeline", "WanVideoToVideoPipeline", "WanVACEPipeline"),
    "ltx": ("LTXPipeline", "LTXImageToVideoPipeline", "LTXConditionPipeline"),
    "ltx2": ("LTX2Pipeline", "LTX2ImageToVideoPipeline", "LTX2ConditionPipeline"),
}
OFFLOAD_MODES = ("none", "model", "sequential", "group")
CACHE_MODES = ("first_block", "pab", "faster", "taylorseer", "magcache", "magcache_calibrate")
COMPILE_MODES = ("none", "transformer", "blocks")
# Cache modes a family's transformer takes at start-up but that fail in its first job, found by running every mode
# on every family's tiny model (tests/generation/test_diffusers_speed.py): refused at start like those diffusers
# refuses itself, never a job that fails late for a setting.
LATE_FAILING_CACHES = {
    "ltx2": ("pab", "faster"),  # their attention hooks do not fit LTX-2's joint audio-video blocks
}
DTYPES = {"bfloat16": torch.bfloat16, "bf16": torch.bfloat16, "float16": torch.float16, "fp16": torch.float16,
          "float32": torch.float32, "fp32": torch.float32}


class BackendConfigError(Exception):
    """The backend cannot start: the model directory or an option is unusable. Raised at construction."""


@dataclass(frozen=True)
class FamilyDefaults:
    steps: int
    guidance: float
    fps: int
    short_side: int
    # The sizes the published checkpoints were trained at, by short side and aspect (the short side is never more
    # than the clip's): a job at one of these short sides renders at exactly that size, then is resized to the
    # clip asked for, so a real model works at the resolution it knows. Other short sides round the aspect's size
    # to the model's grid.
    trained_sizes: dict = field(default_factory=dict)


FAMILY_DEFAULTS = {
    # Wan 2.1 (1.3B / 14B) at 480p: 832×480; Wan 2.1 14B and Wan 2.2 TI2V-5B at 720p: 1280×720 and 1280×704.
    "wan": FamilyDefaults(steps=30, guidance=5.0, fps=16, short_side=480, trained_sizes={
        480: {"16:9": (832, 480), "9:16": (480, 832), "1:1": (480, 480)},
        704: {"16:9": (1280, 704), "9:16": (704, 1280), "1:1": (704, 704)},
        720: {"16:9": (1280, 720), "9:16": (720, 1280), "1:1": (720, 720)},
    }),
    # LTX-Video 0.9: multiples of 32, trained around 768×512; 16:9 at 480 is 864×480 (≈1.8), at 704 1216×704.
    "ltx": FamilyDefaults(steps=40, guidance=3.0, fps=24, short_side=480, trained_sizes={
        480: {"16:9": (864, 480), "9:16": (480, 864), "1:1": (480, 480)},
        512: {"16:9": (768, 512), "9:16": (512, 768), "1:1": (512, 512)},
        704: {"16:9": (1216, 704), "9:16": (704, 1216), "1:1": (704, 704)},
    }),
    # LTX-2: multiples of 32 (64 for its two-stage upsampling), 24 fps; the sound is made with the picture.
    "ltx2": FamilyDefaults(steps=40, guidance=4.0, fps=24, short_side=480, trained_sizes={
        480: {"16:9": (864, 480), "9:16": (480, 864), "1:1": (480, 480)},
        512: {"16:9": (768, 512), "9:16": (512, 768), "1:1": (512, 512)},
        704: {"16:9": (1216, 704), "9:16": (704, 1216), "1:1": (704, 704)},
    }),
}


def detect_family(model_dir: Path) -> tuple[str, str]:
    """(family, pipeline class name) of the checkpoint in ``model_dir``, from its ``model_index.json``."""
    if not model_dir.is_dir():
        raise BackendConfigError(f"The video model directory {model_dir} does not exist.")
    index = model_dir / "model_index.json"
    try:
        class_name = json.loads(index.read_text())["_class_name"]
    except FileNotFoundError:
        raise BackendConfigError(f"{model_dir} is not a diffusers model: it has no model_index.json.") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackendConfigError(f"{index} could not be read as a diffusers model index ({exc}).") from exc
    for family, classes in SUPPORTED_PIPELINES.items():
        if class_name in classes:
            return family, class_name
    supported = ", ".join(name for classes in SUPPORTED_PIPELINES.values() for name in classes)
    raise BackendConfigError(
        f"The model in {model_dir} is a {class_name}, which this backend does not run (supported: {supported})."
    )


def load_pipeline(model_dir: Path, *, dtype: torch.dtype, device: torch.device, offload: str) -> Any:
    """The pipeline in ``model_dir`` (``DiffusionPipeline.from_pretrained``), on ``device`` unless it is offloaded."""
    from diffusers import DiffusionPipeline

    if not (model_dir / "model_index.json").is_file():
        raise BackendConfigError(f"{model_dir} is not a diffusers model: it has no model_index.json.")
    try:
        pipe = DiffusionPipeline.from_pretrained(str(model_dir), dtype=dtype)
    except Exception as exc:  # any reason the weights cannot be loaded stops the worker here
        raise BackendConfigError(f"The model in {model_dir} could not be loaded: {exc}") from exc
    pipe.set_progress_bar_config(disable=True)
    if offload == "none" or device.type != "cuda":
        pipe.to(device)
    if offload != "none" and device.type != "cuda":
        logger.info("offload=%s ignored: the model runs on %s", offload, device)
    return pipe


def enable_offload(pipe: Any, *, offload: str, device: torch.device) -> None:
    """CPU offload hooks on ``pipe`` (CUDA only): whole models (``model``), layer by layer (``sequential``), or
    the transformer's blocks in groups moved ahead of use on a CUDA stream while the rest stays on the GPU
    (``group``)."""
    if offload == "none" or device.type != "cuda":
        return
    if offload == "model":
        pipe.enable_model_cpu_offload(device=device)
    elif offload == "group":
        enable_group_offload(pipe, device=device)
    else:
        pipe.enable_sequential_cpu_offload(device=device)


def enable_group_offload(pipe: Any, *, device: torch.device) -> None:
    """Group offloading: each transformer's blocks live in CPU memory and are brought to ``device`` one group
    ahead of their use (on a CUDA stream, overlapping the copy with compute); the other modules stay on
    ``device``. Peak memory is about one block group plus the text encoder and VAE. Pipelines built over the same
    weights share their modules: a module already offloaded keeps its hooks."""
    from diffusers.hooks.group_offloading import _is_group_offload_enabled

    stream = device.type == "cuda"
    for name, module in pipe.components.items():
        if not isinstance(module, torch.nn.Module):
            continue
        if _is_group_offload_enabled(module):
            continue
        if name.startswith("transformer") and getattr(module, "_supports_group_offloading", False):
            module.enable_group_offload(onload_device=device, offload_device=torch.device("cpu"),
                                        offload_type="block_level", num_blocks_per_group=1, use_stream=stream)
        else:
            module.to(device)


def enable_speedups(pipe: Any, *, compile_mode: str, vae_tiling: bool, vae_slicing: bool) -> None:
    """``torch.compile`` of the transformer (whole, or its repeated blocks: a shorter first compile), and the
    VAE's tiled / sliced decoding (less memory for large frames or batches, a little slower)."""
    vae = getattr(pipe, "vae", None)
    if vae_tiling:
        if not hasattr(vae, "enable_tiling"):
            raise BackendConfigError(f"The VAE of this model ({type(vae).__name__}) cannot decode in tiles.")
        vae.enable_tiling()
    if vae_slicing:
        if not hasattr(vae, "enable_slicing"):
            raise BackendConfigError(f"The VAE of this model ({type(vae).__name__}) cannot decode in slices.")
        vae.enable_slicing()
    if compile_mode == "none":
        return
    transformer = transformer_of(pipe)
    if compile_mode == "blocks":
        if not getattr(transformer, "_repeated_blocks", None):
            raise BackendConfigError(
                f"{type(transformer).__name__} does not name its repeated blocks: use GENERATION_COMPILE=transformer."
            )
        transformer.compile_repeated_blocks(fullgraph=False)
    else:
        transformer.compile(fullgraph=False)


def share_weights(pipeline_class: type, base: Any) -> Any:
    """``pipeline_class`` built over ``base``'s modules and config, like ``from_pipe`` without its cast.

    ``from_pipe`` finishes with ``.to(dtype)`` on every shared module, which would also cast the layers
    diffusers keeps in float32 inside a bfloat16 model (Wan's norms and time embedding) and so change the
    base pipeline too. Sharing the modules as they are keeps every pipeline numerically identical.
    """
    components = base.components
    kwargs = {}
    for name in inspect.signature(pipeline_class.__init__).parameters:
        if name in components:
            kwargs[name] = components[name]
        elif name in base.config and not name.startswith("_"):
            kwargs[name] = base.config[name]
    pipe = pipeline_class(**kwargs)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def transformer_of(pipe: Any) -> Any:
    transformer = getattr(pipe, "transformer", None) or getattr(pipe, "transformer_2", None)
    if transformer is None:
        raise BackendConfigError(f"The {type(pipe).__name__} in this model directory has no transformer.")
    return transformer


def cache_config(mode: str, current_timestep: Any, *, steps: int = 28, ratios: list[float] | None = None) -> Any:
    """The diffusers cache config for ``mode``, or None when this diffusers has none. ``steps`` and ``ratios``
    are MagCache's: the number of denoising steps and the model's measured magnitude ratios."""
    try:
        from diffusers import hooks
    except ImportError:
        return None
    if mode == "taylorseer" and hasattr(hooks, "TaylorSeerCacheConfig"):
        # Full computation for the first 3 steps, then every 5th; first-order Taylor prediction in between.
        return hooks.TaylorSeerCacheConfig(cache_interval=5, disable_cache_before_step=3, max_order=1,
                                           taylor_factors_dtype=torch.float32)
    if mode == "magcache" and hasattr(hooks, "MagCacheConfig"):
        if not ratios:
            raise BackendConfigError(
                "GENERATION_CACHE=magcache needs the model's magnitude ratios in GENERATION_CACHE_RATIOS (run one "
                "job with GENERATION_CACHE=magcache_calibrate: the worker's log prints them)."
            )
        return hooks.MagCacheConfig(mag_ratios=list(ratios), num_inference_steps=steps)
    if mode == "magcache_calibrate" and hasattr(hooks, "MagCacheConfig"):
        return hooks.MagCacheConfig(calibrate=True, num_inference_steps=steps)
    if mode == "first_block" and hasattr(hooks, "FirstBlockCacheConfig"):
        return hooks.FirstBlockCacheConfig(threshold=0.05)
    if mode == "pab" and hasattr(hooks, "PyramidAttentionBroadcastConfig"):
        return hooks.PyramidAttentionBroadcastConfig(
            spatial_attention_block_skip_range=2,
            spatial_attention_timestep_skip_range=(100, 800),
            current_timestep_callback=current_timestep,
        )
    if mode == "faster" and hasattr(hooks, "FasterCacheConfig"):
        return hooks.FasterCacheConfig(
            spatial_attention_block_skip_range=2,
            spatial_attention_timestep_skip_range=(-1, 681),
            current_timestep_callback=current_timestep,
            attention_weight_callback=lambda _: 0.3,
            # Its reuse of the unconditional batch half assumes guidance batched as [uncond, cond]; Wan runs the two
            # as separate passes (each in its own cache context), so only the attention reuse is used.
            is_guidance_distilled=True,
        )
    return None


def resolve_dtype(dtype: str | torch.dtype | None, device: torch.device) -> torch.dtype:
    if dtype is None:
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype not in DTYPES:
        raise BackendConfigError(f"Unknown dtype {dtype!r} (expected one of {', '.join(DTYPES)}).")
    return DTYPES[dtype]


def check_choice(option: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise BackendConfigError(f"Unknown {option} {value!r} (expected one of {', '.join(choices)}).")
    return value
