"""Loading a diffusers video checkpoint from a local directory: which family it is, the dtype, the device and
offload, pipelines of the same family built over the loaded weights, and the transformer's cache acceleration.
Nothing is downloaded: ``from_pretrained`` reads the directory."""

from __future__ import annotations

import inspect
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

logger = logging.getLogger("generation.backends.diffusers")

SUPPORTED_PIPELINES = {
    "wan": ("WanPipeline", "WanImageToVideoPipeline", "WanVideoToVideoPipeline", "WanVACEPipeline"),
    "ltx": ("LTXPipeline", "LTXImageToVideoPipeline", "LTXConditionPipeline"),
}
OFFLOAD_MODES = ("none", "model", "sequential")
CACHE_MODES = ("first_block", "pab", "faster")
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


FAMILY_DEFAULTS = {
    "wan": FamilyDefaults(steps=30, guidance=5.0, fps=16, short_side=480),
    "ltx": FamilyDefaults(steps=40, guidance=3.0, fps=24, short_side=480),
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
    """CPU offload hooks on ``pipe`` (CUDA only): whole models (``model``) or layer by layer (``sequential``)."""
    if offload == "none" or device.type != "cuda":
        return
    if offload == "model":
        pipe.enable_model_cpu_offload(device=device)
    else:
        pipe.enable_sequential_cpu_offload(device=device)


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


def cache_config(mode: str, current_timestep: Any) -> Any:
    """The diffusers cache config for ``mode``, or None when this diffusers has none."""
    try:
        from diffusers import hooks
    except ImportError:
        return None
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
