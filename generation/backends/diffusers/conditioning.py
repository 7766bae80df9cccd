"""The inputs a route conditions on: the parent clip's frames (remix), its first or last frame (extend), the
cameo's reference photos (cameo), fitted to the render grid."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from PIL import Image

from core.video import MediaError, decode_frames, probe

from .. import video_fit
from ..base import BackendError, GenerationRequest
from .routes import Route

NEUTRAL_GREY = (128, 128, 128)


def condition_inputs(
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
        image = compose_references(_cameo_images(request), size)
    else:
        image = video_fit.cover(Image.fromarray(_parent_still(request, last=condition == "parent_last_frame")), size)
    if route.pipeline == "WanVACEPipeline":
        return _vace_first_frame(image, shape)
    return {"image": image}


def _video_condition(pipeline: str, frames: list[Image.Image], strength: float, steps: int) -> dict[str, Any]:
    """Remix inputs: ``strength`` is how far from the parent (0 = copy, 1 = ignore it)."""
    strength = min(max(strength, 0.0), 1.0)
    if pipeline == "LTX2ConditionPipeline":
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

        return {"conditions": [LTX2VideoCondition(frames=frames, index=0, strength=1.0 - strength)]}
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


def compose_references(images: list[Image.Image], size: tuple[int, int]) -> Image.Image:
    """One first frame of ``size`` from every cameo's reference photo, side by side: an image-to-video model
    takes one starting image, and every cameo a job records must appear in the clip. Each photo fills an equal
    column (scaled and centre-cropped), in the job's order."""
    width, height = size
    frame = Image.new("RGB", size, NEUTRAL_GREY)
    edges = [round(i * width / len(images)) for i in range(len(images) + 1)]
    for image, left, right in zip(images, edges, edges[1:]):
        frame.paste(video_fit.cover(image, (right - left, height)), (left, 0))
    return frame


def _cameo_images(request: GenerationRequest) -> list[Image.Image]:
    """The reference photos of the job's cameos, in order."""
    if not request.cameos:
        raise BackendError(_("A cameo clip needs a cameo with a reference image."))
    images = []
    for cameo in request.cameos:
        try:
            with Image.open(cameo.reference_image) as image:
                images.append(image.convert("RGB"))
        except (OSError, ValueError) as exc:
            raise BackendError(
                _("The reference image of the cameo “{name}” could not be read.").format(name=cameo.name),
            ) from exc
    return images


def _parent_frames(request: GenerationRequest, shape: video_fit.RenderShape) -> np.ndarray:
    """The parent clip sampled on the render grid: ``shape.num_frames`` frames at ``shape.fps``, cropped to size."""
    if request.parent is None or not request.parent.video_path:
        raise BackendError(_("This remix has no parent video to start from."))
    path = request.parent.video_path
    try:
        source_fps = probe(path)["fps"] or float(shape.fps)
        wanted = int(np.ceil((shape.num_frames - 1) / shape.fps * source_fps)) + 1
        frames = decode_frames(path, max_frames=wanted)
    except MediaError as exc:
        raise BackendError(_("The parent video could not be read: {message}").format(message=exc.message)) from exc
    picked = video_fit.sample_span(frames, source_fps, shape.num_frames, shape.fps)
    size = (shape.width, shape.height)
    return np.stack([np.asarray(video_fit.cover(Image.fromarray(f), size)) for f in picked])


def _parent_still(request: GenerationRequest, *, last: bool) -> np.ndarray:
    """The parent clip's first or last frame (uint8 H×W×3)."""
    import av

    if request.parent is not None and request.parent.still is not None and last:
        return np.asarray(request.parent.still, dtype=np.uint8)
    if request.parent is None or not request.parent.video_path:
        raise BackendError(_("This clip has no parent video to start from."))
    frame = None
    try:
        with av.open(request.parent.video_path) as container:
            for frame in container.decode(video=0):
                if not last:
                    break
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        raise BackendError(_("The parent video could not be read.")) from exc
    if frame is None:
        raise BackendError(_("The parent video has no frames."))
    return frame.to_ndarray(format="rgb24")
