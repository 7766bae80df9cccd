"""Face detection and face encodings (worker only: imports OpenCV and dlib on first use).

- Detection and counting: OpenCV's frontal-face Haar cascade on the equalised grey picture (faces at least a
  tenth of the short side; a webcam or phone selfie's face is far larger). Faces much smaller than the largest
  face in the same picture (narrower than a third of it: people far in the background) are not counted, nor a
  second detection of the same face.
- Identity: dlib's ResNet face recognition model (the one behind ``face_recognition``): 68 landmarks from
  ``shape_predictor_68_face_landmarks``, then a 128-d descriptor. The landmarks are fitted in dlib's own HOG
  detection box when dlib finds the same face, else in the Haar box (the two agree to ~0.04 in descriptor
  distance on our test photos).
- Two descriptors closer than ``MATCH_THRESHOLD`` (euclidean) are taken as the same person. 0.6 is the
  threshold dlib publishes for this model (99.38% on the LFW benchmark); the same face across our test
  clips measures 0.04–0.2, different people 0.67–0.94.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

MATCH_THRESHOLD = 0.6
DETECT_MAX_SIDE = 1024  # pictures are scaled down to this for detection (boxes are mapped back)
MIN_FACE_SHARE = 1 / 3  # faces narrower than this share of the largest one are not counted
MIN_FACE_SIDE_SHARE = 0.1  # faces smaller than a tenth of the picture's short side are not looked for
AVATAR_SIZE = 192
AVATAR_MARGIN = 1.8  # the avatar shows the face and a little around it

_lock = threading.Lock()
_models: "FaceModels | None" = None


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    def iou(self, other: "Box") -> float:
        inter = self._intersection(other)
        union = self.w * self.h + other.w * other.h - inter
        return inter / union if union else 0.0

    def _intersection(self, other: "Box") -> int:
        x1, y1 = max(self.x, other.x), max(self.y, other.y)
        x2, y2 = min(self.x + self.w, other.x + other.w), min(self.y + self.h, other.y + other.h)
        return max(0, x2 - x1) * max(0, y2 - y1)

    def overlap_of_smaller(self, other: "Box") -> float:
        smaller = min(self.w * self.h, other.w * other.h)
        return self._intersection(other) / smaller if smaller else 0.0


@dataclass
class FaceModels:
    cascade: Any
    detector: Any
    predictor: Any
    recogniser: Any


def _model_file(name: str) -> str:
    """A file of the ``face_recognition_models`` package. Found through the import system without importing the
    package: its ``__init__`` needs ``pkg_resources``, which current setuptools no longer ships."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The face models are not installed on this worker (face-recognition-models).")
    path = Path(list(spec.submodule_search_locations)[0]) / "models" / name
    if not path.is_file():
        raise RuntimeError(f"The face model file {name} is missing from face-recognition-models.")
    return str(path)


def models() -> FaceModels:
    """The process-wide face models, loaded once (about 1.5 s)."""
    global _models
    with _lock:
        if _models is None:
            import cv2
            import dlib

            cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
            if cascade.empty():
                raise RuntimeError("OpenCV's Haar cascade for frontal faces could not be loaded.")
            _models = FaceModels(
                cascade=cascade,
                detector=dlib.get_frontal_face_detector(),
                predictor=dlib.shape_predictor(_model_file("shape_predictor_68_face_landmarks.dat")),
                recogniser=dlib.face_recognition_model_v1(_model_file("dlib_face_recognition_resnet_model_v1.dat")),
            )
    return _models


def detect_faces(rgb: np.ndarray) -> list[Box]:
    """Faces in an RGB picture (uint8 H×W×3), largest first, background faces left out."""
    import cv2

    height, width = rgb.shape[:2]
    scale = min(1.0, DETECT_MAX_SIDE / max(height, width))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        grey = cv2.resize(grey, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    grey = cv2.equalizeHist(grey)
    min_side = max(24, round(min(grey.shape) * MIN_FACE_SIDE_SHARE))
    found = models().cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=6, minSize=(min_side, min_side))
    boxes = sorted(
        (Box(round(x / scale), round(y / scale), round(w / scale), round(h / scale)) for x, y, w, h in found),
        key=lambda b: b.w * b.h,
        reverse=True,
    )
    if not boxes:
        return []
    largest = boxes[0].w
    kept: list[Box] = []
    for box in boxes:
        if box.w < largest * MIN_FACE_SHARE:
            continue
        if any(box.overlap_of_smaller(other) > 0.5 for other in kept):
            continue  # the cascade found the same face twice, at two scales
        kept.append(box)
    return kept


def human_face_count(rgb: np.ndarray) -> int:
    """How many human faces the two detectors see: OpenCV's Haar cascade (as ``detect_faces``) and dlib's HOG
    detector (upsampled once, so faces from about 40 pixels count). A character's picture must show none."""
    haar = len(detect_faces(rgb))
    return max(haar, len(models().detector(np.ascontiguousarray(rgb), 1)))


def face_encoding(rgb: np.ndarray, box: Box) -> np.ndarray:
    """The 128-d dlib descriptor of the face in ``box``."""
    import dlib

    m = models()
    rgb = np.ascontiguousarray(rgb)
    rect = None
    best = 0.3
    for candidate in m.detector(rgb, 0):
        other = Box(candidate.left(), candidate.top(), candidate.width(), candidate.height())
        overlap = box.iou(other)
        if overlap > best:
            rect, best = candidate, overlap
    if rect is None:
        rect = dlib.rectangle(box.x, box.y, box.x + box.w, box.y + box.h)
    shape = m.predictor(rgb, rect)
    return np.asarray(m.recogniser.compute_face_descriptor(rgb, shape), dtype=np.float64)


def distance(encoding: np.ndarray, references: list[np.ndarray]) -> float:
    """Euclidean distance to the closest reference descriptor."""
    return float(min(np.linalg.norm(encoding - ref) for ref in references))


def avatar_crop(rgb: np.ndarray, box: Box | None) -> Image.Image:
    """A small square picture for others to see: the face with a margin, or the centre of the picture."""
    image = Image.fromarray(rgb)
    width, height = image.size
    if box is None:
        side = min(width, height)
        cx, cy = width / 2, height / 2
    else:
        side = min(max(box.w, box.h) * AVATAR_MARGIN, width, height)
        cx, cy = box.x + box.w / 2, box.y + box.h / 2
    left = min(max(cx - side / 2, 0), width - side)
    top = min(max(cy - side / 2, 0), height - side)
    crop = image.crop((round(left), round(top), round(left + side), round(top + side)))
    return crop.resize((AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)


def to_bytes(encoding: np.ndarray) -> bytes:
    return np.asarray(encoding, dtype=np.float64).tobytes()


def from_bytes(data) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float64)
