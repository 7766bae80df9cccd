"""Places, props and styles, read from ``scenery.json`` (data, not code: a new place or prop is an entry there).

A *place* names the base painter it starts from (``setting``: one of :data:`SETTINGS`), an optional lighting it
implies ("city at night") and decor drawn over it, in fractions of the frame. A *prop* is a static thing with
physical parts (segments, circles and boxes the simulation collides with, each with the surface its impacts are
heard as) and drawing primitives, both in metres from an anchor on the floor, mirrored when the prop stands on
the left. A *style* is a look applied to every element (background, props, subjects, weather): see
:func:`stylize`.

Unknown nouns become a *generic prop*: a labelled crate, so what a prompt names never silently disappears.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from generation.backends.base import STYLES as _BASE_STYLES

SETTINGS = ("room", "kitchen", "beach", "ocean", "city", "forest", "park", "desert", "snowfield", "space")
SIDES = {"right": 0.8, "left": 0.2, "center": 0.5}
MAX_PROPS = len(SIDES)  # named props in one scene: one at each side and one in the middle
MAX_GENERIC = 3  # labelled crates for unknown nouns
DATA = json.loads((Path(__file__).with_name("scenery.json")).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Place:
    name: str
    setting: str
    lighting: str | None
    decor: tuple[dict, ...]


@dataclass(frozen=True)
class Prop:
    name: str
    side: str
    material: str
    parts: tuple[dict, ...]
    draw: tuple[dict, ...]


PLACES: dict[str, Place] = {
    p["name"]: Place(p["name"], p["setting"], p.get("lighting"), tuple(p.get("decor", ()))) for p in DATA["places"]
}
PLACE_PATTERNS: list[tuple[str, str]] = [(p["name"], "|".join(p["patterns"])) for p in DATA["places"]]
PROPS: dict[str, Prop] = {
    p["name"]: Prop(p["name"], p["side"], p["material"], tuple(p["parts"]), tuple(p["draw"])) for p in DATA["props"]
}
PROP_PATTERNS: list[tuple[str, str]] = [(p["name"], "|".join(p["patterns"])) for p in DATA["props"]]
STYLES: tuple[str, ...] = tuple(s["name"] for s in DATA["styles"])
STYLE_PATTERNS: list[tuple[str, str]] = [(s["name"], "|".join(s["patterns"])) for s in DATA["styles"]]
DEFAULT_STYLE: str = DATA["default_style"]
ACTION_WORDS: dict[str, str] = {word: name for name, words in DATA["actions"].items() for word in words.split()}
FRAMING_PATTERNS: list[tuple[str, str]] = [(f["name"], "|".join(f["patterns"])) for f in DATA["framings"]]
GENERIC = DATA["generic_prop"]
NOT_THINGS = frozenset(DATA["not_things"])
SURFACE_MATERIALS = {part["surface"]: prop.material for prop in PROPS.values() for part in prop.parts}
SURFACE_MATERIALS[GENERIC["surface"]] = "wood"

assert all(place.setting in SETTINGS for place in PLACES.values()), "a place names an unknown setting"
assert set(STYLES) == set(_BASE_STYLES), "scenery.json's styles are generation.backends.base.STYLES"


def find_props(text: str) -> list[tuple[str, int, int]]:
    """Every prop named in normalised ``text``, once each, in the order they are named: (name, start, end)."""
    found: dict[str, tuple[int, int]] = {}
    for name, pattern in PROP_PATTERNS:
        match = re.search(rf"\b(?:{pattern})\b", text)
        if match and name not in found:
            found[name] = (match.start(), match.end())
    return sorted(((name, a, b) for name, (a, b) in found.items()), key=lambda item: item[1])


# --- placing props ------------------------------------------------------------------------------------------------


def arrange(names: Sequence[str], generic: Sequence[str], rng: np.random.Generator) -> list[dict]:
    """Plan entries for the props: each at its preferred side when free, else the nearest free slot; labelled
    crates spread over what is left. ``{"name", "x" (fraction of the width), "mirrored", "label"}``."""
    slots = {"right": None, "left": None, "center": None}
    out = []
    for name in names:
        prop = PROPS[name]
        side = prop.side if slots[prop.side] is None else next((s for s, v in slots.items() if v is None), None)
        if side is None:
            continue
        slots[side] = name
        out.append({"name": name, "x": SIDES[side], "mirrored": side == "left", "label": None})
    free = [SIDES[s] for s, v in slots.items() if v is None] or [0.35, 0.65]
    positions = sorted(free) + [0.35, 0.65, 0.5]
    for k, word in enumerate(generic[:MAX_GENERIC]):
        x = positions[k % len(positions)] + float(rng.uniform(-0.04, 0.04))
        out.append({"name": "generic", "x": round(x, 4), "mirrored": False, "label": word})
    return out


def _signed(part_x: float, mirrored: bool) -> float:
    return -part_x if mirrored else part_x


def physical_parts(entry: dict, width_m: float, floor_m: float) -> list[tuple[str, tuple, dict]]:
    """The prop's collision parts in world metres: ("segment", (ax, ay, bx, by, r), part), ("circle", (x, y, r),
    part) or ("box", (left, top, right, bottom), part)."""
    ox, mirrored = entry["x"] * width_m, entry["mirrored"]
    if entry["name"] == "generic":
        w, h = GENERIC["size_m"]
        return [("box", (ox - w / 2, floor_m - h, ox + w / 2, floor_m), {"surface": GENERIC["surface"],
                                                                         "elasticity": 0.3})]
    parts = []
    for part in PROPS[entry["name"]].parts:
        if "segment" in part:
            ax, ay, bx, by = part["segment"]
            parts.append(("segment", (ox + _signed(ax, mirrored), floor_m + ay, ox + _signed(bx, mirrored),
                                      floor_m + by, part.get("r", 0.03)), part))
        elif "circle" in part:
            cx, cy = part["circle"]
            parts.append(("circle", (ox + _signed(cx, mirrored), floor_m + cy, part.get("r", 0.03)), part))
        else:
            x0, y0, x1, y1 = part["box"]
            xs = sorted((ox + _signed(x0, mirrored), ox + _signed(x1, mirrored)))
            parts.append(("box", (xs[0], floor_m + y0, xs[1], floor_m + y1), part))
    return parts


def bounds(entry: dict, width_m: float, floor_m: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in metres around a prop's collision parts."""
    xs, ys = [], []
    for kind, g, _ in physical_parts(entry, width_m, floor_m):
        if kind == "segment":
            xs += [g[0] - g[4], g[2] + g[4], g[0] + g[4], g[2] - g[4]]
            ys += [g[1] - g[4], g[3] + g[4], g[1] + g[4], g[3] - g[4]]
        elif kind == "circle":
            xs += [g[0] - g[2], g[0] + g[2]]
            ys += [g[1] - g[2], g[1] + g[2]]
        else:
            xs += [g[0], g[2]]
            ys += [g[1], g[3]]
    return min(xs), min(ys), max(xs), max(ys)


def top_of(entry: dict, width_m: float, floor_m: float) -> tuple[float, float, float, float] | None:
    """The highest flat part of a prop (a table's top, a seat, the last stair): (x of its middle, y of its top,
    half its width, the side its back rises on: -1, 0 or 1), or None for props with nothing to stand on."""
    parts = physical_parts(entry, width_m, floor_m)
    boxes = [g for kind, g, part in parts if kind == "box" and part["surface"] != GENERIC["surface"]]
    if not boxes:
        return None
    left, top, right, _ = min(boxes, key=lambda g: g[1])
    middle = (left + right) / 2
    back = [g for kind, g, _ in parts if kind == "segment" and min(g[1], g[3]) < top - 0.1 and left <= g[0] <= right]
    side = 0.0 if not back else (1.0 if back[0][0] > middle else -1.0)
    return middle, top, (right - left) / 2, side


def prop_point(entry: dict, surface: str, width_m: float, floor_m: float, *, which: int = 0) -> tuple[float, float]:
    """Where a prop's ``which``-th part with ``surface`` is (world metres): the rim a shot aims at."""
    found = [p for p in physical_parts(entry, width_m, floor_m) if p[2].get("surface") == surface]
    kind, geometry, _ = found[min(which, len(found) - 1)]
    if kind == "circle":
        return geometry[0], geometry[1]
    return (geometry[0] + geometry[2]) / 2, (geometry[1] + geometry[3]) / 2


# --- drawing -----------------------------------------------------------------------------------------------------


def _rgba(color: Sequence[int], tint: Callable[[Sequence[int]], tuple]) -> tuple:
    rgb = tint(color[:3])
    return (*rgb, color[3]) if len(color) > 3 else tuple(rgb)


def _primitive(draw: ImageDraw.ImageDraw, item: dict, point: Callable[[float, float], tuple[float, float]],
               scale: float, fill) -> None:
    dx, dy, count = item.get("repeat", (0.0, 0.0, 1))
    for k in range(int(count)):
        def at(x: float, y: float) -> tuple[float, float]:
            return point(x + dx * k, y + dy * k)

        shape = item["shape"]
        if shape in ("rect", "ellipse"):
            x0, y0, x1, y1 = item["box"]
            (ax, ay), (bx, by) = at(x0, y0), at(x1, y1)
            box = [min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)]
            (draw.rectangle if shape == "rect" else draw.ellipse)(box, fill=fill)
        elif shape == "line":
            x0, y0, x1, y1 = item["points"]
            draw.line([at(x0, y0), at(x1, y1)], fill=fill, width=max(1, int(round(item["width"] * scale))))
        elif shape == "polygon":
            pts = item["points"]
            draw.polygon([at(pts[i], pts[i + 1]) for i in range(0, len(pts), 2)], fill=fill)


def draw_decor(draw: ImageDraw.ImageDraw, place: str, width: float, height: float,
               tint: Callable[[Sequence[int]], tuple]) -> None:
    """A place's decor over its base painter's picture (``draw`` on a canvas of ``width`` x ``height`` px)."""
    for item in PLACES[place].decor if place in PLACES else ():
        _primitive(draw, item, lambda x, y: (x * width, y * height), width, _rgba(item["color"], tint))


def draw_prop(draw: ImageDraw.ImageDraw | None, mask: ImageDraw.ImageDraw | None, entry: dict, *, px_per_m: float,
              width_m: float, floor_m: float, tint: Callable[[Sequence[int]], tuple], label_font_px: int) -> None:
    """A prop (or a labelled crate) on ``draw``; its pixels also set on ``mask`` (an "L" picture: the renderer's
    own record of where each prop is)."""
    ox, mirrored = entry["x"] * width_m, entry["mirrored"]

    def point(x: float, y: float) -> tuple[float, float]:
        return (ox + _signed(x, mirrored)) * px_per_m, (floor_m + y) * px_per_m

    if entry["name"] == "generic":
        w, h = GENERIC["size_m"]
        box = [point(-w / 2, -h), point(w / 2, 0.0)]
        if mask is not None:
            mask.rectangle(box, fill=255)
        if draw is None:
            return
        draw.rectangle(box, fill=_rgba(GENERIC["color"], tint), outline=_rgba([90, 70, 50], tint),
                       width=max(1, int(0.03 * px_per_m)))
        draw.line([box[0], box[1]], fill=_rgba([150, 120, 80], tint), width=max(1, int(0.02 * px_per_m)))
        font = _font(label_font_px)
        label = entry["label"][:14]
        text_w = draw.textlength(label, font=font)
        cx, top = (box[0][0] + box[1][0]) / 2, box[0][1] - label_font_px * 1.3
        draw.rectangle([cx - text_w / 2 - 4, top - 2, cx + text_w / 2 + 4, top + label_font_px + 4],
                       fill=_rgba([250, 248, 240], tint))
        draw.text((cx - text_w / 2, top), label, font=font, fill=_rgba(GENERIC["label_color"], tint))
        return
    for item in PROPS[entry["name"]].draw:
        if draw is not None:
            _primitive(draw, item, point, px_per_m, _rgba(item["color"], tint))
        if mask is not None:
            _primitive(mask, item, point, px_per_m, 255)


def prop_masks(plan: dict, world, size: tuple[int, int]) -> dict[str, np.ndarray]:
    """Where each prop is drawn, at ``size``: ``{"hoop": bool (H, W), "generic:lamppost": ...}`` (the renderer's
    own record, for checking that what a prompt names is in the picture)."""
    masks = {}
    for entry in plan.get("props", []):
        image = Image.new("L", size, 0)
        draw_prop(None, ImageDraw.Draw(image), entry, px_per_m=size[0] / world.width_m, width_m=world.width_m,
                  floor_m=world.floor_m, tint=tuple, label_font_px=int(0.03 * min(size)))
        key = entry["name"] if entry["name"] != "generic" else f"generic:{entry['label']}"
        masks[key] = np.asarray(image) > 127
    return masks


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without sized default fonts
        return ImageFont.load_default()


# --- styles ------------------------------------------------------------------------------------------------------

_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
_PAPER = np.array([250, 240, 226], np.float32)


def stylize(rgb: np.ndarray, style: str, *, background: bool = False) -> np.ndarray:
    """``rgb`` (..., 3 uint8) in ``style``. Cartoon: the flat colours as drawn. Storybook: pastel, towards warm
    paper. Noir: grey, contrasty. Neon night: a dark world (backgrounds) with saturated, bright things."""
    if style == DEFAULT_STYLE or style not in STYLES:
        return rgb
    x = rgb.astype(np.float32)
    if style == "storybook":
        out = x * 0.58 + _PAPER * 0.42
    elif style == "noir":
        grey = x @ _LUMA
        grey = np.clip((grey - 118.0) * 1.45 + 118.0, 0, 255)
        out = np.repeat(grey[..., None], 3, axis=-1) * np.array([0.97, 0.98, 1.0], np.float32)
    else:  # neon
        grey = (x @ _LUMA)[..., None]
        if background:
            out = x * 0.22 + np.array([18, 6, 40], np.float32) + grey * np.array([0.05, 0.0, 0.18], np.float32)
        else:
            out = grey + (x - grey) * 1.9 + 40.0
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def neon_edges(background: np.ndarray, original: np.ndarray) -> np.ndarray:
    """Neon night's glowing outlines: the original picture's edges drawn over the darkened background in their
    own colours, saturated and brightened (a green tree glows green, a red curtain red)."""
    x = original.astype(np.float32)
    grey = x @ _LUMA
    gx = np.abs(np.diff(grey, axis=1, prepend=grey[:, :1]))
    gy = np.abs(np.diff(grey, axis=0, prepend=grey[:1]))
    edge = np.clip((gx + gy - 18.0) / 40.0, 0.0, 1.0)[..., None]
    glow = np.clip(grey[..., None] + (x - grey[..., None]) * 2.6 + 70.0, 0.0, 255.0)
    out = background.astype(np.float32) * (1 - edge) + glow * edge
    return np.clip(out, 0, 255).astype(np.uint8)


def color_stats(frame: np.ndarray) -> tuple[float, float]:
    """Mean luminance (0-255) and mean saturation (0-1, max-min over max) of a frame: how the styles differ."""
    x = frame.astype(np.float32)
    top, bottom = x.max(axis=-1), x.min(axis=-1)
    saturation = np.where(top > 0, (top - bottom) / np.maximum(top, 1e-6), 0.0)
    return float((x @ _LUMA).mean()), float(saturation.mean())

