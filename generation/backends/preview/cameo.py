"""Cameo likenesses for the preview renderer.

A person cameo shows its face: the largest frontal face OpenCV's Haar cascade finds in the reference photo
(OpenCV is imported only here, on first use), or a centred square crop when OpenCV is missing or finds no
face. A character cameo (a pet, a toy) shows the whole reference image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from generation.backends.base import BackendError, CameoRef

MAX_SIDE = 640
FACE_MARGIN = 1.35

_cascade: Any = None


@dataclass(frozen=True)
class Likeness:
    cameo_id: int
    image: Image.Image  # RGB
    method: str  # "haar" | "center" | "whole"


def load_likeness(cameo: CameoRef) -> Likeness:
    image = _open(cameo.reference_image)
    if cameo.kind == "person":
        face, method = face_crop(image)
        return Likeness(cameo.id, face, method)
    return Likeness(cameo.id, image, "whole")


def _open(path: str) -> Image.Image:
    try:
        with Image.open(path) as source:
            image = ImageOps.exif_transpose(source).convert("RGB")
    except (OSError, ValueError) as exc:
        raise BackendError(_("A cameo's reference image could not be read.")) from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return image


def face_crop(image: Image.Image) -> tuple[Image.Image, str]:
    """A square crop around the largest face, or a centred square crop (biased up) if none is found."""
    box = _detect_face(image)
    width, height = image.size
    if box is None:
        side = min(width, height)
        cx, cy = width / 2, min(height - side / 2, max(side / 2, height * 0.42))
        method = "center"
    else:
        x, y, w, h = box
        side = min(max(w, h) * FACE_MARGIN, width, height)
        cx, cy = x + w / 2, y + h / 2
        method = "haar"
    left = int(round(min(max(cx - side / 2, 0), width - side)))
    top = int(round(min(max(cy - side / 2, 0), height - side)))
    side_px = int(round(side))
    return image.crop((left, top, left + side_px, top + side_px)), method


def _detect_face(image: Image.Image) -> tuple[int, int, int, int] | None:
    cascade = _face_cascade()
    if cascade is None:
        return None
    grey = np.asarray(image.convert("L"))
    faces = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
    if len(faces) == 0:
        return None
    x, y, w, h = max(faces, key=lambda f: int(f[2]) * int(f[3]))
    return int(x), int(y), int(w), int(h)


def _face_cascade() -> Any:
    global _cascade
    if _cascade is None:
        try:
            import cv2
        except ImportError:
            return None
        _cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
        if _cascade.empty():
            _cascade = None
    return _cascade
