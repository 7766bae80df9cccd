"""The static background of a scene (sky, ground, props), painted once per clip, and the colour grading
(:class:`Look`) that lighting and weather apply to everything drawn on it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from PIL import Image, ImageDraw

from . import scenery
from .world import World

SUPERSAMPLE = 2
RGB = tuple[int, int, int]

_GAIN = {
    "day": (1.0, 1.0, 1.0),
    "sunset": (1.0, 0.8, 0.66),
    "dawn": (0.97, 0.86, 0.9),
    "night": (0.36, 0.42, 0.62),
}
_INDOOR_NIGHT_GAIN = (0.62, 0.55, 0.46)  # a lamp is on
_FOG_RGB = {"day": (204, 208, 214), "sunset": (222, 184, 164), "dawn": (216, 202, 208), "night": (58, 64, 82)}
_SKY = {
    "day": [(0.0, (86, 150, 230)), (1.0, (190, 222, 246))],
    "sunset": [(0.0, (48, 46, 110)), (0.55, (226, 104, 86)), (1.0, (255, 186, 102))],
    "dawn": [(0.0, (112, 120, 190)), (0.6, (236, 170, 180)), (1.0, (255, 214, 170))],
    "night": [(0.0, (6, 10, 30)), (1.0, (28, 40, 82))],
}
_OVERCAST = {"rain": ((110, 116, 128), (30, 32, 42), 0.65), "snow": ((196, 202, 214), (58, 62, 80), 0.55)}
INDOOR = frozenset({"room", "kitchen"})


@dataclass(frozen=True)
class Look:
    """Colour grading from lighting and weather: a per-channel gain, then a blend towards the fog colour."""

    gain: tuple[float, float, float]
    fog: float
    fog_rgb: RGB

    def tint(self, rgb: np.ndarray) -> np.ndarray:
        out = rgb.astype(np.float32) * np.asarray(self.gain, np.float32)
        if self.fog > 0:
            out = out * (1 - self.fog) + np.asarray(self.fog_rgb, np.float32) * self.fog
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)

    def color(self, rgb: Sequence[int]) -> RGB:
        return tuple(int(v) for v in self.tint(np.asarray(rgb[:3], np.float32)))  # type: ignore[return-value]


def look_for(plan: dict, *, subject_fog: bool = True) -> Look:
    lighting, weather = plan["lighting"], plan["weather"]
    gain = _INDOOR_NIGHT_GAIN if lighting == "night" and plan["setting"] in INDOOR else _GAIN[lighting]
    if weather == "rain" and plan["setting"] not in INDOOR:
        gain = (gain[0] * 0.8, gain[1] * 0.82, gain[2] * 0.88)
    fog = 0.0
    if weather == "fog":
        fog = 0.25 if subject_fog else 0.45
    return Look(gain, fog, _FOG_RGB[lighting])


@dataclass
class _Canvas:
    image: Image.Image
    draw: ImageDraw.ImageDraw
    width: float
    height: float
    floor: float
    rng: np.random.Generator
    look: Look
    plan: dict

    def c(self, rgb: Sequence[int]) -> RGB:
        return self.look.color(rgb)

    @property
    def night(self) -> bool:
        return self.plan["lighting"] == "night"


def paint_background(plan: dict, world: World, size: tuple[int, int]) -> np.ndarray:
    """The background for ``plan`` at ``size`` = (width, height): uint8 (H, W, 3)."""
    width, height = size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE
    rng = np.random.default_rng([plan["seed"] % (2**63), 303])
    scale = width / world.width_m
    floor = world.floor_m * scale
    setting = plan["setting"]
    sky_stops = _sky_stops(plan)
    horizon = _HORIZON[setting] * height
    sky = _vertical_gradient(height, width, sky_stops, span=max(horizon, 1.0))
    image = Image.fromarray(sky)
    canvas = _Canvas(image, ImageDraw.Draw(image, "RGBA"), width, height, floor, rng, look_for(plan, subject_fog=False), plan)
    if setting not in INDOOR and setting != "space":
        _sky_objects(canvas, horizon)
    _PAINTERS[setting](canvas, horizon)
    scenery.draw_decor(canvas.draw, plan.get("place", setting), width, height, canvas.c)
    for entry in plan.get("props", []):
        scenery.draw_prop(canvas.draw, None, entry, px_per_m=scale, width_m=world.width_m, floor_m=world.floor_m,
                          tint=canvas.c, label_font_px=int(0.03 * min(width, height)))
    image = image.resize(size, Image.LANCZOS)
    pixels = np.asarray(image, dtype=np.uint8)
    if plan["weather"] == "fog":
        fog = look_for(plan, subject_fog=False)
        profile = np.linspace(0.75, 1.0, size[1], dtype=np.float32)[:, None, None]
        mix = np.float32(fog.fog) * profile
        pixels = (pixels * (1 - mix) + np.asarray(fog.fog_rgb, np.float32) * mix).astype(np.uint8)
    style = plan.get("style", scenery.DEFAULT_STYLE)
    styled = scenery.stylize(pixels, style, background=True)
    if style == "neon":
        styled = scenery.neon_edges(styled, pixels)
    return np.ascontiguousarray(styled)



def _sky_stops(plan: dict) -> list[tuple[float, RGB]]:
    if plan["setting"] == "space":
        return [(0.0, (2, 2, 10)), (1.0, (14, 12, 36))]
    stops = _SKY[plan["lighting"]]
    overcast = _OVERCAST.get(plan["weather"])
    if overcast:
        grey = overcast[1] if plan["lighting"] == "night" else overcast[0]
        amount = overcast[2]
        stops = [(pos, _mix(rgb, grey, amount)) for pos, rgb in stops]
    return stops


def _mix(a: Sequence[int], b: Sequence[int], t: float) -> RGB:
    return tuple(int(round(x * (1 - t) + y * t)) for x, y in zip(a, b))  # type: ignore[return-value]


def _vertical_gradient(height: int, width: int, stops: Sequence[tuple[float, RGB]], span: float) -> np.ndarray:
    rows = np.clip(np.arange(height) / span, 0, 1)
    positions = [p for p, _ in stops]
    column = np.stack([np.interp(rows, positions, [c[k] for _, c in stops]) for k in range(3)], axis=1)
    return np.repeat(column[:, None, :], width, axis=1).astype(np.uint8)


def _gradient_rect(canvas: _Canvas, box: Sequence[float], top: RGB, bottom: RGB) -> None:
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    if y1 <= y0 or x1 <= x0:
        return
    strip = _vertical_gradient(y1 - y0, x1 - x0, [(0.0, canvas.c(top)), (1.0, canvas.c(bottom))], span=y1 - y0 - 1 or 1)
    canvas.image.paste(Image.fromarray(strip), (x0, y0))


def _glow(canvas: _Canvas, cx: float, cy: float, radius: float, rgb: RGB, strength: float = 0.5) -> None:
    for k in range(6, 0, -1):
        r = radius * (1 + k * 0.35)
        alpha = int(255 * strength * (1 - k / 7) ** 2 * 0.5)
        canvas.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*rgb, alpha))


# ---------------------------------------------------------------------------------------------------------
# Sky


def _sky_objects(canvas: _Canvas, horizon: float) -> None:
    w, h, rng, plan = canvas.width, canvas.height, canvas.rng, canvas.plan
    lighting, weather = plan["lighting"], plan["weather"]
    clear = weather in ("none", "fog")
    if lighting == "night":
        for _ in range(int(120 * (0.3 if not clear else 1.0))):
            x, y = rng.uniform(0, w), rng.uniform(0, horizon * 0.95)
            r = rng.uniform(0.6, 2.2) * SUPERSAMPLE / 2
            level = int(rng.uniform(150, 255))
            canvas.draw.ellipse((x - r, y - r, x + r, y + r), fill=(level, level, min(255, level + 20), 255))
        if clear:
            cx, cy, r = 0.78 * w, 0.1 * h, 0.05 * w
            _glow(canvas, cx, cy, r, (200, 210, 255), 0.35)
            canvas.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(236, 236, 222, 255))
            canvas.draw.ellipse((cx - 0.3 * r, cy - 0.4 * r, cx + 0.05 * r, cy - 0.05 * r), fill=(214, 214, 200, 255))
    elif clear:
        sun = {"day": (0.8 * w, 0.12 * h, 0.06 * w, (255, 246, 200)),
               "sunset": (0.3 * w, horizon - 0.02 * h, 0.1 * w, (255, 150, 80)),
               "dawn": (0.7 * w, horizon - 0.03 * h, 0.07 * w, (255, 214, 176))}[lighting]
        cx, cy, r, rgb = sun
        _glow(canvas, cx, cy, r, rgb, 0.6)
        canvas.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*rgb, 255))
    cloud = (236, 238, 244) if clear else (96, 100, 112)
    if lighting == "night":
        cloud = (40, 44, 60)
    for _ in range(3 if clear else 6):
        x, y = rng.uniform(-0.1 * w, w), rng.uniform(0.05 * h, max(0.06 * h, horizon * 0.55))
        size = rng.uniform(0.08, 0.16) * w
        alpha = 150 if clear else 210
        for dx, dy, k in ((0, 0, 1.0), (0.7, 0.15, 0.75), (-0.7, 0.18, 0.7), (1.3, 0.3, 0.5)):
            r = size * k
            canvas.draw.ellipse((x + dx * size - r, y + dy * size - r * 0.6, x + dx * size + r, y + dy * size + r * 0.6),
                                fill=(*cloud, alpha))


# ---------------------------------------------------------------------------------------------------------
# Settings. Each painter draws below the horizon (and props that rise above it).


def _beach(canvas: _Canvas, horizon: float) -> None:
    w, h, d = canvas.width, canvas.height, canvas.draw
    shore = 0.7 * h
    _gradient_rect(canvas, (0, horizon, w, shore + 0.02 * h), (30, 104, 160), (64, 160, 196))
    wave = [(x, shore + 0.008 * h * math.sin(x / w * 5 * math.pi)) for x in np.linspace(0, w, 60)]
    d.polygon([*wave, (w, h), (0, h)], fill=canvas.c((206, 182, 136)))
    _gradient_rect(canvas, (0, shore + 0.03 * h, w, h), (236, 212, 162), (218, 188, 134))
    d.line(wave, fill=canvas.c((240, 246, 248)), width=max(2, int(0.006 * h)), joint="curve")
    for _ in range(18):
        x, y = canvas.rng.uniform(0, w), canvas.rng.uniform(shore + 0.05 * h, h)
        r = canvas.rng.uniform(0.003, 0.008) * w
        d.ellipse((x - r, y - r * 0.6, x + r, y + r * 0.6), fill=canvas.c((196, 170, 126)))
    px, top = 0.14 * w, horizon + 0.02 * h
    d.line([(px, top), (px + 0.02 * w, canvas.floor - 0.02 * h)], fill=canvas.c((120, 90, 60)), width=int(0.012 * w))
    for k, rgb in enumerate([(230, 70, 70), (250, 250, 250)] * 3):
        start = 180 + k * 30
        d.pieslice((px - 0.14 * w, top - 0.07 * w, px + 0.14 * w, top + 0.07 * w), start, start + 30, fill=canvas.c(rgb))


def _ocean(canvas: _Canvas, horizon: float) -> None:
    w, h, d, rng = canvas.width, canvas.height, canvas.draw, canvas.rng
    deck = canvas.floor - 0.01 * h
    _gradient_rect(canvas, (0, horizon, w, deck), (22, 84, 150), (34, 124, 184))
    for _ in range(26):
        y = rng.uniform(horizon + 0.01 * h, deck)
        x = rng.uniform(0, w)
        span = (0.04 + 0.1 * (y - horizon) / max(deck - horizon, 1)) * w
        d.arc((x - span, y - 0.006 * h, x + span, y + 0.006 * h), 200, 340, fill=canvas.c((180, 220, 240)),
              width=max(1, int(0.002 * h)))
    _gradient_rect(canvas, (0, deck, w, h), (160, 118, 76), (128, 92, 58))
    for k in range(1, 8):
        y = deck + (h - deck) * k / 8
        d.line([(0, y), (w, y)], fill=canvas.c((104, 74, 46)), width=max(1, int(0.002 * h)))
    for x in np.linspace(0.1, 0.9, 5) * w:
        d.line([(x, deck), (x, h)], fill=canvas.c((114, 82, 52)), width=max(1, int(0.002 * h)))


def _city(canvas: _Canvas, horizon: float) -> None:
    w, h, d, rng = canvas.width, canvas.height, canvas.draw, canvas.rng
    street = 0.8 * h
    x = -rng.uniform(0, 0.05) * w
    while x < w:
        bw = rng.uniform(0.12, 0.26) * w
        top = rng.uniform(0.3, 0.66) * h
        base = _mix((92, 100, 122), (140, 120, 110), float(rng.uniform(0, 1)))
        d.rectangle((x, top, x + bw, street), fill=canvas.c(base))
        cols, rows = max(2, int(bw / (0.045 * w))), max(3, int((street - top) / (0.04 * h)))
        for i in range(cols):
            for j in range(rows - 1):
                wx = x + (i + 0.3) * bw / cols
                wy = top + (j + 0.4) * (street - top) / rows
                lit = canvas.night and rng.uniform() < 0.45
                color = (255, 216, 120) if lit else canvas.c((150, 180, 210) if not canvas.night else (40, 46, 60))
                d.rectangle((wx, wy, wx + 0.4 * bw / cols, wy + 0.45 * (street - top) / rows), fill=color)
        x += bw + rng.uniform(0.0, 0.03) * w
    d.rectangle((0, street, w, canvas.floor), fill=canvas.c((172, 172, 176)))
    d.line([(0, canvas.floor), (w, canvas.floor)], fill=canvas.c((120, 120, 126)), width=int(0.004 * h))
    _gradient_rect(canvas, (0, canvas.floor + 0.002 * h, w, h), (72, 72, 78), (56, 56, 62))
    lane = canvas.floor + 0.55 * (h - canvas.floor)
    for x0 in np.arange(0.02, 1.0, 0.16) * w:
        d.rectangle((x0, lane - 0.003 * h, x0 + 0.08 * w, lane + 0.003 * h), fill=canvas.c((232, 200, 70)))
    for lx in (0.12 * w, 0.78 * w):
        d.line([(lx, street - 0.26 * h), (lx, street + 0.02 * h)], fill=canvas.c((60, 62, 70)), width=int(0.01 * w))
        lamp = (lx + 0.04 * w, street - 0.255 * h)
        d.line([(lx, street - 0.26 * h), lamp], fill=canvas.c((60, 62, 70)), width=int(0.008 * w))
        if canvas.night:
            _glow(canvas, lamp[0], lamp[1] + 0.01 * h, 0.03 * w, (255, 220, 140), 0.5)
        r = 0.014 * w
        d.ellipse((lamp[0] - r, lamp[1], lamp[0] + r, lamp[1] + r * 1.2),
                  fill=(255, 230, 160) if canvas.night else canvas.c((230, 230, 210)))


def _hills(canvas: _Canvas, horizon: float, rgb: RGB, amplitude: float, waves: float) -> None:
    w, h = canvas.width, canvas.height
    phase = float(canvas.rng.uniform(0, 2 * math.pi))
    points = [(x, horizon - amplitude * h * (0.6 + 0.4 * math.sin(x / w * waves * math.pi + phase)))
              for x in np.linspace(0, w, 48)]
    canvas.draw.polygon([(0, horizon + 1), *points, (w, horizon + 1)], fill=canvas.c(rgb))


def _pine(canvas: _Canvas, x: float, base: float, height: float, rgb: RGB) -> None:
    d = canvas.draw
    d.rectangle((x - 0.06 * height * 0.5, base - 0.15 * height, x + 0.06 * height * 0.5, base),
                fill=canvas.c((92, 62, 40)))
    for k in range(3):
        top = base - height + k * 0.22 * height
        half = (0.2 + 0.08 * k) * height
        d.polygon([(x, top), (x - half, top + 0.42 * height), (x + half, top + 0.42 * height)], fill=canvas.c(rgb))


def _forest(canvas: _Canvas, horizon: float) -> None:
    w, h, rng = canvas.width, canvas.height, canvas.rng
    _hills(canvas, horizon, (60, 110, 84), 0.05, 3)
    _gradient_rect(canvas, (0, horizon, w, h), (74, 140, 62), (48, 106, 44))
    for x in sorted(rng.uniform(-0.05, 1.05, 14) * w, key=lambda v: rng.uniform()):
        base = horizon + rng.uniform(0.0, 0.06) * h
        _pine(canvas, x, base, rng.uniform(0.14, 0.3) * h, _mix((30, 90, 50), (50, 120, 60), float(rng.uniform())))
    for _ in range(40):
        x, y = rng.uniform(0, w), rng.uniform(horizon + 0.08 * h, h)
        canvas.draw.line([(x, y), (x + rng.uniform(-3, 3), y - 0.012 * h)], fill=canvas.c((40, 96, 38)),
                         width=max(1, int(0.003 * w)))


def _park(canvas: _Canvas, horizon: float) -> None:
    w, h, d, rng = canvas.width, canvas.height, canvas.draw, canvas.rng
    _hills(canvas, horizon, (104, 170, 96), 0.06, 2)
    _gradient_rect(canvas, (0, horizon, w, h), (118, 186, 84), (86, 156, 64))
    d.polygon([(0.42 * w, horizon), (0.5 * w, horizon), (0.75 * w, h), (0.3 * w, h)], fill=canvas.c((214, 196, 150)))
    for x in (0.12 * w, 0.86 * w, 0.62 * w):
        base = horizon + rng.uniform(0.0, 0.04) * h
        trunk = 0.12 * h
        d.rectangle((x - 0.012 * w, base - trunk, x + 0.012 * w, base), fill=canvas.c((110, 76, 48)))
        r = rng.uniform(0.07, 0.1) * w
        for dx, dy in ((0, -1.2), (-0.6, -0.8), (0.6, -0.8)):
            d.ellipse((x + dx * r - r, base - trunk + dy * r - r, x + dx * r + r, base - trunk + dy * r + r),
                      fill=canvas.c((58, 130, 58)))


def _desert(canvas: _Canvas, horizon: float) -> None:
    w, h, d, rng = canvas.width, canvas.height, canvas.draw, canvas.rng
    _hills(canvas, horizon, (214, 166, 102), 0.05, 2.5)
    _gradient_rect(canvas, (0, horizon, w, h), (238, 200, 140), (222, 178, 118))
    for _ in range(3):
        x, base = rng.uniform(0.05, 0.95) * w, horizon + rng.uniform(0.02, 0.1) * h
        height = rng.uniform(0.08, 0.14) * h
        green = canvas.c((62, 138, 80))
        d.rounded_rectangle((x - 0.015 * w, base - height, x + 0.015 * w, base), radius=0.015 * w, fill=green)
        for side in (-1, 1):
            ax = x + side * 0.04 * w
            d.rounded_rectangle((min(x, ax), base - 0.55 * height, max(x, ax), base - 0.48 * height), radius=0.006 * w, fill=green)
            d.rounded_rectangle((ax - 0.01 * w, base - 0.8 * height, ax + 0.01 * w, base - 0.48 * height), radius=0.01 * w, fill=green)
    for _ in range(8):
        x, y = rng.uniform(0, w), rng.uniform(horizon + 0.05 * h, h)
        r = rng.uniform(0.006, 0.016) * w
        d.ellipse((x - r, y - 0.6 * r, x + r, y + 0.6 * r), fill=canvas.c((170, 130, 90)))


def _snowfield(canvas: _Canvas, horizon: float) -> None:
    w, h, d, rng = canvas.width, canvas.height, canvas.draw, canvas.rng
    for k in range(4):
        cx = rng.uniform(-0.1, 1.1) * w
        half = rng.uniform(0.25, 0.45) * w
        top = horizon - rng.uniform(0.12, 0.22) * h
        d.polygon([(cx - half, horizon), (cx, top), (cx + half, horizon)], fill=canvas.c((118, 130, 152)))
        cap = 0.3
        d.polygon([(cx - half * cap, top + (horizon - top) * cap), (cx, top), (cx + half * cap, top + (horizon - top) * cap),
                   (cx, top + (horizon - top) * cap * 0.8)], fill=canvas.c((244, 246, 252)))
    _gradient_rect(canvas, (0, horizon, w, h), (240, 244, 250), (214, 224, 238))
    for x in rng.uniform(0, 1, 5) * w:
        _pine(canvas, x, horizon + rng.uniform(0, 0.03) * h, rng.uniform(0.08, 0.14) * h, (40, 80, 70))


def _space(canvas: _Canvas, horizon: float) -> None:
    w, h, d, rng = canvas.width, canvas.height, canvas.draw, canvas.rng
    for _ in range(260):
        x, y = rng.uniform(0, w), rng.uniform(0, horizon)
        r = rng.uniform(0.5, 2.4) * SUPERSAMPLE / 2
        level = int(rng.uniform(120, 255))
        tint = rng.choice([0, 1, 2])
        color = [level, level, level]
        color[tint] = min(255, level + 25)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(*color, 255))
    cx, cy, r = 0.26 * w, 0.22 * h, 0.12 * w
    d.ellipse((cx - r * 2.1, cy - r * 0.5, cx + r * 2.1, cy + r * 0.5), outline=(210, 190, 150, 200), width=int(0.012 * w))
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(214, 150, 96, 255))
    d.chord((cx - r, cy - r, cx + r, cy + r), 200, 340, fill=(236, 180, 120, 255))
    d.arc((cx - r * 2.1, cy - r * 0.5, cx + r * 2.1, cy + r * 0.5), 0, 180, fill=(210, 190, 150, 220), width=int(0.012 * w))
    _gradient_rect(canvas, (0, horizon, w, h), (150, 150, 156), (104, 104, 112))
    for _ in range(10):
        x, y = rng.uniform(0, w), rng.uniform(horizon + 0.02 * h, h)
        r = rng.uniform(0.02, 0.06) * w * (0.5 + (y - horizon) / (h - horizon))
        d.ellipse((x - r, y - 0.35 * r, x + r, y + 0.35 * r), fill=canvas.c((120, 120, 128)))
        d.arc((x - r, y - 0.35 * r, x + r, y + 0.35 * r), 20, 160, fill=canvas.c((176, 176, 182)), width=max(1, int(0.004 * w)))


def _window(canvas: _Canvas, box: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = box
    stops = _sky_stops(canvas.plan)
    strip = _vertical_gradient(int(y1 - y0), int(x1 - x0), stops, span=(y1 - y0))
    canvas.image.paste(Image.fromarray(strip), (int(x0), int(y0)))
    frame = canvas.c((246, 246, 242))
    edge = 0.015 * canvas.width
    canvas.draw.rectangle(box, outline=frame, width=int(edge))
    canvas.draw.line([((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)], fill=frame, width=int(edge * 0.7))
    canvas.draw.line([(x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)], fill=frame, width=int(edge * 0.7))


def _room(canvas: _Canvas, horizon: float) -> None:
    w, h, d = canvas.width, canvas.height, canvas.draw
    _gradient_rect(canvas, (0, 0, w, horizon), (236, 224, 202), (222, 208, 184))
    _window(canvas, (0.56 * w, 0.14 * h, 0.9 * w, 0.42 * h))
    d.rectangle((0.1 * w, 0.2 * h, 0.36 * w, 0.33 * h), fill=canvas.c((90, 70, 50)))
    d.rectangle((0.115 * w, 0.21 * h, 0.345 * w, 0.32 * h), fill=canvas.c((170, 200, 220)))
    d.polygon([(0.115 * w, 0.32 * h), (0.2 * w, 0.25 * h), (0.26 * w, 0.29 * h), (0.345 * w, 0.24 * h),
               (0.345 * w, 0.32 * h)], fill=canvas.c((80, 130, 90)))
    d.rectangle((0, horizon - 0.02 * h, w, horizon), fill=canvas.c((250, 248, 240)))
    _gradient_rect(canvas, (0, horizon, w, h), (176, 128, 84), (150, 104, 64))
    for k in range(1, 9):
        y = horizon + (h - horizon) * (k / 9) ** 1.2
        d.line([(0, y), (w, y)], fill=canvas.c((126, 88, 54)), width=max(1, int(0.002 * h)))
    lamp_x = 0.12 * w
    d.line([(lamp_x, horizon - 0.01 * h), (lamp_x, horizon - 0.3 * h)], fill=canvas.c((60, 60, 64)), width=int(0.008 * w))
    shade = (lamp_x - 0.06 * w, horizon - 0.36 * h, lamp_x + 0.06 * w, horizon - 0.29 * h)
    if canvas.night:
        _glow(canvas, lamp_x, horizon - 0.31 * h, 0.08 * w, (255, 214, 150), 0.6)
    d.polygon([(shade[0] + 0.02 * w, shade[1]), (shade[2] - 0.02 * w, shade[1]), (shade[2], shade[3]), (shade[0], shade[3])],
              fill=(255, 226, 170) if canvas.night else canvas.c((236, 226, 200)))


def _kitchen(canvas: _Canvas, horizon: float) -> None:
    w, h, d = canvas.width, canvas.height, canvas.draw
    counter = canvas.floor - 0.02 * h
    _gradient_rect(canvas, (0, 0, w, counter), (240, 240, 236), (226, 228, 224))
    tile = 0.06 * w
    for x in np.arange(0, w, tile):
        d.line([(x, 0.3 * h), (x, counter)], fill=canvas.c((206, 210, 210)), width=max(1, int(0.002 * w)))
    for y in np.arange(0.3 * h, counter, tile):
        d.line([(0, y), (w, y)], fill=canvas.c((206, 210, 210)), width=max(1, int(0.002 * w)))
    d.rectangle((0.0, 0.04 * h, 0.5 * w, 0.26 * h), fill=canvas.c((176, 128, 86)))
    for x0 in (0.02 * w, 0.26 * w):
        d.rectangle((x0, 0.05 * h, x0 + 0.22 * w, 0.25 * h), outline=canvas.c((140, 98, 62)), width=int(0.006 * w))
    _window(canvas, (0.6 * w, 0.08 * h, 0.92 * w, 0.3 * h))
    d.rectangle((0, counter, w, canvas.floor + 0.015 * h), fill=canvas.c((200, 200, 206)))
    _gradient_rect(canvas, (0, canvas.floor + 0.015 * h, w, h), (176, 128, 86), (150, 106, 68))
    for x0 in np.arange(0.02, 1.0, 0.25) * w:
        d.rectangle((x0, canvas.floor + 0.03 * h, x0 + 0.21 * w, h - 0.01 * h), outline=canvas.c((140, 98, 62)),
                    width=int(0.005 * w))
        d.rectangle((x0 + 0.09 * w, canvas.floor + 0.05 * h, x0 + 0.12 * w, canvas.floor + 0.058 * h),
                    fill=canvas.c((200, 200, 206)))
    if canvas.night:
        _glow(canvas, 0.25 * w, 0.28 * h, 0.1 * w, (255, 220, 160), 0.4)


_HORIZON = {
    "beach": 0.56, "ocean": 0.5, "city": 0.7, "forest": 0.7, "park": 0.68, "desert": 0.66, "snowfield": 0.64,
    "space": 0.8, "room": 0.78, "kitchen": 0.78,
}

_PAINTERS: dict[str, Callable[[_Canvas, float], None]] = {
    "beach": _beach, "ocean": _ocean, "city": _city, "forest": _forest, "park": _park, "desert": _desert,
    "snowfield": _snowfield, "space": _space, "room": _room, "kitchen": _kitchen,
}
