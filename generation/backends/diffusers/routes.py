"""Which pipeline of the family a kind of job runs on, and what it is conditioned on.

What a Wan checkpoint can do follows from its transformer: ``in_channels == z_dim`` renders from text (and, with
``expand_timesteps`` as in Wan2.2-TI2V, also from a first frame); a larger ``in_channels`` (Wan2.1/2.2 I2V) only
animates an image; a ``WanVACETransformer3DModel`` does all kinds through ``WanVACEPipeline``. A job the model
cannot do fails with a :class:`BackendError` saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ..base import BackendError
from .loading import transformer_of


@dataclass(frozen=True)
class Route:
    """The pipeline a job kind runs on, and what it is conditioned on."""

    pipeline: str
    # "none" | "parent_video" | "parent_first_frame" | "parent_last_frame" | "cameo_image" | "cameo_references"
    condition: str


def ltx_route(kind: str) -> Route:
    return _ltx_family_route(kind, "LTX")


def ltx2_route(kind: str) -> Route:
    return _ltx_family_route(kind, "LTX2")


def _ltx_family_route(kind: str, prefix: str) -> Route:
    """LTX-Video and LTX-2 route alike: one pipeline per kind, named with the family's prefix."""
    routes = {
        "text": Route(f"{prefix}Pipeline", "none"),
        "remix": Route(f"{prefix}ConditionPipeline", "parent_video"),
        "cameo": Route(f"{prefix}ImageToVideoPipeline", "cameo_image"),
        "extend": Route(f"{prefix}ImageToVideoPipeline", "parent_last_frame"),
    }
    if kind not in routes:
        raise BackendError(_("Unknown kind of generation {kind!r}.").format(kind=kind))
    return routes[kind]


def wan_route(kind: str, pipe: Any) -> Route:
    transformer = transformer_of(pipe)
    if type(transformer).__name__.startswith("WanVACE"):
        routes = {
            "text": Route("WanVACEPipeline", "none"),
            "remix": Route("WanVACEPipeline", "parent_video"),
            "cameo": Route("WanVACEPipeline", "cameo_references"),
            "extend": Route("WanVACEPipeline", "parent_last_frame"),
        }
        if kind not in routes:
            raise BackendError(_("Unknown kind of generation {kind!r}.").format(kind=kind))
        return routes[kind]

    from_text = transformer.config.in_channels == pipe.vae.config.z_dim
    from_image = not from_text or bool(pipe.config.get("expand_timesteps"))
    if kind == "text":
        if not from_text:
            raise BackendError(_("This video model animates a starting image; it cannot make a clip from text alone."))
        return Route("WanPipeline", "none")
    if kind == "remix":
        if from_text:
            return Route("WanVideoToVideoPipeline", "parent_video")
        return wan_image_route(pipe, transformer, "parent_first_frame")
    if kind in ("cameo", "extend"):
        if not from_image:
            raise BackendError(
                _("This video model makes clips from text only; cameos and extensions need an image-to-video "
                  "model (such as Wan2.2-TI2V or a Wan I2V checkpoint) or a VACE model.")
            )
        return wan_image_route(pipe, transformer, "cameo_image" if kind == "cameo" else "parent_last_frame")
    raise BackendError(_("Unknown kind of generation {kind!r}.").format(kind=kind))


def wan_image_route(pipe: Any, transformer: Any, condition: str) -> Route:
    needs_encoder = transformer.config.get("image_dim") is not None
    if needs_encoder and getattr(pipe, "image_encoder", None) is None:
        raise BackendError(
            _("This image-to-video model needs its image encoder, and the model directory has none (image_encoder/).")
        )
    return Route("WanImageToVideoPipeline", condition)
