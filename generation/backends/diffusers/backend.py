"""The :class:`DiffusersBackend`: one per worker process, the checkpoint loaded once; each job is routed to a
pipeline of the family, fitted to the model's grid, rendered with progress and cancel at every denoising step,
retimed and resized to the clip asked for, and given its soundtrack."""

from __future__ import annotations

import dataclasses
import gc
import logging
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch
from django.utils.translation import gettext

from .. import video_fit
from ..base import (
    DISSOLVE_S,
    BackendError,
    ClipStream,
    GenerationRequest,
    ParentClip,
    ProgressCallback,
    Shot,
    StreamingBackend,
    chunked,
)
from ..preview.scene import extract_dialogue
from ..sequence import Part, dissolve_frames, join, shot_frame_counts
from .conditioning import condition_inputs
from .loading import (
    CACHE_MODES,
    COMPILE_MODES,
    FAMILY_DEFAULTS,
    LATE_FAILING_CACHES,
    OFFLOAD_MODES,
    BackendConfigError,
    cache_config,
    check_choice,
    detect_family,
    enable_offload,
    enable_speedups,
    load_pipeline,
    resolve_dtype,
    share_weights,
    transformer_of,
)
from .parallel import Group, enable_context_parallel, follow, join_group, parse_setting, require_cuda
from .routes import Route, ltx2_route, ltx_route, wan_route
from .soundtrack import audio_length_argument, audio_sample_rate, fit_model_audio, mono, soundtrack
from .soundtrack import sample_rate as audio_rate
from .steps import ShotProgress, StepReporter, readable_failure

logger = logging.getLogger("generation.backends.diffusers")


# The request's look, said to the model in words (the preview draws it: preview/scenery.py).
STYLE_WORDS = {"cartoon": ", flat-colour cartoon style", "storybook": ", pastel storybook illustration",
               "noir": ", black-and-white film noir, high contrast", "neon": ", neon night, glowing neon colours"}


class DiffusersBackend(StreamingBackend):
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
        cache_ratios: list[float] | None = None,
        compile: str = "none",
        vae_tiling: bool = False,
        vae_slicing: bool = False,
        context_parallel: str | None = None,
        group: Group | None = None,
    ):
        self.model_dir = Path(model_dir)
        self.family, self.class_name = detect_family(self.model_dir)
        defaults = FAMILY_DEFAULTS[self.family]
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.dtype = resolve_dtype(dtype, self.device)
        self.offload = check_choice("offload", offload, OFFLOAD_MODES)
        self.steps = steps or defaults.steps
        self.guidance = defaults.guidance if guidance is None else guidance
        self.short_side = short_side or defaults.short_side
        self.fps = fps or defaults.fps
        self.audio_steps = audio_steps
        self.compile = check_choice("compile mode", compile or "none", COMPILE_MODES)
        self.cache_ratios = cache_ratios

        self._base = self._load(self.model_dir)
        self.grid = self._model_grid()
        self._variants: dict[str, Any] = {self.class_name: self._base}
        self._offloaded: Any = None
        self._active: Any = self._base
        self.cache = self._enable_cache(cache)
        # Context parallelism (parallel.py): the ranks of a group make each pipeline call together. ``group`` alone
        # (no setting) runs the calls in step without sharding them: what the group adds, on any device.
        self.context_parallel = parse_setting(context_parallel)
        self.group = group
        if self.context_parallel is not None:
            require_cuda(self.device)
            self.group = group or join_group(self.device)
            enable_context_parallel(transformer_of(self._base), self.context_parallel, self.group, self.device)
        enable_speedups(self._base, compile_mode=self.compile, vae_tiling=vae_tiling, vae_slicing=vae_slicing)
        self.vae_tiling, self.vae_slicing = vae_tiling, vae_slicing
        self._audio = self._load_audio(Path(audio_model_dir)) if audio_model_dir else None
        logger.info(
            "diffusers backend ready: %s (%s) on %s/%s, %s, audio model=%s",
            self.model_dir, self.class_name, self.device, self.dtype, self.speedups, audio_model_dir,
        )

    @property
    def speedups(self) -> dict[str, Any]:
        """The speed switches in effect (the cache is dropped if it ever fails at run time)."""
        return {"offload": self.offload, "cache": self.cache, "compile": self.compile,
                "vae_tiling": self.vae_tiling, "vae_slicing": self.vae_slicing,
                "context_parallel": str(self.context_parallel) if self.context_parallel else None,
                "gpus": self.group.size if self.group is not None else 1}

    @classmethod
    def from_settings(cls, settings) -> "DiffusersBackend":
        return cls(
            model_dir=settings.GENERATION_MODEL,
            device=settings.GENERATION_DEVICE or None,
            dtype=settings.GENERATION_DTYPE or None,
            offload=settings.GENERATION_OFFLOAD,
            steps=settings.GENERATION_STEPS,
            guidance=settings.GENERATION_GUIDANCE,
            cache=settings.GENERATION_CACHE or None,
            cache_ratios=settings.GENERATION_CACHE_RATIOS or None,
            compile=settings.GENERATION_COMPILE or "none",
            vae_tiling=settings.GENERATION_VAE_TILING,
            vae_slicing=settings.GENERATION_VAE_SLICING,
            context_parallel=settings.GENERATION_CONTEXT_PARALLEL or None,
            audio_model_dir=settings.AUDIO_MODEL or None,
            short_side=settings.GENERATION_SHORT_SIDE,
        )

    # --- Loading ----------------------------------------------------------------------------------------

    def _load(self, model_dir: Path) -> Any:
        return load_pipeline(model_dir, dtype=self.dtype, device=self.device, offload=self.offload)

    def _load_audio(self, model_dir: Path) -> Any:
        pipe = self._load(model_dir)
        audio_length_argument(pipe)  # fail now, not at the first job, if it is not a text-to-audio model
        self._offload(pipe)
        return pipe

    def _place(self, pipe: Any) -> None:
        """Give ``pipe`` the offload hooks (pipelines sharing modules take turns holding them)."""
        if self._offloaded is not pipe:
            self._offload(pipe)
            self._offloaded = pipe

    def _offload(self, pipe: Any) -> None:
        enable_offload(pipe, offload=self.offload, device=self.device)

    def _model_grid(self) -> video_fit.ModelGrid:
        pipe = self._base
        transformer = transformer_of(pipe)
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
        check_choice("cache", mode, CACHE_MODES)
        transformer = transformer_of(self._base)
        if mode in LATE_FAILING_CACHES.get(self.family, ()):
            raise BackendConfigError(
                f"GENERATION_CACHE={mode} does not work with {type(transformer).__name__} (its hooks fail in this "
                f"model's blocks); leave it unset or choose another mode."
            )
        config = cache_config(mode, lambda: self._active.current_timestep, steps=self.steps, ratios=self.cache_ratios)
        if config is None or not hasattr(transformer, "enable_cache"):
            raise BackendConfigError(
                f"GENERATION_CACHE={mode} is not offered for {type(transformer).__name__} by this diffusers."
            )
        try:
            transformer.enable_cache(config)
        except Exception as exc:
            raise BackendConfigError(
                f"GENERATION_CACHE={mode} cannot be used with {type(transformer).__name__}: {exc}"
            ) from exc
        logger.info("cache=%s enabled on %s", mode, type(transformer).__name__)
        return mode

    def _variant(self, class_name: str) -> Any:
        """The pipeline ``class_name`` over the loaded weights, built on first use."""
        if class_name not in self._variants:
            import diffusers

            self._variants[class_name] = share_weights(getattr(diffusers, class_name), self._base)
        return self._variants[class_name]

    # --- Jobs -------------------------------------------------------------------------------------------

    def route(self, kind: str) -> Route:
        """The pipeline and conditioning for a job ``kind``; :class:`BackendError` when the model cannot."""
        if self.family == "ltx":
            return ltx_route(kind)
        if self.family == "ltx2":
            return ltx2_route(kind)
        return wan_route(kind, self._base)

    def plan(self, request: GenerationRequest) -> video_fit.RenderShape:
        """What the model renders for ``request``: never larger than the clip asked for."""
        short_side = min(self.short_side, request.short_side)
        return video_fit.fit_request(self.grid, duration_s=request.duration_s, aspect=request.aspect,
                                     short_side=short_side, trained=FAMILY_DEFAULTS[self.family].trained_sizes)

    def stream(self, request: GenerationRequest, on_progress: ProgressCallback) -> ClipStream:
        """The clip shot by shot: each shot one pipeline run (a storyboard's later shots start from the shot
        before's last frame), fitted to the clip's frames and size, joined with its transition; the sound is made
        for the whole clip once the pictures are done."""
        shots = request.shots if request.kind == "storyboard" else [Shot(request.prompt, request.duration_s)]
        if not shots:
            raise BackendError(gettext("A storyboard needs at least one shot."))
        counts = shot_frame_counts([shot.duration_s for shot in shots], request.fps)
        out = ClipStream(fps=request.fps, size=request.size, num_frames=sum(counts), sample_rate=audio_rate())
        out.chunks = chunked(join(self._parts(request, shots, counts, out, on_progress)), request.size)
        return out

    def _parts(self, request: GenerationRequest, shots: list[Shot], counts: list[int], out: ClipStream,
               on_progress: ProgressCallback) -> Iterator[Part]:
        dissolves = dissolve_frames([shot.transition for shot in shots], counts, request.fps, DISSOLVE_S)
        storyboard = request.kind == "storyboard"
        shot_meta: list[dict[str, Any]] = []
        model_audio: list[np.ndarray] = []  # LTX-2: each shot's own sound, fitted to the shot's length
        last: np.ndarray | None = None
        meta: dict[str, Any] = {}
        for k, shot in enumerate(shots):
            sub, route = self._shot_request(request, shot, k, last)
            shape = self.plan(sub)
            pipe = self._variant(route.pipeline)
            inputs = self._inputs(route, sub, shape)
            report = ShotProgress(on_progress, k, len(shots)) if storyboard else on_progress
            video, steps, sound = self._render(pipe, inputs, sub.seed, report)
            if sound is not None:
                model_audio.append(fit_model_audio(*sound, round(counts[k] / request.fps * audio_rate()), audio_rate()))
            frames = video_fit.resize(video_fit.retime(video, counts[k]), request.size)
            del video
            last = frames[-1].copy()
            meta = self._meta(route, request, shape, steps)
            shot_meta.append({"index": k, "pipeline": route.pipeline, "condition": route.condition,
                              "num_frames": shape.num_frames, "steps": steps, "frames": counts[k],
                              "framing": shot.framing, "transition": shot.transition if k else None})
            yield Part(frames=iter(frames), length=counts[k], dissolve_in=dissolves[k])
        duration_s = sum(counts) / request.fps
        if model_audio:
            # The model's sound is the soundtrack; lines given a voice (or a cameo's) are spoken over it, ducked.
            voiced = bool(request.voices or request.cameos)
            out.audio, _, cast = soundtrack(request, duration_s, model_audio=np.concatenate(model_audio), voiced=voiced)
            meta["audio"] = "model+voices" if voiced else "model"
        else:
            bed = self._audio_bed(request, duration_s) if self._audio is not None else None
            out.audio, _, cast = soundtrack(request, duration_s, bed=bed)
            meta["audio"] = type(self._audio).__name__ if self._audio is not None else "ambience"
        meta["voices"] = cast
        if storyboard:
            meta["shots"] = shot_meta
        out.meta = meta
        # Only the cast is kept for remixes: the picture of a model's clip has no scene plan to edit.
        out.scene_plan = {"cast": cast}

    def _shot_request(self, request: GenerationRequest, shot: Shot, k: int,
                      last: np.ndarray | None) -> tuple[GenerationRequest, Route]:
        """A storyboard shot as a one-shot request and its route: the first like a clip of its own (from its
        cameos' references when it has cameos), the later ones continuing the shot before's last frame, or from
        their prompt alone on a model that cannot start from a picture."""
        if request.kind != "storyboard":
            return request, self.route(request.kind)
        if k == 0:
            kind = "cameo" if request.cameos else "text"
            sub = dataclasses.replace(request, kind=kind, prompt=shot.prompt, duration_s=shot.duration_s)
            return sub, self.route(kind)
        parent = ParentClip(post_id=None, scene_plan=None, video_path=None, seed=request.seed, still=last)
        sub = dataclasses.replace(request, kind="extend", prompt=shot.prompt, duration_s=shot.duration_s,
                                  parent=parent, seed=request.seed + k)
        try:
            return sub, self.route("extend")
        except BackendError:
            logger.info("storyboard shot %s: the model cannot start from a picture; made from its prompt", k)
            return dataclasses.replace(sub, kind="text", parent=None), self.route("text")

    def _inputs(self, route: Route, request: GenerationRequest, shape: video_fit.RenderShape) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "prompt": request.prompt + STYLE_WORDS.get(request.style or "", ""),
            "height": shape.height,
            "width": shape.width,
            "num_frames": shape.num_frames,
            "num_inference_steps": self.steps,
            "guidance_scale": self.guidance,
            "output_type": "np",
        }
        if self.family in ("ltx", "ltx2"):
            kwargs["frame_rate"] = shape.fps
        kwargs.update(condition_inputs(route, request, shape, self.steps))
        if route.pipeline == "WanVideoToVideoPipeline":
            del kwargs["num_frames"]  # taken from the conditioning video
        return kwargs

    def _render(
        self, pipe: Any, inputs: dict[str, Any], seed: int, on_progress: ProgressCallback
    ) -> tuple[np.ndarray, int, tuple[np.ndarray, int] | None]:
        """Run ``pipe``: (uint8 frames T×H×W×3, denoising steps run, the sound it made with them as (mono samples,
        rate) or None). Falls back to no cache once if it fails."""
        try:
            return self._run(pipe, inputs, seed, on_progress)
        except BackendError:
            if self.cache is None:
                raise
            logger.warning("generation failed with cache=%s; disabling the cache and trying once more", self.cache)
            transformer_of(self._base).disable_cache()
            self.cache = None
            return self._run(pipe, inputs, seed, on_progress)

    def _run(
        self, pipe: Any, inputs: dict[str, Any], seed: int, on_progress: ProgressCallback
    ) -> tuple[np.ndarray, int, tuple[np.ndarray, int] | None]:
        if self.group is not None:  # the other ranks make this call with us
            self.group.send_call(type(pipe).__name__, inputs, seed)
        reporter = StepReporter(on_progress, self.group)
        try:
            output = self._call(pipe, inputs, seed, reporter)
        except Exception as exc:
            self._recover(pipe)
            raise readable_failure(exc) from exc
        if reporter.stopped is not None:
            raise reporter.stopped
        sound = getattr(output, "audio", None)
        if sound is not None:  # LTX-2: (batch, channels, samples) at the vocoder's rate
            sound = (mono(np.asarray(sound[0].float().cpu() if torch.is_tensor(sound) else sound[0])),
                     int(pipe.audio_sampling_rate))
        return video_fit.to_uint8(np.asarray(output.frames[0])), pipe.num_timesteps, sound

    def _call(self, pipe: Any, inputs: dict[str, Any], seed: int, reporter: "StepReporter") -> Any:
        self._place(pipe)
        self._active = pipe
        generator = torch.Generator(device=self.device).manual_seed(seed)
        return pipe(**inputs, generator=generator, callback_on_step_end=reporter)

    def follow(self) -> int:
        """(A context-parallel group's ranks other than 0) make rank 0's pipeline calls with it until the worker
        stops; the number of calls made."""
        return follow(self.group, self.follow_call)

    def follow_call(self, pipeline: str, inputs: dict[str, Any], seed: int) -> Any:
        """Make one pipeline call rank 0 sent (its output)."""
        pipe = self._variant(pipeline)
        try:
            return self._call(pipe, inputs, seed, StepReporter(None, self.group))
        except Exception:
            self._recover(pipe)
            if self.cache is not None:  # as rank 0 does before it tries once more (_render)
                transformer_of(self._base).disable_cache()
                self.cache = None
            raise

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
            "trained_size": shape.trained,
            "fps": shape.fps,
            "steps": steps,
            "guidance": self.guidance,
            "seed": request.seed,
            "cache": self.cache,
            "speedups": self.speedups,
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
        pipe = self._audio
        _, scene_words = extract_dialogue(request.prompt)  # the lines are spoken by TTS, not by the bed
        kwargs: dict[str, Any] = {"prompt": " ".join(scene_words.split()), "output_type": "np"}
        length_arg, max_s = audio_length_argument(pipe)
        kwargs[length_arg] = min(duration_s, max_s) if max_s else duration_s
        if self.audio_steps:
            kwargs["num_inference_steps"] = self.audio_steps
        generator = torch.Generator(device=self.device).manual_seed(request.seed)
        try:
            output = pipe(**kwargs, generator=generator)
        except Exception as exc:
            self._recover(pipe)
            raise readable_failure(exc, audio=True) from exc
        return mono(np.asarray(output.audios[0], dtype=np.float32)), audio_sample_rate(pipe)
