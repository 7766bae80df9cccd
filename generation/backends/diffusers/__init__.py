"""The diffusers backend: clips from an open video model (Wan, LTX-Video or LTX-2) kept in a local directory.

The worker builds one :class:`DiffusersBackend` per process. It loads the checkpoint once with
``DiffusionPipeline.from_pretrained`` and derives the other pipelines of the family from the same weights
when a job first needs them:

- text: ``WanPipeline`` / ``LTXPipeline``;
- remix: ``WanVideoToVideoPipeline`` / ``LTXConditionPipeline``, the parent's frames as the video condition and
  ``request.strength`` as how far to move away from them;
- cameo: ``WanImageToVideoPipeline`` / ``LTXImageToVideoPipeline``, the cameo's reference photo as the first
  frame (a VACE model takes the photos as reference images instead);
- extend: the same image-to-video pipelines, starting from the parent's last frame.

What a checkpoint can do follows from its transformer (``routes``). ``loading`` finds the family and loads the
weights, ``conditioning`` prepares what a route is conditioned on, ``soundtrack`` makes the sound, ``backend``
runs a job, ``steps`` reports its progress and failures, and ``parallel`` shares each pipeline call across the
GPUs of a context-parallel group (``GENERATION_CONTEXT_PARALLEL``).

Each job is fitted to the model's grid (frame counts ``step * k + 1`` at its native frame rate, sizes a
multiple of the VAE compression times the patch size, see :mod:`.video_fit`), rendered, then retimed to
``round(duration * 24)`` frames and resized to the requested size. The soundtrack (dialogue by TTS plus an
ambience bed, from an optional diffusers audio model or the preview backend's synthesiser) is laid on the
same timeline.

Only the worker imports this package; the web process never loads torch or diffusers.
"""

from .backend import DiffusersBackend
from .loading import BackendConfigError, detect_family
from .routes import Route

__all__ = ["BackendConfigError", "DiffusersBackend", "Route", "detect_family"]
