"""Frames for a simulated scene: background, shadows and subjects composed in world space, the camera move
applied as a crop-and-resize, then weather particles and dialogue captions in screen space."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import scenery
from .audio import SpokenLine
from .background import look_for, paint_background
from .cameo import Likeness
from .figures import has_limbs
from .mouths import draw_mouth, mouth_geometry
from .physics import Trajectory
from .rigs import RIGS
from .sprites import Sprite, SubjectArt, blit, darken, draw_capsule, sprite_from_rgba
from .world import World

FACING_KINDS = frozenset({"cat", "dog", "car", "bird", "fish"})
ANIMATED_KINDS = frozenset({"bird", "fish"})
CAPTION_FONT_FRACTION = 0.052  # of the short side


class Renderer:
    """Draws frame ``i`` of a trajectory into a caller-provided (H, W, 3) uint8 array."""

    def __init__(self, plan: dict, world: World, size: tuple[int, int], *, fps: int, num_frames: int,
                 captions: Sequence[SpokenLine] = (), likenesses: dict[int, Likeness] | None = None,
                 mouths: dict[int, np.ndarray] | None = None, camera=None):
        self.plan = plan
        self.size = size
        self.fps = fps
        self.px_per_m = world.px_per_m(size)
        self.floor_px = world.floor_m * self.px_per_m
        self.background = paint_background(plan, world, size)
        look = look_for(plan)
        style = plan.get("style", scenery.DEFAULT_STYLE)

        def tint(rgb: np.ndarray) -> np.ndarray:  # lighting and weather, then the style: every subject in its look
            return scenery.stylize(look.tint(rgb), style)

        likenesses = likenesses or {}
        self.arts = [SubjectArt(s, self.px_per_m, tint, likenesses.get(s["cameo_id"]), limbless=has_limbs(s))
                     for s in plan["subjects"]]
        self._facing_left = [False] * len(self.arts)
        # A storyboard shot's framing (framing.FramedCamera) or the plan's own camera move.
        self.camera = camera or Camera(plan["camera"], size, num_frames, fps=fps, seed=plan["seed"],
                                       focus=self._focus(world))
        self.weather = Weather(plan, size, self.px_per_m)
        self.captions = [make_caption(line, size) for line in captions]
        self.mouths = mouths or {}  # subject index -> mouth opening per frame (see mouths.mouth_tracks)
        self._world_canvas = np.empty_like(self.background)

    def _focus(self, world: World) -> tuple[float, float]:
        subjects = self.plan["subjects"]
        if not subjects:
            return self.size[0] / 2, self.size[1] / 2
        x = sum(s["x"] for s in subjects) / len(subjects) * self.size[0]
        y = sum(s["y"] for s in subjects) / len(subjects) * world.height_m * self.px_per_m
        return x, y

    def draw(self, i: int, trajectory: Trajectory, out: np.ndarray) -> None:
        crop = self.camera.box(i)
        canvas = out if crop is None else self._world_canvas
        canvas[...] = self.background
        self._draw_subjects(i, trajectory, canvas)
        if crop is not None:
            scaled = Image.fromarray(canvas).resize(self.size, Image.BILINEAR, box=crop)
            out[...] = np.asarray(scaled)
        sim_time = self.plan.get("time_offset", 0.0) + i / self.fps * self.plan.get("speed", 1.0)
        self.weather.draw(out, sim_time)
        t = i / self.fps
        for caption in self.captions:
            if caption.start <= t < caption.end:
                blit(out, caption.sprite, caption.x, caption.y)

    def _draw_subjects(self, i: int, trajectory: Trajectory, canvas: np.ndarray) -> None:
        states, boxes = trajectory.states, trajectory.boxes
        scale = self.px_per_m
        for j, art in enumerate(self.arts):
            height = self.floor_px - boxes[i, j, 3] * scale
            amount = 0.42 * max(0.0, 1.0 - height / (3.0 * scale))
            darken(canvas, art.shadow, states[i, j, 0] * scale, self.floor_px + 0.02 * scale, amount)
        for j, art in enumerate(self.arts):
            x, y, angle = states[i, j]
            if j in trajectory.facing:  # a jointed figure faces where its legs and wings are
                self._facing_left[j] = bool(trajectory.facing[j][i] < 0)
            elif art.kind in FACING_KINDS:
                self._facing_left[j] = _facing_left(states[:, j, 0], i, self._facing_left[j])
            variant = (i // 3) % 2 if art.kind in ANIMATED_KINDS else 0
            sprite = art.sprite(float(angle), mirrored=self._facing_left[j], variant=variant)
            limbs = trajectory.limbs.get(j)
            if limbs is not None:  # the far arm and leg behind the body, the near ones in front
                self._draw_limbs(canvas, art, limbs[i], far=True)
            blit(canvas, sprite, x * scale, y * scale)
            if limbs is not None:
                self._draw_limbs(canvas, art, limbs[i], far=False)
            if art.overlay is not None:
                blit(canvas, art.overlay, x * scale, y * scale)
            if j in self.mouths:
                cx, cy, half = self.mouth_position(i, j, trajectory)
                draw_mouth(canvas, cx, cy, half, float(self.mouths[j][i]))

    def _draw_limbs(self, canvas: np.ndarray, art: SubjectArt, segments: np.ndarray, *, far: bool) -> None:
        """A jointed figure's limbs (rigs.py): those on its far side behind the body, the near ones in front."""
        scale = self.px_per_m
        width = art.box_px[0]
        for k, limb in enumerate(RIGS[art.kind].limbs):
            if limb.near == far:
                continue
            ax, ay, bx, by = segments[k] * scale
            draw_capsule(canvas, (ax, ay), (bx, by), limb.width * width, art.limb_rgb[limb.colour])

    def subject_masks(self, i: int, trajectory: Trajectory) -> dict[int, np.ndarray]:
        """Where each subject is drawn in frame ``i`` (world pixels, before a camera crop): its sprite's own
        alpha, for checking that every subject a prompt names is in the picture."""
        masks = {}
        scale = self.px_per_m
        for j, art in enumerate(self.arts):
            x, y, angle = trajectory.states[i, j]
            sprite = art.sprite(float(angle), mirrored=self._facing_left[j])
            canvas = np.zeros((self.size[1], self.size[0], 3), np.uint8)
            white = np.repeat((255 - sprite.inv_alpha) * 255, 3, axis=-1).astype(np.uint16)  # premultiplied
            blit(canvas, Sprite(white, sprite.inv_alpha, sprite.ox, sprite.oy), x * scale, y * scale)
            masks[self.plan["subjects"][j]["id"]] = canvas[..., 0] > 127
        return masks

    def mouth_position(self, i: int, j: int, trajectory: Trajectory) -> tuple[float, float, float]:
        """Where subject ``j``'s mouth is in frame ``i`` (world pixels, before any camera crop), and its half
        width."""
        art = self.arts[j]
        x, y, angle = trajectory.states[i, j]
        dx, dy, half = mouth_geometry(art.kind, art.box_px)
        if self._facing_left[j]:
            dx = -dx
        if angle and art.kind in RIGS:  # a figure's head turns with its body (a cat sitting back, a flip)
            c, s = math.cos(angle), math.sin(angle)
            dx, dy = dx * c - dy * s, dx * s + dy * c
        return x * self.px_per_m + dx, y * self.px_per_m + dy, half


def _facing_left(xs: np.ndarray, i: int, previous: bool) -> bool:
    if len(xs) < 2:
        return previous
    a, b = (i - 1, i) if i > 0 else (0, 1)
    dx = xs[b] - xs[a]
    if abs(dx) > 2.0:  # wrapped around the frame edge
        return previous
    if dx < -0.004:
        return True
    if dx > 0.004:
        return False
    return previous


def _smoothstep(p: float) -> float:
    p = min(max(p, 0.0), 1.0)
    return p * p * (3 - 2 * p)


class Camera:
    """Crop boxes (in world pixels) per frame for pan, zoom and shake; None for a static camera."""

    ZOOM = 1.4
    PAN_ZOOM = 1.25
    SHAKE_ZOOM = 1.08

    def __init__(self, mode: str, size: tuple[int, int], num_frames: int, *, fps: int, seed: int,
                 focus: tuple[float, float]):
        self.mode = mode
        self.fps = fps
        self.width, self.height = size
        self.num_frames = num_frames
        self.focus = focus
        rng = np.random.default_rng([seed % (2**63), 404])
        self._shake = rng.uniform([1.3, 2.1, 3.7, 0, 0, 0], [1.9, 3.1, 5.3, 2 * math.pi, 2 * math.pi, 2 * math.pi], size=(2, 6))

    def box(self, i: int) -> tuple[float, float, float, float] | None:
        p = i / max(1, self.num_frames - 1)
        w, h = self.width, self.height
        cx, cy = w / 2, h / 2
        if self.mode in ("zoom_in", "zoom_out"):
            s = _smoothstep(p) if self.mode == "zoom_in" else 1.0 - _smoothstep(p)
            zoom = 1.0 + (self.ZOOM - 1.0) * s
            cx += (self.focus[0] - cx) * s
            cy += (self.focus[1] - cy) * s
        elif self.mode in ("pan_left", "pan_right"):
            zoom = self.PAN_ZOOM
            half = w / zoom / 2
            s = _smoothstep(p) if self.mode == "pan_right" else 1.0 - _smoothstep(p)
            cx = half + (w - 2 * half) * s
        elif self.mode == "shake":
            zoom = self.SHAKE_ZOOM
            t = i / self.fps
            margin_x, margin_y = (w - w / zoom) / 2 * 0.9, (h - h / zoom) / 2 * 0.9
            fx, fy = self._shake
            cx += margin_x * sum(math.sin(fx[k] * 2 * math.pi * t + fx[k + 3]) for k in range(3)) / 3
            cy += margin_y * sum(math.sin(fy[k] * 2 * math.pi * t + fy[k + 3]) for k in range(3)) / 3
        else:
            return None
        half_w, half_h = w / zoom / 2, h / zoom / 2
        cx = min(max(cx, half_w), w - half_w)
        cy = min(max(cy, half_h), h - half_h)
        return cx - half_w, cy - half_h, cx + half_w, cy + half_h


class Weather:
    """Rain streaks and snowflakes as deterministic particles, drawn with vectorised pixel blends."""

    def __init__(self, plan: dict, size: tuple[int, int], px_per_m: float):
        self.kind = plan["weather"]
        self.width, self.height = size
        rng = np.random.default_rng([plan["seed"] % (2**63), 505])
        area = self.width * self.height
        night = plan["lighting"] == "night"
        self.layers: list[dict] = []
        if self.kind == "rain":
            for density, length_m, speed_m, alpha in ((0.0006, 0.22, 11.0, 110), (0.0008, 0.12, 7.5, 70)):
                n = int(area * density)
                length = max(3, int(length_m * px_per_m))
                self.layers.append({
                    "x": rng.uniform(0, self.width, n), "y": rng.uniform(0, self.height + length, n),
                    "speed": rng.uniform(0.85, 1.15, n) * speed_m * px_per_m, "length": length, "slant": 0.16,
                    "alpha": alpha, "rgb": (150, 160, 190) if night else (210, 218, 235),
                })
        elif self.kind == "snow":
            for density, radius, speed_m, alpha in ((0.0004, 1, 0.6, 200), (0.00025, 2, 0.9, 230), (0.00008, 3, 1.2, 240)):
                n = int(area * density)
                self.layers.append({
                    "x": rng.uniform(0, self.width, n), "y": rng.uniform(0, self.height, n),
                    "speed": rng.uniform(0.7, 1.3, n) * speed_m * px_per_m, "radius": radius,
                    "sway": rng.uniform(0.08, 0.25, n) * px_per_m, "freq": rng.uniform(0.2, 0.6, n),
                    "phase": rng.uniform(0, 2 * math.pi, n), "alpha": alpha,
                    "rgb": (200, 206, 224) if night else (250, 250, 255),
                })

    def draw(self, frame: np.ndarray, t: float) -> None:
        for layer in self.layers:
            if self.kind == "rain":
                ys, xs = self._rain_points(layer, t)
            else:
                ys, xs = self._snow_points(layer, t)
            _blend_points(frame, ys, xs, layer["rgb"], layer["alpha"])

    def _rain_points(self, layer: dict, t: float) -> tuple[np.ndarray, np.ndarray]:
        length = layer["length"]
        fall = layer["speed"] * t
        y = np.mod(layer["y"] + fall, self.height + length) - length
        x = np.mod(layer["x"] + layer["slant"] * fall, self.width)
        k = np.arange(length)
        return (y[:, None] + k).ravel(), (x[:, None] + layer["slant"] * k).ravel()

    def _snow_points(self, layer: dict, t: float) -> tuple[np.ndarray, np.ndarray]:
        r = layer["radius"]
        y = np.mod(layer["y"] + layer["speed"] * t, self.height + 2 * r) - r
        x = np.mod(layer["x"] + layer["sway"] * np.sin(2 * math.pi * layer["freq"] * t + layer["phase"]), self.width)
        oy, ox = np.mgrid[-r + 1:r, -r + 1:r] if r > 1 else (np.zeros((1, 1)), np.zeros((1, 1)))
        return (y[:, None] + oy.ravel()).ravel(), (x[:, None] + ox.ravel()).ravel()


def _blend_points(frame: np.ndarray, ys: np.ndarray, xs: np.ndarray, rgb: tuple[int, int, int], alpha: int) -> None:
    yi = ys.astype(np.intp)
    xi = xs.astype(np.intp)
    keep = (yi >= 0) & (yi < frame.shape[0]) & (xi >= 0) & (xi < frame.shape[1])
    yi, xi = yi[keep], xi[keep]
    pixels = frame[yi, xi].astype(np.uint16)
    blended = (pixels * (256 - alpha) + np.asarray(rgb, np.uint16) * alpha) >> 8
    frame[yi, xi] = blended.astype(np.uint8)


# ---------------------------------------------------------------------------------------------------------
# Captions


@dataclass(frozen=True)
class Caption:
    start: float
    end: float
    sprite: Sprite
    x: float  # top-left corner
    y: float


def make_caption(line: SpokenLine, size: tuple[int, int]) -> Caption:
    """White outlined text on a translucent box, centred near the bottom of the frame."""
    width, height = size
    font_size = max(14, int(round(min(size) * CAPTION_FONT_FRACTION)))
    font = ImageFont.load_default(size=font_size)
    prefix = f"{_speaker_label(line.speaker)}: " if line.speaker else ""
    pad = int(font_size * 0.6)
    max_width = int(width * 0.86) - 2 * pad
    rows = _wrap(prefix + line.text, font, max_width, max_rows=3)
    line_height = int(font_size * 1.25)
    box_w = int(max(font.getlength(row) for row in rows)) + 2 * pad
    box_h = line_height * len(rows) + 2 * pad - (line_height - font_size)
    image = Image.new("RGBA", (box_w + 4, box_h + 4), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, box_w, box_h), radius=pad, fill=(0, 0, 0, 150))
    stroke = max(1, font_size // 12)
    for k, row in enumerate(rows):
        x, y = (box_w - font.getlength(row)) / 2, pad + k * line_height
        label = prefix.strip()
        if k == 0 and label and row.startswith(label):
            draw.text((x, y), label, font=font, fill=(255, 214, 90), stroke_width=stroke, stroke_fill=(0, 0, 0))
            x += font.getlength(label)
            row = row[len(label):]
        draw.text((x, y), row, font=font, fill=(255, 255, 255), stroke_width=stroke, stroke_fill=(0, 0, 0))
    sprite = sprite_from_rgba(np.asarray(image), (0.0, 0.0))  # anchored at the box's top-left corner
    top = height - box_h - int(height * 0.05)
    return Caption(line.start, line.end, sprite, (width - box_w) / 2, top)


def _speaker_label(speaker: str) -> str:
    return speaker[:1].upper() + speaker[1:]


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int, *, max_rows: int) -> list[str]:
    rows: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= max_width or not current:
            current = candidate
        else:
            rows.append(current)
            current = word
    if current:
        rows.append(current)
    if len(rows) > max_rows:
        rows = rows[:max_rows]
        last = rows[-1]
        while last and font.getlength(last + "\u2026") > max_width:
            last = last[:-1]
        rows[-1] = last.rstrip() + "\u2026"
    return rows
