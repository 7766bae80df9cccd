"""Subject art: simple shapes drawn once with Pillow (supersampled), then blitted every frame with integer
alpha blending. Rotated and mirrored variants are cached per subject, so a frame costs a few small array
operations per subject."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from .cameo import Likeness
from .world import half_extents

SUPERSAMPLE = 3
PADDING = 1.3  # art canvas / collision box
ANGLE_STEP_DEG = 4


@dataclass(frozen=True)
class Sprite:
    """Premultiplied colour (uint16, rgb * alpha) and inverse alpha (uint16, 255 - alpha), anchored at
    (ox, oy) pixels from the top-left corner."""

    premul: np.ndarray
    inv_alpha: np.ndarray
    ox: float
    oy: float


def sprite_from_rgba(rgba: np.ndarray, anchor: tuple[float, float]) -> Sprite:
    """Crop fully transparent margins and premultiply."""
    alpha = rgba[..., 3]
    rows = np.flatnonzero(alpha.any(axis=1))
    cols = np.flatnonzero(alpha.any(axis=0))
    if len(rows) == 0:
        empty = np.zeros((1, 1, 3), np.uint16)
        return Sprite(empty, np.full((1, 1, 1), 255, np.uint16), 0.0, 0.0)
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    crop = rgba[r0:r1, c0:c1].astype(np.uint16)
    a = crop[..., 3:4]
    premul = crop[..., :3] * a  # at most 255 * 255: fits uint16, as does the blend in blit()
    return Sprite(np.ascontiguousarray(premul), np.ascontiguousarray(255 - a), anchor[0] - c0, anchor[1] - r0)


def blit(dst: np.ndarray, sprite: Sprite, cx: float, cy: float) -> None:
    """Alpha-blend ``sprite`` onto ``dst`` (H, W, 3 uint8) with its anchor at (cx, cy)."""
    h, w = sprite.premul.shape[:2]
    x0 = int(round(cx - sprite.ox))
    y0 = int(round(cy - sprite.oy))
    H, W = dst.shape[:2]
    dx0, dy0 = max(x0, 0), max(y0, 0)
    dx1, dy1 = min(x0 + w, W), min(y0 + h, H)
    if dx0 >= dx1 or dy0 >= dy1:
        return
    sx, sy = dx0 - x0, dy0 - y0
    region = dst[dy0:dy1, dx0:dx1]
    value = region.astype(np.uint16)
    value *= sprite.inv_alpha[sy:sy + dy1 - dy0, sx:sx + dx1 - dx0]
    value += sprite.premul[sy:sy + dy1 - dy0, sx:sx + dx1 - dx0]
    value += 128
    value += value >> 8
    value >>= 8
    region[...] = value


def darken(dst: np.ndarray, alpha: np.ndarray, cx: float, cy: float, amount: float) -> None:
    """Multiply ``dst`` by (1 - amount * alpha) around (cx, cy): soft shadows. ``alpha`` is float32 0..1."""
    h, w = alpha.shape
    x0, y0 = int(round(cx - w / 2)), int(round(cy - h / 2))
    H, W = dst.shape[:2]
    dx0, dy0, dx1, dy1 = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
    if dx0 >= dx1 or dy0 >= dy1 or amount <= 0:
        return
    factor = 1.0 - amount * alpha[dy0 - y0:dy1 - y0, dx0 - x0:dx1 - x0, None]
    region = dst[dy0:dy1, dx0:dx1]
    region[...] = (region * factor).astype(np.uint8)


class SubjectArt:
    """Everything needed to draw one subject: base art (one or more animation variants), an optional
    shading overlay that does not rotate (balls), a floor shadow, and a cache of rotated / mirrored sprites."""

    def __init__(self, subject: dict, px_per_m: float, tint: Callable[[np.ndarray], np.ndarray],
                 likeness: Likeness | None = None, *, limbless: bool = False):
        self.subject = subject
        self.kind = subject["kind"]
        hw, hh = half_extents(self.kind, subject["size"])
        self.box_px = (2 * hw * px_per_m, 2 * hh * px_per_m)
        self.tint = tint
        drawer = _DRAWERS.get(self.kind, _draw_ball)
        extra = {"limbs": False} if limbless else {}
        self.variants = [img for img in drawer(self.box_px, tuple(subject["rgb"]), likeness, **extra)]
        self.limb_rgb = tint(np.asarray(limb_colours(self.kind, tuple(subject["rgb"])), np.uint8))
        self.overlay = self._overlay() if self.kind == "ball" else None
        self.shadow = _shadow(self.box_px[0])
        self._cache: dict[tuple[int, bool, int], Sprite] = {}

    def sprite(self, angle: float, *, mirrored: bool = False, variant: int = 0) -> Sprite:
        step = int(round(math.degrees(angle) / ANGLE_STEP_DEG)) % (360 // ANGLE_STEP_DEG)
        variant %= len(self.variants)
        key = (variant, mirrored, step)
        cached = self._cache.get(key)
        if cached is None:
            image = self.variants[variant]
            if mirrored:
                image = ImageOps.mirror(image)
            if step:
                image = image.rotate(-step * ANGLE_STEP_DEG, resample=Image.BICUBIC, expand=True)
            cached = self._to_sprite(image)
            self._cache[key] = cached
        return cached

    def _to_sprite(self, image: Image.Image) -> Sprite:
        rgba = np.array(image, dtype=np.uint8)
        rgba[..., :3] = self.tint(rgba[..., :3])
        return sprite_from_rgba(rgba, (image.width / 2, image.height / 2))

    def _overlay(self) -> Sprite:
        """A fixed highlight and rim shade that make a ball look round while its pattern rotates."""
        image = self.variants[0]
        size = image.width
        r = self.box_px[0] / 2
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) - (size - 1) / 2
        dist = np.sqrt(xx**2 + yy**2) / r
        inside = np.clip((1.0 - dist) * r, 0, 1)  # antialiased edge
        spot = np.sqrt((xx + 0.35 * r) ** 2 + (yy + 0.4 * r) ** 2) / (0.55 * r)
        light = 0.55 * np.clip(1 - spot, 0, 1) ** 2 * inside
        shade = 0.4 * np.clip((dist - 0.55) / 0.45, 0, 1) ** 1.5 * inside
        alpha = np.clip(light + shade, 0, 1)
        white = np.where(alpha > 0, light / np.maximum(alpha, 1e-6), 0)
        rgba = np.zeros((size, size, 4), np.uint8)
        rgba[..., :3] = (white * 255)[..., None].astype(np.uint8)
        rgba[..., 3] = (alpha * 255).astype(np.uint8)
        rgba[..., :3] = self.tint(rgba[..., :3])
        return sprite_from_rgba(rgba, (size / 2, size / 2))


def limb_colours(kind: str, rgb: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """The colours of a jointed figure's limbs (rigs.Limb.colour indexes them): a person's sleeves and
    trousers, an animal's legs, a bird's wings and legs."""
    if kind == "person":
        return [_shade(rgb, 0.8), PANTS]
    if kind == "bird":
        return [_shade(rgb, 0.75), BIRD_LEGS]
    return [_shade(rgb, {"cat": 0.7, "dog": 0.65}.get(kind, 0.6))]


def draw_capsule(dst: np.ndarray, a: tuple[float, float], b: tuple[float, float], radius: float,
                 rgb: np.ndarray) -> None:
    """A rounded limb from ``a`` to ``b`` (pixels), antialiased, onto ``dst`` (H, W, 3 uint8)."""
    x0, x1 = int(max(0, min(a[0], b[0]) - radius - 1)), int(min(dst.shape[1], max(a[0], b[0]) + radius + 2))
    y0, y1 = int(max(0, min(a[1], b[1]) - radius - 1)), int(min(dst.shape[0], max(a[1], b[1]) + radius + 2))
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    ax, ay, dx, dy = a[0], a[1], b[0] - a[0], b[1] - a[1]
    t = np.clip(((xx - ax) * dx + (yy - ay) * dy) / max(dx * dx + dy * dy, 1e-6), 0.0, 1.0)
    distance = np.hypot(xx - (ax + t * dx), yy - (ay + t * dy))
    alpha = np.clip(radius - distance + 0.5, 0.0, 1.0)[..., None]
    region = dst[y0:y1, x0:x1]
    region[...] = (region * (1.0 - alpha) + np.asarray(rgb, np.float32) * alpha).astype(np.uint8)


def _shadow(width_px: float) -> np.ndarray:
    w = max(4, int(width_px * 1.15))
    h = int(min(max(3.0, width_px * 0.2), 28.0))
    image = Image.new("L", (w + 8, h + 8), 0)
    ImageDraw.Draw(image).ellipse((4, 4, w + 4, h + 4), fill=255)
    image = image.filter(ImageFilter.GaussianBlur(max(1.0, h / 4)))
    return np.asarray(image, dtype=np.float32) / 255.0


# ---------------------------------------------------------------------------------------------------------
# Drawing. Each drawer gets the collision box size in pixels and returns RGBA images whose centre is the
# body's centre; the canvas is PADDING times the box so ears, tails and wings may stick out.


def _canvas(box_px: tuple[float, float]) -> tuple[Image.Image, ImageDraw.ImageDraw, tuple[float, float, float, float]]:
    bw, bh = box_px
    cw = int(math.ceil(bw * PADDING / 2)) * 2 + 2
    ch = int(math.ceil(bh * PADDING / 2)) * 2 + 2
    s = SUPERSAMPLE
    image = Image.new("RGBA", (cw * s, ch * s), (0, 0, 0, 0))
    x0 = (cw - bw) / 2 * s
    y0 = (ch - bh) / 2 * s
    return image, ImageDraw.Draw(image), (x0, y0, x0 + bw * s, y0 + bh * s)


def _finish(image: Image.Image) -> Image.Image:
    return image.resize((image.width // SUPERSAMPLE, image.height // SUPERSAMPLE), Image.LANCZOS)


def _shade(rgb: tuple[int, ...], factor: float) -> tuple[int, int, int]:
    if factor >= 1:
        return tuple(int(c + (255 - c) * (factor - 1)) for c in rgb[:3])  # type: ignore[return-value]
    return tuple(int(c * factor) for c in rgb[:3])  # type: ignore[return-value]


def _draw_ball(box_px, rgb, likeness=None) -> list[Image.Image]:
    image, draw, (x0, y0, x1, y1) = _canvas(box_px)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    draw.ellipse((x0, y0, x1, y1), fill=_shade(rgb, 1.0))
    for start in (-25, 155):
        draw.pieslice((x0, y0, x1, y1), start, start + 50, fill=_shade(rgb, 1.45))
    r = (x1 - x0) / 2
    draw.ellipse((cx - 0.18 * r, cy - 0.18 * r, cx + 0.18 * r, cy + 0.18 * r), fill=_shade(rgb, 0.7))
    draw.ellipse((x0, y0, x1, y1), outline=_shade(rgb, 0.6), width=max(2, int(0.06 * r)))
    return [_finish(image)]


def _draw_box(box_px, rgb, likeness=None) -> list[Image.Image]:
    image, draw, (x0, y0, x1, y1) = _canvas(box_px)
    side = x1 - x0
    edge = max(2, int(side * 0.07))
    draw.rounded_rectangle((x0, y0, x1, y1), radius=side * 0.08, fill=_shade(rgb, 0.72))
    inset = side * 0.12
    draw.rounded_rectangle((x0 + inset, y0 + inset, x1 - inset, y1 - inset), radius=side * 0.05, fill=_shade(rgb, 1.0))
    draw.polygon([(x0 + inset, y0 + inset), (x1 - inset, y0 + inset), (x1 - 2 * inset, y0 + 2 * inset),
                  (x0 + 2 * inset, y0 + 2 * inset)], fill=_shade(rgb, 1.3))
    dot = side * 0.06
    draw.ellipse((x1 - 2.4 * inset - dot, y1 - 2.4 * inset - dot, x1 - 2.4 * inset + dot, y1 - 2.4 * inset + dot),
                 fill=_shade(rgb, 0.55))
    draw.rounded_rectangle((x0, y0, x1, y1), radius=side * 0.08, outline=_shade(rgb, 0.5), width=edge)
    return [_finish(image)]


def _eye(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    draw.ellipse((x - r, y - r, x + r, y + r), fill=(250, 250, 250))
    draw.ellipse((x - r * 0.55 + r * 0.2, y - r * 0.55, x + r * 0.55 + r * 0.2, y + r * 0.55), fill=(20, 20, 24))


def _draw_cat(box_px, rgb, likeness=None, limbs: bool = True) -> list[Image.Image]:
    """A cat; without ``limbs`` its legs are left to the simulation (rigs.py), and the body ends above them."""
    image, draw, (x0, y0, x1, y1) = _canvas(box_px)
    w, h = x1 - x0, y1 - y0
    dark = _shade(rgb, 0.7)
    draw.line([(x0 + 0.15 * w, y0 + 0.7 * h), (x0 - 0.05 * w, y0 + 0.35 * h), (x0 + 0.02 * w, y0 + 0.1 * h)],
              fill=dark, width=int(0.09 * w), joint="curve")
    draw.ellipse((x0 + 0.05 * w, y0 + 0.38 * h, x0 + 0.82 * w, y1 if limbs else y0 + 0.8 * h), fill=rgb)
    for lx in (0.18, 0.32, 0.55, 0.69) if limbs else ():
        draw.rounded_rectangle((x0 + lx * w, y0 + 0.8 * h, x0 + (lx + 0.1) * w, y1), radius=0.04 * w, fill=dark)
    hx, hy, hr = x0 + 0.72 * w, y0 + 0.36 * h, 0.26 * w
    for ex in (-0.75, 0.35):
        ear = [(hx + ex * hr, hy - 0.55 * hr), (hx + (ex + 0.2) * hr, hy - 1.45 * hr), (hx + (ex + 0.55) * hr, hy - 0.65 * hr)]
        draw.polygon(ear, fill=dark)
    draw.ellipse((hx - hr, hy - hr, hx + hr, hy + hr), fill=rgb)
    _eye(draw, hx - 0.05 * hr, hy - 0.15 * hr, 0.2 * hr)
    _eye(draw, hx + 0.5 * hr, hy - 0.15 * hr, 0.2 * hr)
    draw.polygon([(hx + 0.15 * hr, hy + 0.3 * hr), (hx + 0.4 * hr, hy + 0.3 * hr), (hx + 0.27 * hr, hy + 0.45 * hr)],
                 fill=(235, 120, 150))
    for dy in (0.35, 0.5):
        draw.line([(hx + 0.5 * hr, hy + dy * hr), (hx + 1.25 * hr, hy + (dy - 0.1) * hr)], fill=(40, 40, 40),
                  width=max(1, int(0.04 * hr)))
    return [_finish(image)]


def _draw_dog(box_px, rgb, likeness=None, limbs: bool = True) -> list[Image.Image]:
    image, draw, (x0, y0, x1, y1) = _canvas(box_px)
    w, h = x1 - x0, y1 - y0
    dark = _shade(rgb, 0.65)
    draw.line([(x0 + 0.12 * w, y0 + 0.55 * h), (x0 - 0.04 * w, y0 + 0.3 * h)], fill=dark, width=int(0.07 * w))
    draw.ellipse((x0 + 0.04 * w, y0 + 0.36 * h, x0 + 0.8 * w, y0 + 0.88 * h), fill=rgb)
    for lx in (0.14, 0.28, 0.52, 0.66) if limbs else ():
        draw.rounded_rectangle((x0 + lx * w, y0 + 0.72 * h, x0 + (lx + 0.1) * w, y1), radius=0.04 * w, fill=dark)
    hx, hy, hr = x0 + 0.74 * w, y0 + 0.33 * h, 0.24 * w
    draw.ellipse((hx - hr, hy - hr, hx + hr, hy + hr), fill=rgb)
    draw.ellipse((hx + 0.3 * hr, hy - 0.05 * hr, hx + 1.3 * hr, hy + 0.65 * hr), fill=_shade(rgb, 1.25))
    draw.ellipse((hx + 1.05 * hr, hy + 0.05 * hr, hx + 1.35 * hr, hy + 0.32 * hr), fill=(25, 25, 28))
    draw.ellipse((hx - 0.95 * hr, hy - 0.7 * hr, hx - 0.25 * hr, hy + 0.75 * hr), fill=dark)
    _eye(draw, hx + 0.25 * hr, hy - 0.3 * hr, 0.2 * hr)
    return [_finish(image)]


def _draw_car(box_px, rgb, likeness=None) -> list[Image.Image]:
    image, draw, (x0, y0, x1, y1) = _canvas(box_px)
    w, h = x1 - x0, y1 - y0
    glass = (170, 215, 240)
    draw.polygon([(x0 + 0.22 * w, y0 + 0.45 * h), (x0 + 0.33 * w, y0 + 0.05 * h), (x0 + 0.68 * w, y0 + 0.05 * h),
                  (x0 + 0.82 * w, y0 + 0.45 * h)], fill=_shade(rgb, 0.85))
    draw.polygon([(x0 + 0.29 * w, y0 + 0.42 * h), (x0 + 0.37 * w, y0 + 0.14 * h), (x0 + 0.49 * w, y0 + 0.14 * h),
                  (x0 + 0.49 * w, y0 + 0.42 * h)], fill=glass)
    draw.polygon([(x0 + 0.53 * w, y0 + 0.42 * h), (x0 + 0.53 * w, y0 + 0.14 * h), (x0 + 0.65 * w, y0 + 0.14 * h),
                  (x0 + 0.75 * w, y0 + 0.42 * h)], fill=glass)
    draw.rounded_rectangle((x0, y0 + 0.4 * h, x1, y0 + 0.82 * h), radius=0.12 * h, fill=rgb)
    draw.rectangle((x0 + 0.93 * w, y0 + 0.5 * h, x1, y0 + 0.62 * h), fill=(255, 230, 120))
    draw.rectangle((x0, y0 + 0.5 * h, x0 + 0.05 * w, y0 + 0.62 * h), fill=(200, 40, 40))
    for wx in (0.22, 0.78):
        cx, cy, r = x0 + wx * w, y0 + 0.8 * h, 0.2 * h
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(28, 28, 30))
        draw.ellipse((cx - 0.45 * r, cy - 0.45 * r, cx + 0.45 * r, cy + 0.45 * r), fill=(170, 170, 176))
    return [_finish(image)]


def _draw_bird(box_px, rgb, likeness=None, limbs: bool = True) -> list[Image.Image]:
    """A bird (two wing beats); without ``limbs`` its wings and legs are left to the simulation."""
    frames = []
    for wing_up in (True, False) if limbs else (True,):
        image, draw, (x0, y0, x1, y1) = _canvas(box_px)
        w, h = x1 - x0, y1 - y0
        draw.polygon([(x0 + 0.2 * w, y0 + 0.5 * h), (x0 - 0.05 * w, y0 + 0.35 * h), (x0 - 0.05 * w, y0 + 0.68 * h)],
                     fill=_shade(rgb, 0.7))
        draw.ellipse((x0 + 0.1 * w, y0 + 0.3 * h, x0 + 0.85 * w, y0 + 0.8 * h), fill=rgb)
        hx, hy, hr = x0 + 0.78 * w, y0 + 0.35 * h, 0.2 * w
        draw.ellipse((hx - hr, hy - hr, hx + hr, hy + hr), fill=rgb)
        draw.polygon([(hx + 0.85 * hr, hy - 0.2 * hr), (hx + 1.7 * hr, hy + 0.1 * hr), (hx + 0.85 * hr, hy + 0.35 * hr)],
                     fill=(245, 160, 40))
        _eye(draw, hx + 0.3 * hr, hy - 0.2 * hr, 0.25 * hr)
        tip_y = y0 - 0.1 * h if wing_up else y0 + 1.05 * h
        if limbs:
            draw.polygon([(x0 + 0.3 * w, y0 + 0.52 * h), (x0 + 0.62 * w, y0 + 0.52 * h), (x0 + 0.38 * w, tip_y)],
                         fill=_shade(rgb, 0.75))
        frames.append(_finish(image))
    return frames


def _draw_fish(box_px, rgb, likeness=None) -> list[Image.Image]:
    frames = []
    for spread in (0.3, 0.18):
        image, draw, (x0, y0, x1, y1) = _canvas(box_px)
        w, h = x1 - x0, y1 - y0
        draw.polygon([(x0 + 0.25 * w, y0 + 0.5 * h), (x0 - 0.08 * w, y0 + (0.5 - spread) * h),
                      (x0 - 0.08 * w, y0 + (0.5 + spread) * h)], fill=_shade(rgb, 0.75))
        draw.ellipse((x0 + 0.1 * w, y0 + 0.22 * h, x1, y0 + 0.78 * h), fill=rgb)
        draw.polygon([(x0 + 0.45 * w, y0 + 0.25 * h), (x0 + 0.6 * w, y0 + 0.05 * h), (x0 + 0.7 * w, y0 + 0.27 * h)],
                     fill=_shade(rgb, 0.75))
        _eye(draw, x0 + 0.78 * w, y0 + 0.43 * h, 0.07 * w)
        frames.append(_finish(image))
    return frames


def _paste_round(image: Image.Image, picture: Image.Image, box: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    size = (max(1, x1 - x0), max(1, y1 - y0))
    face = ImageOps.fit(picture.convert("RGB"), size, Image.LANCZOS)
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, size[0] - 1, size[1] - 1), fill=255)
    image.paste(face, (x0, y0), mask)


PANTS = (50, 58, 84)
BIRD_LEGS = (235, 150, 40)


def _draw_person(box_px, rgb, likeness=None, limbs: bool = True) -> list[Image.Image]:
    """A person; without ``limbs`` only the head and the body (an articulated figure's arms and legs are drawn
    each frame from the simulation: see :func:`draw_capsule`)."""
    image, draw, (x0, y0, x1, y1) = _canvas(box_px)
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    limb = max(2, int(0.12 * w))
    if limbs:
        draw.line([(cx - 0.12 * w, y0 + 0.68 * h), (cx - 0.2 * w, y1)], fill=PANTS, width=int(0.2 * w))
        draw.line([(cx + 0.12 * w, y0 + 0.68 * h), (cx + 0.2 * w, y1)], fill=PANTS, width=int(0.2 * w))
        draw.line([(cx - 0.3 * w, y0 + 0.4 * h), (cx - 0.62 * w, y0 + 0.58 * h)], fill=_shade(rgb, 0.8), width=limb)
        draw.line([(cx + 0.3 * w, y0 + 0.4 * h), (cx + 0.62 * w, y0 + 0.3 * h)], fill=_shade(rgb, 0.8), width=limb)
    draw.rounded_rectangle((cx - 0.36 * w, y0 + 0.36 * h, cx + 0.36 * w, y0 + 0.72 * h), radius=0.15 * w, fill=rgb)
    r = 0.5 * w
    head = (cx - r, y0 + 0.02 * h, cx + r, y0 + 0.02 * h + 2 * r)
    if likeness is not None:
        draw.ellipse((head[0] - 0.06 * r, head[1] - 0.06 * r, head[2] + 0.06 * r, head[3] + 0.06 * r), fill=(250, 250, 250))
        _paste_round(image, likeness.image, head)
    else:
        skin = (236, 196, 160)
        draw.ellipse(head, fill=skin)
        hy = (head[1] + head[3]) / 2
        draw.chord((head[0], head[1], head[2], head[3] - r), 180, 360, fill=(70, 48, 30))
        for ex in (-0.35, 0.35):
            draw.ellipse((cx + ex * r - 0.1 * r, hy - 0.1 * r, cx + ex * r + 0.1 * r, hy + 0.1 * r), fill=(30, 30, 34))
        draw.arc((cx - 0.35 * r, hy, cx + 0.35 * r, hy + 0.5 * r), 20, 160, fill=(150, 60, 60), width=max(1, int(0.08 * r)))
    return [_finish(image)]


def _draw_character(box_px, rgb, likeness=None) -> list[Image.Image]:
    image, draw, (x0, y0, x1, y1) = _canvas(box_px)
    w = x1 - x0
    border = 0.05 * w
    draw.rounded_rectangle((x0, y0, x1, y1), radius=0.18 * w, fill=(250, 250, 250))
    inner = (x0 + border, y0 + border, x1 - border, y1 - border)
    if likeness is not None:
        size = (int(inner[2] - inner[0]), int(inner[3] - inner[1]))
        picture = ImageOps.fit(likeness.image.convert("RGB"), size, Image.LANCZOS)
        mask = Image.new("L", size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=0.14 * w, fill=255)
        image.paste(picture, (int(inner[0]), int(inner[1])), mask)
    else:
        draw.rounded_rectangle(inner, radius=0.14 * w, fill=rgb)
    return [_finish(image)]


def _draw_horse(box_px, rgb, likeness=None, limbs: bool = True) -> list[Image.Image]:
    image, draw, (x0, y0, x1, y1) = _canvas(box_px)
    w, h = x1 - x0, y1 - y0
    dark = _shade(rgb, 0.6)
    draw.line([(x0 + 0.1 * w, y0 + 0.38 * h), (x0 - 0.04 * w, y0 + 0.7 * h)], fill=dark, width=int(0.06 * w))
    for lx in (0.12, 0.24, 0.58, 0.7) if limbs else ():
        draw.rounded_rectangle((x0 + lx * w, y0 + 0.5 * h, x0 + (lx + 0.08) * w, y1), radius=0.03 * w, fill=dark)
    draw.ellipse((x0 + 0.04 * w, y0 + 0.28 * h, x0 + 0.84 * w, y0 + 0.68 * h), fill=rgb)
    draw.polygon([(x0 + 0.66 * w, y0 + 0.42 * h), (x0 + 0.78 * w, y0 + 0.02 * h), (x0 + 0.9 * w, y0 + 0.06 * h),
                  (x0 + 0.84 * w, y0 + 0.46 * h)], fill=rgb)
    draw.polygon([(x0 + 0.78 * w, y0 + 0.02 * h), (x0 + 1.02 * w, y0 + 0.16 * h), (x0 + 0.98 * w, y0 + 0.26 * h),
                  (x0 + 0.82 * w, y0 + 0.2 * h)], fill=rgb)
    draw.line([(x0 + 0.68 * w, y0 + 0.4 * h), (x0 + 0.78 * w, y0 + 0.0 * h)], fill=dark, width=int(0.04 * w))
    _eye(draw, x0 + 0.88 * w, y0 + 0.1 * h, 0.025 * w)
    return [_finish(image)]


def _draw_skateboard(box_px, rgb, likeness=None) -> list[Image.Image]:
    image, draw, (x0, y0, x1, y1) = _canvas(box_px)
    w, h = x1 - x0, y1 - y0
    draw.rounded_rectangle((x0, y0, x1, y0 + 0.45 * h), radius=0.2 * h, fill=rgb)
    for wx in (0.2, 0.8):
        cx, cy, r = x0 + wx * w, y0 + 0.72 * h, 0.28 * h
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(236, 226, 200))
    return [_finish(image)]


_DRAWERS = {
    "ball": _draw_ball,
    "box": _draw_box,
    "cat": _draw_cat,
    "dog": _draw_dog,
    "car": _draw_car,
    "bird": _draw_bird,
    "fish": _draw_fish,
    "person": _draw_person,
    "character": _draw_character,
    "horse": _draw_horse,
    "skateboard": _draw_skateboard,
}
