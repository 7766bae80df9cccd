"""The diffusers backend: clips from an open video model (Wan or LTX-Video) kept in a local directory.

The worker builds one :class:`DiffusersBackend` per process. It loads the checkpoint once with
``DiffusionPipeline.from_pretrained`` and derives the other pipelines of the family from the same weights
when a job first needs them:

- text: ``WanPipeline`` / ``LTXPipeline``;
- remix: ``WanVideoToVideoPipeline`` / ``LTXConditionPipeline``, the parent's frames as the video condition and
  ``request.strength`` as how far to move away from them;
- cameo: ``WanImageToVideoPipeline`` / ``LTXImageToVideoPipeline``, the cameo's reference photo as the first
  frame (a VACE model takes the photos as reference images instead);
- extend: the same image-to-video pipelines, starting from the parent's last frame.

What a Wan checkpoint can do follows from its transformer: ``in_channels == z_dim`` renders from text
(and, with ``expand_timesteps`` as in Wan2.2-TI2V, also from a first frame); a larger ``in_channels``
(Wan2.1/2.2 I2V) only animates an image; a ``WanVACETransformer3DModel`` does all kinds through
``WanVACEPipeline``. A job the model cannot do fails with a :class:`BackendError` saying why.

Each job is fitted to the model's grid (frame counts ``step * k + 1`` at its native frame rate, sizes a
multiple of the VAE compression times the patch size, see :mod:`.video_fit`), rendered, then retimed to
``round(duration * 24)`` frames and resized to the requested size. The soundtrack (dialogue by TTS plus an
ambience bed, from an optional diffusers audio model or the preview backend's synthesiser) is laid on the
same timeline.

Only the worker imports this module; the web process never loads torch or diffusers.
"""

from __future__ import annotations

import gc
import inspect
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from . import video_fit
from .base import BackendError, Clip, GenerationRequest, ProgressCallback

logger = logging.getLogger(__name__)

SUPPORTED_PIPELINES = {
    "wan": ("WanPipeline", "WanImageToVideoPipeline", "WanVideoToVideoPipeline", "WanVACEPipeline"),
    "ltx": ("LTXPipeline", "LTXImageToVideoPipeline", "LTXConditionPipeline"),
}
OFFLOAD_MODES = ("none", "model", "sequential")
CACHE_MODES = ("first_block", "pab", "faster")
DTYPES = {"bfloat16": torch.bfloat16, "bf16": torch.bfloat16, "float16": torch.float16, "fp16": torch.float16,
          "float32": torch.float32, "fp32": torch.float32}
NEUTRAL_GREY = (128, 128, 128)
AUDIO_BED_RMS = 0.05  # a generated bed sits under dialogue (speech is mixed at 0.6 of full scale)


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


@dataclass(frozen=True)
class Route:
    """The pipeline a job kind runs on, and what it is conditioned on."""

    pipeline: str
    # "none" | "parent_video" | "parent_first_frame" | "parent_last_frame" | "cameo_image" | "cameo_references"
    condition: str


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


class DiffusersBackend:
    name = "diffusers"

    def __init__(
        self,
        *,
        model_dir: str | Path,
        device: str | None = None,
        dtype: str | torch.dtype | None = None,
        offload: str = "none",
        steps: int | None = None,
        guidance: float | None = None,
        cache: str | None = None,
        audio_model_dir: str | Path | None = None,
        short_side: int | None = None,
        fps: int | None = None,
        audio_steps: int | None = None,
    ):
        self.model_dir = Path(model_dir)
        self.family, self.class_name = detect_family(self.model_dir)
        defaults = FAMILY_DEFAULTS[self.family]
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.dtype = _resolve_dtype(dtype, self.device)
        self.offload = _check_choice("offload", offload, OFFLOAD_MODES)
        self.steps = steps or defaults.steps
        self.guidance = defaults.guidance if guidance is None else guidance
        self.short_side = short_side or defaults.short_side
        self.fps = fps or defaults.fps
        self.audio_steps = audio_steps

        self._base = self._load(self.model_dir)
        self.grid = self._model_grid()
        self._variants: dict[str, Any] = {self.class_name: self._base}
        self._offloaded: Any = None
        self._active: Any = self._base
        self.cache = self._enable_cache(cache)
        self._audio = self._load_audio(Path(audio_model_dir)) if audio_model_dir else None
        logger.info(
            "diffusers backend ready: %s (%s) on %s/%s, offload=%s, cache=%s, audio model=%s",
            self.model_dir, self.class_name, self.device, self.dtype, self.offload, self.cache, audio_model_dir,
        )

    # --- Loading ----------------------------------------------------------------------------------------

    def _load(self, model_dir: Path) -> Any:
        from diffusers import DiffusionPipeline

        if not (model_dir / "model_index.json").is_file():
            raise BackendConfigError(f"{model_dir} is not a diffusers model: it has no model_index.json.")
        try:
            pipe = DiffusionPipeline.from_pretrained(str(model_dir), dtype=self.dtype)
        except Exception as exc:  # any reason the weights cannot be loaded stops the worker here
            raise BackendConfigError(f"The model in {model_dir} could not be loaded: {exc}") from exc
        pipe.set_progress_bar_config(disable=True)
        if self.offload == "none" or self.device.type != "cuda":
            pipe.to(self.device)
        if self.offload != "none" and self.device.type != "cuda":
            logger.info("offload=%s ignored: the model runs on %s", self.offload, self.device)
        return pipe

    def _load_audio(self, model_dir: Path) -> Any:
        pipe = self._load(model_dir)
        _audio_length_argument(pipe)  # fail now, not at the first job, if it is not a text-to-audio model
        self._offload(pipe)
        return pipe

    def _place(self, pipe: Any) -> None:
        """Give ``pipe`` the offload hooks (pipelines sharing modules take turns holding them)."""
        if self._offloaded is not pipe:
            self._offload(pipe)
            self._offloaded = pipe

    def _offload(self, pipe: Any) -> None:
        if self.offload == "none" or self.device.type != "cuda":
            return
        if self.offload == "model":
            pipe.enable_model_cpu_offload(device=self.device)
        else:
            pipe.enable_sequential_cpu_offload(device=self.device)

    def _model_grid(self) -> video_fit.ModelGrid:
        pipe = self._base
        transformer = _transformer(pipe)
        if self.family == "wan":
            multiple = pipe.vae_scale_factor_spatial * transformer.config.patch_size[1]
            step = pipe.vae_scale_factor_temporal
        else:
            multiple = pipe.vae_spatial_compression_ratio * pipe.transformer_spatial_patch_size
            step = pipe.vae_temporal_compression_ratio
        return video_fit.ModelGrid(fps=self.fps, frame_step=step, size_multiple=multiple)

    def _enable_cache(self, mode: str | None) -> str | None:
        if mode is None:
            return None
        _check_choice("cache", mode, CACHE_MODES)
        transformer = _transformer(self._base)
        config = _cache_config(mode, lambda: self._active.current_timestep)
        if config is None or not hasattr(transformer, "enable_cache"):
            logger.info("cache=%s skipped: not offered for %s by this diffusers", mode, type(transformer).__name__)
            return None
        try:
            transformer.enable_cache(config)
        except Exception as exc:
            logger.info("cache=%s skipped: %s does not support it (%s)", mode, type(transformer).__name__, exc)
            return None
        logger.info("cache=%s enabled on %s", mode, type(transformer).__name__)
        return mode

    def _variant(self, class_name: str) -> Any:
        """The pipeline ``class_name`` over the loaded weights, built on first use."""
        if class_name not in self._variants:
            import diffusers

            self._variants[class_name] = _share_weights(getattr(diffusers, class_name), self._base)
        return self._variants[class_name]

    # --- Jobs -------------------------------------------------------------------------------------------

    def route(self, kind: str) -> Route:
        """The pipeline and conditioning for a job ``kind``; :class:`BackendError` when the model cannot."""
        if self.family == "ltx":
            return _ltx_route(kind)
        return _wan_route(kind, self._base)

    def plan(self, request: GenerationRequest) -> video_fit.RenderShape:
        """What the model renders for ``request``: never larger than the clip asked for."""
        short_side = min(self.short_side, request.short_side)
        return video_fit.fit_request(self.grid, duration_s=request.duration_s, aspect=request.aspect,
                                     short_side=short_side)

    def generate(self, request: GenerationRequest, on_progress: ProgressCallback) -> Clip:
        route = self.route(request.kind)
        shape = self.plan(request)
        pipe = self._variant(route.pipeline)
        inputs = self._inputs(route, request, shape)
        video, steps = self._render(pipe, inputs, request.seed, on_progress)
        frames = video_fit.resize(video_fit.retime(video, request.num_frames), request.size)
        duration_s = request.num_frames / request.fps
        bed = self._audio_bed(request, duration_s) if self._audio is not None else None
        audio, sample_rate = _soundtrack(request, duration_s, bed=bed)
        meta = self._meta(route, request, shape, steps)
        meta["audio"] = type(self._audio).__name__ if self._audio is not None else "ambience"
        return Clip(frames=frames, fps=request.fps, audio=audio, sample_rate=sample_rate, meta=meta)

    def _inputs(self, route: Route, request: GenerationRequest, shape: video_fit.RenderShape) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "prompt": request.prompt,
            "height": shape.height,
            "width": shape.width,
            "num_frames": shape.num_frames,
            "num_inference_steps": self.steps,
            "guidance_scale": self.guidance,
            "output_type": "np",
        }
        if self.family == "ltx":
            kwargs["frame_rate"] = shape.fps
        kwargs.update(_condition_inputs(route, request, shape, self.steps))
        if route.pipeline == "WanVideoToVideoPipeline":
            del kwargs["num_frames"]  # taken from the conditioning video
        return kwargs

    def _render(
        self, pipe: Any, inputs: dict[str, Any], seed: int, on_progress: ProgressCallback
    ) -> tuple[np.ndarray, int]:
        """Run ``pipe``: (uint8 frames T×H×W×3, denoising steps run). Falls back to no cache once if it fails."""
        try:
            return self._run(pipe, inputs, seed, on_progress)
        except BackendError:
            if self.cache is None:
                raise
            logger.warning("generation failed with cache=%s; disabling the cache and trying once more", self.cache)
            _transformer(self._base).disable_cache()
            self.cache = None
            return self._run(pipe, inputs, seed, on_progress)

    def _run(
        self, pipe: Any, inputs: dict[str, Any], seed: int, on_progress: ProgressCallback
    ) -> tuple[np.ndarray, int]:
        self._place(pipe)
        self._active = pipe
        reporter = _StepReporter(on_progress)
        generator = torch.Generator(device=self.device).manual_seed(seed)
        try:
            output = pipe(**inputs, generator=generator, callback_on_step_end=reporter)
        except Exception as exc:
            self._recover(pipe)
            raise _readable_failure(exc) from exc
        if reporter.stopped is not None:
            raise reporter.stopped
        return video_fit.to_uint8(np.asarray(output.frames[0])), pipe.num_timesteps

    def _recover(self, pipe: Any) -> None:
        """Leave the pipeline and the device ready for the next job after a failure."""
        try:
            pipe.maybe_free_model_hooks()
        except Exception:
            logger.exception("could not reset the pipeline hooks after a failure")
        gc.collect()
        if self.device.type == "cuda":
            torch.cuda.empty_cache()

    def _meta(
        self, route: Route, request: GenerationRequest, shape: video_fit.RenderShape, steps: int
    ) -> dict[str, Any]:
        width, height = request.size
        return {
            "backend": self.name,
            "model": self.model_dir.name,
            "family": self.family,
            "pipeline": route.pipeline,
            "condition": route.condition,
            "num_frames": shape.num_frames,
            "width": shape.width,
            "height": shape.height,
            "fps": shape.fps,
            "steps": steps,
            "guidance": self.guidance,
            "seed": request.seed,
            "cache": self.cache,
            "requested": {
                "duration_s": request.duration_s,
                "aspect": request.aspect,
                "num_frames": request.num_frames,
                "fps": request.fps,
                "width": width,
                "height": height,
            },
        }

    # --- Sound ------------------------------------------------------------------------------------------

    def _audio_bed(self, request: GenerationRequest, duration_s: float) -> tuple[np.ndarray, int]:
        """An ambience/music bed of ``duration_s`` from the audio model, mono float32."""
        from generation.backends.preview.scene import extract_dialogue

        pipe = self._audio
        _, scene_words = extract_dialogue(request.prompt)  # the lines are spoken by TTS, not by the bed
        kwargs: dict[str, Any] = {"prompt": " ".join(scene_words.split()), "output_type": "np"}
        length_arg, max_s = _audio_length_argument(pipe)
        kwargs[length_arg] = min(duration_s, max_s) if max_s else duration_s
        if self.audio_steps:
            kwargs["num_inference_steps"] = self.audio_steps
        generator = torch.Generator(device=self.device).manual_seed(request.seed)
        try:
            output = pipe(**kwargs, generator=generator)
        except Exception as exc:
            self._recover(pipe)
            raise _readable_failure(exc, model="audio model") from exc
        return _mono(np.asarray(output.audios[0], dtype=np.float32)), _audio_sample_rate(pipe)


def _soundtrack(
    request: GenerationRequest, duration_s: float, *, bed: tuple[np.ndarray, int] | None = None
) -> tuple[np.ndarray, int]:
    """The clip's sound: quoted dialogue spoken by TTS over an ambience bed, mono float32 in [-1, 1].

    The prompt is read by the preview backend's parser (setting, weather, quoted lines) and the sound is built
    with its speech and ambience functions, on a timeline of exactly ``duration_s``. ``bed`` (samples, rate)
    from an audio model replaces the synthesised ambience; it is repeated if shorter than the clip.
    """
    from generation.backends.preview import audio, scene, tts
    from generation.backends.preview.world import World

    sample_rate = audio.SAMPLE_RATE
    n = round(duration_s * sample_rate)
    plan = scene.parse_prompt(request.prompt, seed=request.seed, world=World.for_aspect(request.aspect))
    lines = plan["dialogue"]
    speech = [tts.speak(line["text"], sample_rate) for line in lines]
    spoken = audio.schedule_dialogue(lines, speech, duration=duration_s, sample_rate=sample_rate)
    voice, presence = audio.speech_track(spoken, n, sample_rate)
    ambience = _fit_bed(*bed, n, sample_rate) if bed is not None else audio.ambience_track(plan, n, sample_rate)
    silence = np.zeros(n, dtype=np.float32)
    return audio.mix(impacts=silence, ambience=ambience, speech=voice, presence=presence), sample_rate


def _fit_bed(samples: np.ndarray, rate: int, n: int, sample_rate: int) -> np.ndarray:
    """An audio model's output resampled to ``sample_rate``, repeated or cut to ``n`` samples, at bed level."""
    if len(samples) == 0:
        return np.zeros(n, dtype=np.float32)
    length = max(1, round(len(samples) * sample_rate / rate))
    resampled = np.interp(np.arange(length) * (rate / sample_rate), np.arange(len(samples)), samples)
    track = np.resize(resampled, n)
    rms = float(np.sqrt(np.mean(track**2))) if n else 0.0
    if rms > 0:
        track *= AUDIO_BED_RMS / rms
    return track.astype(np.float32)


class _StepReporter:
    """``callback_on_step_end``: reports each denoising step; a raising ``on_progress`` stops the pipeline.

    The exception (``JobCancelled``, or any other from the caller) is kept and re-raised by the backend once
    the pipeline returns, so a cancel takes effect within one step.
    """

    def __init__(self, on_progress: ProgressCallback):
        self.on_progress = on_progress
        self.stopped: Exception | None = None

    def __call__(self, pipe: Any, step: int, timestep: Any, callback_kwargs: dict[str, Any]) -> dict[str, Any]:
        if self.stopped is None:
            try:
                self.on_progress(step + 1, pipe.num_timesteps)
            except Exception as exc:
                self.stopped = exc
                pipe._interrupt = True
        return callback_kwargs


# --- Routes -----------------------------------------------------------------------------------------------


def _ltx_route(kind: str) -> Route:
    routes = {
        "text": Route("LTXPipeline", "none"),
        "remix": Route("LTXConditionPipeline", "parent_video"),
        "cameo": Route("LTXImageToVideoPipeline", "cameo_image"),
        "extend": Route("LTXImageToVideoPipeline", "parent_last_frame"),
    }
    if kind not in routes:
        raise BackendError(f"Unknown kind of generation {kind!r}.")
    return routes[kind]


def _wan_route(kind: str, pipe: Any) -> Route:
    transformer = _transformer(pipe)
    if type(transformer).__name__.startswith("WanVACE"):
        routes = {
            "text": Route("WanVACEPipeline", "none"),
            "remix": Route("WanVACEPipeline", "parent_video"),
            "cameo": Route("WanVACEPipeline", "cameo_references"),
            "extend": Route("WanVACEPipeline", "parent_last_frame"),
        }
        if kind not in routes:
            raise BackendError(f"Unknown kind of generation {kind!r}.")
        return routes[kind]

    from_text = transformer.config.in_channels == pipe.vae.config.z_dim
    from_image = not from_text or bool(pipe.config.get("expand_timesteps"))
    if kind == "text":
        if not from_text:
            raise BackendError("This video model animates a starting image; it cannot make a clip from text alone.")
        return Route("WanPipeline", "none")
    if kind == "remix":
        if from_text:
            return Route("WanVideoToVideoPipeline", "parent_video")
        return _wan_image_route(pipe, transformer, "parent_first_frame")
    if kind in ("cameo", "extend"):
        if not from_image:
            raise BackendError(
                "This video model makes clips from text only; cameos and extensions need an image-to-video "
                "model (such as Wan2.2-TI2V or a Wan I2V checkpoint) or a VACE model."
            )
        return _wan_image_route(pipe, transformer, "cameo_image" if kind == "cameo" else "parent_last_frame")
    raise BackendError(f"Unknown kind of generation {kind!r}.")


def _wan_image_route(pipe: Any, transformer: Any, condition: str) -> Route:
    needs_encoder = transformer.config.get("image_dim") is not None
    if needs_encoder and getattr(pipe, "image_encoder", None) is None:
        raise BackendError(
            "This image-to-video model needs its image encoder, and the model directory has none (image_encoder/)."
        )
    return Route("WanImageToVideoPipeline", condition)


# --- Conditioning -----------------------------------------------------------------------------------------


def _condition_inputs(
    route: Route, request: GenerationRequest, shape: video_fit.RenderShape, steps: int
) -> dict[str, Any]:
    size = (shape.width, shape.height)
    condition = route.condition
    if condition == "none":
        return {}
    if condition == "cameo_references":
        return {"reference_images": _cameo_images(request)}
    if condition == "parent_video":
        frames = [Image.fromarray(f) for f in _parent_frames(request, shape)]
        return _video_condition(route.pipeline, frames, request.strength, steps)
    if condition == "cameo_image":
        image = _cameo_images(request)[0]
    else:
        image = Image.fromarray(_parent_still(request, last=condition == "parent_last_frame"))
    image = video_fit.cover(image, size)
    if route.pipeline == "WanVACEPipeline":
        return _vace_first_frame(image, shape)
    return {"image": image}


def _video_condition(pipeline: str, frames: list[Image.Image], strength: float, steps: int) -> dict[str, Any]:
    """Remix inputs: ``strength`` is how far from the parent (0 = copy, 1 = ignore it)."""
    strength = min(max(strength, 0.0), 1.0)
    if pipeline == "LTXConditionPipeline":
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        return {"conditions": [LTXVideoCondition(video=frames, frame_index=0, strength=1.0 - strength)]}
    if pipeline == "WanVideoToVideoPipeline":
        return {"video": frames, "strength": max(strength, 1.0 / steps)}  # at least one denoising step
    return {"video": frames}


def _vace_first_frame(image: Image.Image, shape: video_fit.RenderShape) -> dict[str, Any]:
    """VACE continues a known first frame: the frame is kept (black mask), the rest is generated (white)."""
    size = (shape.width, shape.height)
    grey = Image.new("RGB", size, NEUTRAL_GREY)
    video = [image] + [grey] * (shape.num_frames - 1)
    mask = [Image.new("L", size, 0)] + [Image.new("L", size, 255)] * (shape.num_frames - 1)
    return {"video": video, "mask": mask}


def _cameo_images(request: GenerationRequest) -> list[Image.Image]:
    """The reference photos of the job's cameos, in order."""
    if not request.cameos:
        raise BackendError("A cameo clip needs a cameo with a reference image.")
    images = []
    for cameo in request.cameos:
        try:
            with Image.open(cameo.reference_image) as image:
                images.append(image.convert("RGB"))
        except (OSError, ValueError) as exc:
            raise BackendError(f"The reference image of the cameo {cameo.name!r} could not be read.") from exc
    return images


def _parent_frames(request: GenerationRequest, shape: video_fit.RenderShape) -> np.ndarray:
    """The parent clip sampled on the render grid: ``shape.num_frames`` frames at ``shape.fps``, cropped to size."""
    from generation.media import MediaError, decode_frames, probe

    if request.parent is None or not request.parent.video_path:
        raise BackendError("This remix has no parent video to start from.")
    path = request.parent.video_path
    try:
        source_fps = probe(path)["fps"] or float(shape.fps)
        wanted = int(np.ceil((shape.num_frames - 1) / shape.fps * source_fps)) + 1
        frames = decode_frames(path, max_frames=wanted)
    except MediaError as exc:
        raise BackendError(f"The parent video could not be read: {exc.message}") from exc
    picked = video_fit.sample_span(frames, source_fps, shape.num_frames, shape.fps)
    size = (shape.width, shape.height)
    return np.stack([np.asarray(video_fit.cover(Image.fromarray(f), size)) for f in picked])


def _parent_still(request: GenerationRequest, *, last: bool) -> np.ndarray:
    """The parent clip's first or last frame (uint8 H×W×3)."""
    import av

    if request.parent is None or not request.parent.video_path:
        raise BackendError("This clip has no parent video to start from.")
    frame = None
    try:
        with av.open(request.parent.video_path) as container:
            for frame in container.decode(video=0):
                if not last:
                    break
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        raise BackendError("The parent video could not be read.") from exc
    if frame is None:
        raise BackendError("The parent video has no frames.")
    return frame.to_ndarray(format="rgb24")


# --- Helpers ----------------------------------------------------------------------------------------------


def _share_weights(pipeline_class: type, base: Any) -> Any:
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


def _transformer(pipe: Any) -> Any:
    transformer = getattr(pipe, "transformer", None) or getattr(pipe, "transformer_2", None)
    if transformer is None:
        raise BackendConfigError(f"The {type(pipe).__name__} in this model directory has no transformer.")
    return transformer


def _cache_config(mode: str, current_timestep: Any) -> Any:
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


def _readable_failure(exc: Exception, *, model: str = "video model") -> BackendError:
    out_of_memory = isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()
    )
    if out_of_memory:
        # Memory is freed before this is raised, so a retry starts clean; a smaller or shorter clip may fit.
        return BackendError(f"The {model} ran out of GPU memory for this clip.", transient=True)
    return BackendError(f"The {model} failed: {type(exc).__name__}: {exc}")


def _resolve_dtype(dtype: str | torch.dtype | None, device: torch.device) -> torch.dtype:
    if dtype is None:
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype not in DTYPES:
        raise BackendConfigError(f"Unknown dtype {dtype!r} (expected one of {', '.join(DTYPES)}).")
    return DTYPES[dtype]


def _check_choice(option: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise BackendConfigError(f"Unknown {option} {value!r} (expected one of {', '.join(choices)}).")
    return value


def _audio_length_argument(pipe: Any) -> tuple[str, float | None]:
    """The audio pipeline's length argument and its longest length in seconds (None: unbounded)."""
    parameters = inspect.signature(pipe.__call__).parameters
    if "audio_end_in_s" in parameters:  # Stable Audio: a fixed window
        window = pipe.transformer.config.sample_size * pipe.vae.hop_length / pipe.vae.config.sampling_rate
        return "audio_end_in_s", float(window)
    if "audio_length_in_s" in parameters:  # AudioLDM, AudioLDM2, MusicLDM
        return "audio_length_in_s", None
    raise BackendConfigError(f"{type(pipe).__name__} is not a text-to-audio pipeline this backend can use.")


def _audio_sample_rate(pipe: Any) -> int:
    vocoder = getattr(pipe, "vocoder", None)
    if vocoder is not None:
        return int(vocoder.config.sampling_rate)
    return int(pipe.vae.config.sampling_rate)


def _mono(audio: np.ndarray) -> np.ndarray:
    """(samples,), (channels, samples) → mono (samples,)."""
    if audio.ndim == 2:
        audio = audio.mean(axis=0)
    return np.clip(audio.reshape(-1), -1.0, 1.0).astype(np.float32)
