"""The CPU "preview" generation backend (procedural scenes, physics, synthesized sound)."""

from .backend import PreviewBackend

__all__ = ["PreviewBackend"]
