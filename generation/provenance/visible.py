"""Visible watermark: the Riff mark and the creator's ``@handle``, hopping between corners every few seconds.

The badge (a rounded play-button logo, the "Riff" wordmark, the handle under it) is drawn once with Pillow as
an RGBA image: white, semi-transparent, with a dark outline so it reads on light and dark backgrounds alike.
Each frame then blends it over a small box only, with integer numpy arithmetic (tens of microseconds a frame).
The badge moves to the next corner every ``HOP_SECONDS``, so no single crop removes it from the whole clip.
"""

from __future__ import annotations

import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator

import numpy as np
from PIL import Image, ImageDraw, ImageFont

HOP_SECONDS = 3.0
OPACITY = 0.8
MAX_HANDLE_CHARS = 30
# Corners visited in turn: top-left, top-right, bottom-right, bottom-left.
CORNERS: tuple[tuple[float, float], ...] = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))


@dataclass
class VisibleWatermark:
    """The badge for one clip size and handle; :meth:`apply` stamps it on frame ``index`` of the clip."""

    width: int
    height: int
    handle: str
    fps: float
    hop_seconds: float = HOP_SECONDS
    _badge: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._badge = render_badge(self.handle, scale=min(self.width, self.height) / 480)
        badge_height, badge_width = self._badge.shape[:2]
        if badge_width > self.width or badge_height > self.height:
            raise ValueError(f"a {self.width}x{self.height} frame is too small for the watermark")

    @cached_property
    def _blend_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """(colour × alpha, 255 - alpha) as uint16, ready for ``(pixel × (255 - a) + colour × a) / 255``."""
        alpha = self._badge[..., 3:4].astype(np.uint16)
        return self._badge[..., :3].astype(np.uint16) * alpha, 255 - alpha

    def box(self, index: int) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the badge in frame ``index``."""
        badge_height, badge_width = self._badge.shape[:2]
        margin = round(0.04 * min(self.width, self.height))
        corner_x, corner_y = CORNERS[int(index / (self.fps * self.hop_seconds)) % len(CORNERS)]
        x = margin + round(corner_x * (self.width - badge_width - 2 * margin))
        y = margin + round(corner_y * (self.height - badge_height - 2 * margin))
        return x, y, badge_width, badge_height

    @contextmanager
    def stamped(self, frame: np.ndarray, index: int) -> Iterator[np.ndarray]:
        """Stamp ``frame`` in place for the duration of the block, then put the covered pixels back.

        Saves copying a whole frame when the stamped picture is only read (converted for the encoder).
        """
        x, y, width, height = self.box(index)
        saved = frame[y : y + height, x : x + width].copy()
        try:
            yield self.apply(frame, index, out=frame)
        finally:
            frame[y : y + height, x : x + width] = saved

    def apply(self, frame: np.ndarray, index: int, *, out: np.ndarray | None = None) -> np.ndarray:
        """Stamp the badge on one RGB frame; writes into ``out`` (may be ``frame`` itself) and returns it."""
        if out is None:
            out = frame.copy()
        elif out is not frame:
            out[...] = frame
        x, y, width, height = self.box(index)
        colour_alpha, inverse_alpha = self._blend_terms
        region = out[y : y + height, x : x + width]
        blended = region.astype(np.uint16)
        blended *= inverse_alpha
        blended += colour_alpha
        blended += 127
        blended //= 255
        region[...] = blended
        return out


def apply_visible_watermark(
    frames: np.ndarray, handle: str, fps: float, *, out: np.ndarray | None = None
) -> np.ndarray:
    """Stamp the moving Riff badge with ``@handle`` on every frame (uint8 T×H×W×3 RGB).

    Returns a new array, or ``out`` when given (``out=frames`` stamps in place).
    """
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"frames must be uint8 T×H×W×3, got {frames.dtype} {frames.shape}")
    mark = VisibleWatermark(width=frames.shape[2], height=frames.shape[1], handle=handle, fps=fps)
    if out is None:
        out = frames.copy()
    elif out is not frames:
        out[...] = frames
    for index in range(len(out)):
        mark.apply(out[index], index, out=out[index])
    return out


def clean_handle(handle: str) -> str:
    """The handle as shown: printable characters only, no leading "@", at most ``MAX_HANDLE_CHARS``."""
    text = "".join(ch for ch in handle if unicodedata.category(ch)[0] not in "CZ" or ch == " ").strip()
    return text.lstrip("@")[:MAX_HANDLE_CHARS]


def render_badge(handle: str, *, scale: float = 1.0) -> np.ndarray:
    """The badge as an RGBA uint8 array: logo + "Riff" on the first line, "@handle" under it."""
    unit = max(scale, 0.5)
    title_font = ImageFont.load_default(size=round(26 * unit))
    handle_font = ImageFont.load_default(size=round(17 * unit))
    stroke, logo, gap = max(1, round(2 * unit)), round(28 * unit), round(7 * unit)
    name = clean_handle(handle)
    handle_text = f"@{name}" if name else ""

    title_box = _text_box("Riff", title_font, stroke)
    handle_box = _text_box(handle_text, handle_font, stroke)
    first_line = max(logo, _height(title_box))
    width = max(logo + gap + _width(title_box), _width(handle_box)) + 2 * stroke
    height = first_line + (gap // 2 + _height(handle_box) if handle_text else 0) + 2 * stroke

    badge = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(badge)
    ink = {"fill": (255, 255, 255, 255), "stroke_width": stroke, "stroke_fill": (0, 0, 0, 200)}
    _draw_logo(draw, stroke, stroke + (first_line - logo) // 2, logo, stroke)
    title_at = (stroke + logo + gap - title_box[0], stroke + (first_line - _height(title_box)) // 2 - title_box[1])
    draw.text(title_at, "Riff", font=title_font, **ink)
    if handle_text:
        draw.text((stroke - handle_box[0], stroke + first_line + gap // 2 - handle_box[1]), handle_text,
                  font=handle_font, **ink)
    pixels = np.asarray(badge).copy()
    pixels[..., 3] = (pixels[..., 3].astype(np.float32) * OPACITY).astype(np.uint8)
    return pixels


def _text_box(text: str, font: ImageFont.FreeTypeFont, stroke: int) -> tuple[int, int, int, int]:
    if not text:
        return (0, 0, 0, 0)
    return ImageDraw.Draw(Image.new("RGBA", (1, 1))).textbbox((0, 0), text, font=font, stroke_width=stroke)


def _width(box: tuple[int, int, int, int]) -> int:
    return box[2] - box[0]


def _height(box: tuple[int, int, int, int]) -> int:
    return box[3] - box[1]


def _draw_logo(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, stroke: int) -> None:
    """A white rounded square outline with a play triangle in it, both edged in black."""
    white, black = (255, 255, 255, 255), (0, 0, 0, 200)
    radius = size // 4
    draw.rounded_rectangle((x, y, x + size, y + size), radius=radius, outline=black, width=stroke * 3)
    draw.rounded_rectangle((x + stroke, y + stroke, x + size - stroke, y + size - stroke), radius=radius,
                           outline=white, width=stroke)
    inset = size * 0.3
    triangle = [
        (x + inset, y + inset * 0.9),
        (x + size - inset * 0.8, y + size / 2),
        (x + inset, y + size - inset * 0.9),
    ]
    draw.polygon(triangle, fill=white, outline=black, width=max(1, stroke // 2))
