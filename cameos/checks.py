"""The worker's checks on cameo media: the reference photos (and optional reference clip) and the liveness clip.

Pure functions over local files and numbers; the task module loads files from storage and records results
through the services. Thresholds (all documented in the README, "Cameos and consent"):

- a clip's frames: up to ``FRAMES_SAMPLED`` frames spread over the clip; "most frames" means more than
  ``MOST_FRAMES`` of them hold exactly one face;
- identity: at least half of those one-face frames, and their median, within ``faces.MATCH_THRESHOLD`` (0.6)
  of the closest reference photo;
- speech: voiced time of at least ``MIN_VOICED_S_PER_WORD`` × the phrase's words (a quick speaker needs about
  0.3 s of voice per word; the bound is less than half of that, so a hurried, clipped reading still passes)
  and at most ``MAX_VOICED_S_PER_WORD`` × words + ``MAX_VOICED_EXTRA_S`` (someone talking through the whole
  clip is not reading four words);
- freshness: a clip whose container says it was made before the challenge was issued (minus
  ``CLOCK_SKEW_S``) is refused.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from PIL import Image

from core.uploads import MAX_CLIP_S

from . import clips, faces

FRAMES_SAMPLED = 10
MOST_FRAMES = 0.5
MIN_VOICED_S_PER_WORD = 0.12
MAX_VOICED_S_PER_WORD = 1.0
MAX_VOICED_EXTRA_S = 3.0
MIN_CLIP_S = 1.0
CLOCK_SKEW_S = 60


class CheckFailed(Exception):
    """The media does not pass; the message says why, for the owner."""

    def __init__(self, reason: str, details: dict | None = None):
        super().__init__(reason)
        self.reason = reason
        self.details = details or {}


@dataclass
class ReferenceResult:
    encodings: list[np.ndarray | None]  # per photo, in order
    avatar: Image.Image
    details: dict = field(default_factory=dict)


def load_rgb(path: str) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def check_reference_photos(paths: list[str], *, person: bool) -> ReferenceResult:
    """Every photo of a person shows exactly one face, all of the same person; the avatar is the first face.
    A character's avatar is the centre of its first photo."""
    rgbs = [load_rgb(p) for p in paths]
    if not person:
        return ReferenceResult(encodings=[None] * len(rgbs), avatar=faces.avatar_crop(rgbs[0], None))
    encodings: list[np.ndarray] = []
    boxes: list[faces.Box] = []
    counts = []
    for number, rgb in enumerate(rgbs, start=1):
        found = faces.detect_faces(rgb)
        counts.append(len(found))
        label = "The photo" if len(rgbs) == 1 else f"Photo {number}"
        if not found:
            raise CheckFailed(
                f"{label} shows no face. Use a clear photo of your face, looking at the camera.", {"faces": counts}
            )
        if len(found) > 1:
            raise CheckFailed(f"{label} shows {len(found)} faces. Use photos of you alone.", {"faces": counts})
        encodings.append(faces.face_encoding(rgb, found[0]))
        boxes.append(found[0])
    distances = [round(faces.distance(e, encodings[:1]), 3) for e in encodings[1:]]
    for number, value in enumerate(distances, start=2):
        if value > faces.MATCH_THRESHOLD:
            raise CheckFailed(
                f"Photo {number} does not look like the same person as photo 1. Use photos of one person.",
                {"faces": counts, "distances": distances},
            )
    return ReferenceResult(
        encodings=list(encodings),
        avatar=faces.avatar_crop(rgbs[0], boxes[0]),
        details={"faces": counts, "distances": distances},
    )


def _face_frames(frames: list[np.ndarray], references: list[np.ndarray], *, what: str) -> dict:
    """Counts faces in each frame and matches the one-face frames against the references."""
    found = [faces.detect_faces(f) for f in frames]
    counts = [len(boxes) for boxes in found]
    details: dict = {"frames": len(frames), "faces_per_frame": counts}
    single = [i for i, n in enumerate(counts) if n == 1]
    if len(single) <= MOST_FRAMES * len(frames):
        none = sum(1 for n in counts if n == 0)
        several = sum(1 for n in counts if n > 1)
        if several >= none and several:
            reason = f"More than one face was in {what}. Record it alone, with only your face in view."
        elif none:
            reason = f"No face was found in most of {what}. Face the camera in good light."
        else:
            reason = f"Your face was not clearly visible in most of {what}."
        raise CheckFailed(reason, details)
    distances = []
    for i in single:
        distances.append(round(faces.distance(faces.face_encoding(frames[i], found[i][0]), references), 3))
    matched = sum(1 for d in distances if d <= faces.MATCH_THRESHOLD)
    median = statistics.median(distances)
    details.update({"distances": distances, "median_distance": median, "threshold": faces.MATCH_THRESHOLD})
    if median > faces.MATCH_THRESHOLD or matched * 2 < len(distances):
        raise CheckFailed(f"The face in {what} does not match the cameo's photos.", details)
    return details


def check_reference_clip(path: str, *, references: list[np.ndarray]) -> dict:
    """The optional reference clip shows the same one person as the photos in most of its frames."""
    try:
        clip = clips.decode_clip(path, max_frames=FRAMES_SAMPLED, max_duration_s=MAX_CLIP_S)
    except clips.ClipError as exc:
        raise CheckFailed(f"The reference clip cannot be used: {exc}")
    return _face_frames(clip.frames, references, what="the reference clip")


def check_liveness_clip(
    path: str, *, words: int, references: list[np.ndarray], issued_at: datetime, submitted_at: datetime
) -> dict:
    """The verification clip: fresh for its challenge, long enough, with the phrase's worth of speech, and the
    owner's face (one face, matching the references) in most frames. Returns what was measured."""
    try:
        clip = clips.decode_clip(path, max_frames=FRAMES_SAMPLED, max_duration_s=MAX_CLIP_S)
    except clips.ClipError as exc:
        raise CheckFailed(str(exc))
    details: dict = {"duration_s": round(clip.duration_s, 2)}
    skew = timedelta(seconds=CLOCK_SKEW_S)
    if clip.created_at is not None:
        details["recorded_at"] = clip.created_at.isoformat()
        if clip.created_at < issued_at - skew or clip.created_at > submitted_at + skew:
            raise CheckFailed(
                "This clip was not recorded for this challenge. Record a new one after asking for the phrase.", details
            )
    if clip.duration_s < MIN_CLIP_S:
        raise CheckFailed("The clip is too short. Record yourself saying the whole phrase.", details)
    if clip.audio is None:
        raise CheckFailed("The clip has no sound. Say the phrase aloud while recording.", details)
    voiced = clips.voiced_seconds(clip.audio)
    low = MIN_VOICED_S_PER_WORD * words
    high = MAX_VOICED_S_PER_WORD * words + MAX_VOICED_EXTRA_S
    details.update({"voiced_s": round(voiced, 2), "voiced_needed_s": [round(low, 2), round(high, 2)]})
    if voiced < low:
        raise CheckFailed("No speech was heard in the clip. Say the phrase aloud, clearly.", details)
    if voiced > high:
        raise CheckFailed("The clip holds much more speech than the phrase. Say only the phrase.", details)
    details.update(_face_frames(clip.frames, references, what="the clip"))
    return details


def check_clip_decodes(path: str) -> None:
    """A character's optional reference clip only has to be a short video that decodes."""
    try:
        clips.decode_clip(path, max_frames=1, max_duration_s=MAX_CLIP_S)
    except clips.ClipError as exc:
        raise CheckFailed(f"The reference clip cannot be used: {exc}")
