"""Speaking characters open their mouths with the loudness of their own lines.

Each spoken line is given to the subject that says it (a cameo by its cast entry, an animal by its kind, a
person or a named speaker to a person on screen), and the line's loudness per video frame (RMS over the frame,
scaled so its loud syllables open the mouth fully) becomes that subject's mouth opening. Subjects that do not
speak keep their mouths closed. The renderer draws the opening on the sprite (:func:`mouth_geometry`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from core import voices

from . import vocab
from .audio import SpokenLine

MIN_OPENING = 0.06  # below this the mouth is drawn closed
_PEOPLE = frozenset({"person", "character"})


def speaker_subject(plan: dict, speaker: str | None, taken: dict[str, int]) -> int | None:
    """The index of the subject that says a line by ``speaker`` (None when nobody on screen fits)."""
    if speaker is None:
        return None
    key = speaker.lower()
    if key in taken:
        return taken[key]
    subjects = plan["subjects"]
    voice = plan.get("cast", {}).get(key, "")
    candidates: list[int] = []
    if voice.startswith("cameo:"):
        candidates = [i for i, s in enumerate(subjects) if s["cameo_id"] == int(voice.split(":", 1)[1])]
    if not candidates:
        kind = vocab.NOUNS.get(key.lstrip("@"), "person")
        candidates = [i for i, s in enumerate(subjects) if s["kind"] == kind]
        if not candidates and kind == "person":
            candidates = [i for i, s in enumerate(subjects) if s["kind"] in _PEOPLE]
    free = [i for i in candidates if i not in taken.values()]
    choice = (free or candidates or [None])[0]
    if choice is not None:
        taken[key] = choice
    return choice


def mouth_tracks(plan: dict, spoken: Sequence[SpokenLine], *, fps: int, num_frames: int,
                 sample_rate: int) -> dict[int, np.ndarray]:
    """``{subject index: opening per frame in [0, 1]}`` for the subjects that speak."""
    tracks: dict[int, np.ndarray] = {}
    taken: dict[str, int] = {}
    hop = sample_rate / fps
    for line in spoken:
        index = speaker_subject(plan, voices.speaker_key({"speaker": line.speaker}) if line.speaker else None, taken)
        if index is None or len(line.audio) == 0:
            continue
        track = tracks.setdefault(index, np.zeros(num_frames, dtype=np.float32))
        first = int(round(line.start * fps))
        count = int(np.ceil(len(line.audio) / hop))
        loudness = np.array([
            np.sqrt(np.mean(np.square(line.audio[int(k * hop):int((k + 1) * hop)]))) if int(k * hop) < len(line.audio)
            else 0.0
            for k in range(count)
        ], dtype=np.float32)
        peak = float(np.percentile(loudness, 90)) if len(loudness) else 0.0
        if peak <= 0:
            continue
        opening = np.clip(loudness / peak, 0.0, 1.0)
        if first < 0:  # a line that began in the shot before (a storyboard's dialogue runs across cuts)
            opening, first = opening[-first:], 0
        stop = min(num_frames, first + len(opening))
        if stop > first:
            track[first:stop] = np.maximum(track[first:stop], opening[: stop - first])
    return tracks


def mouth_geometry(kind: str, box_px: tuple[float, float]) -> tuple[float, float, float]:
    """Where a subject's mouth is, from the centre of its unmirrored sprite (dx, dy in pixels), and its half
    width. Matches the drawings in :mod:`.sprites`."""
    w, h = box_px
    if kind == "person":
        r = 0.5 * w
        return 0.0, 0.02 * h + 1.3 * r - h / 2, 0.24 * r
    heads = {"cat": (0.72, 0.36, 0.26, 0.27, 0.58, 0.2), "dog": (0.74, 0.33, 0.24, 0.75, 0.62, 0.25),
             "bird": (0.78, 0.35, 0.2, 1.05, 0.2, 0.3)}
    if kind in heads:
        fx, fy, fr, mx, my, half = heads[kind]
        hr = fr * w
        return fx * w + mx * hr - w / 2, fy * h + my * hr - h / 2, half * hr
    return 0.0, 0.28 * h, 0.12 * w  # a card or an object: low in the middle


def draw_mouth(canvas: np.ndarray, cx: float, cy: float, half_width: float, opening: float) -> None:
    """A dark open mouth (an ellipse ``opening`` × its full height) centred at (cx, cy)."""
    if opening < MIN_OPENING or half_width < 1:
        return
    rx, ry = half_width, max(0.8, half_width * 0.9 * opening)
    y0, y1 = int(max(0, cy - ry - 1)), int(min(canvas.shape[0], cy + ry + 2))
    x0, x1 = int(max(0, cx - rx - 1)), int(min(canvas.shape[1], cx + rx + 2))
    if y0 >= y1 or x0 >= x1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1]
    inside = ((xx + 0.5 - cx) / rx) ** 2 + ((yy + 0.5 - cy) / ry) ** 2 <= 1.0
    canvas[y0:y1, x0:x1][inside] = (70, 20, 28)
