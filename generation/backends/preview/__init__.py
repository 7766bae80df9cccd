"""The CPU "preview" generation backend (procedural scenes, physics, synthesized sound).

``PreviewBackend`` is imported on first use, so that the web process can read prompts with
:mod:`.dialogue` and :mod:`.vocab` without loading the renderer and the physics engine.
"""

__all__ = ["PreviewBackend"]


def __getattr__(name: str):
    if name == "PreviewBackend":
        from .backend import PreviewBackend

        return PreviewBackend
    raise AttributeError(name)
