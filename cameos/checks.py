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
  clip is not reading six digits);
- the phrase: what Whisper hears in the clip matches the challenge (cameos.speech: at most a third of its
  characters wrong once number words and punctuation are normalised);
- the lips: the mouth moves with the voice (cameos.clips.lip_sync: the correlation between the mouth region's
  movement and the changes of the sound's loudness reaches ``MIN_LIP_SYNC``; a still photo with a voice-over
  does not);
- freshness: a clip whose container says it was made before the challenge was issued (minus
  ``CLOCK_SKEW_S``) is refused;
- characters (pets, objects, drawings): no picture may hold a human face (Haar or dlib: a likeness of a person
  is a person cameo, verified by its person), and the pictures must show one subject: each photo's (or each
  sampled frame's) colours, compared with the others', reach ``SUBJECT_SIMILARITY``.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import cv2
import numpy as np
from django.utils.translation import gettext as _
from PIL import Image

from core.uploads import MAX_CLIP_S

from . import clips, faces, speech
from .phrases import word_count

FRAMES_SAMPLED = 10
MOST_FRAMES = 0.5
MIN_VOICED_S_PER_WORD = 0.12
MAX_VOICED_S_PER_WORD = 1.0
MAX_VOICED_EXTRA_S = 3.0
MIN_CLIP_S = 1.0
CLOCK_SKEW_S = 60
# A character's pictures show one subject when each one's colour distribution (hue × saturation of the central
# 70 %, compared by 1 - Bhattacharyya distance) is at least this close to the others' (median). Measured on
# scikit-image's pictures: a photo against crops, flips, rotations, rescalings and ±25 % brightness of itself
# 0.78-1.0; different subjects (cat, coffee, rocket, astronaut, coins, microscope slide) 0.03-0.47.
SUBJECT_SIMILARITY = 0.6
CHARACTER_FRAMES = 6  # frames of a character's reference clip compared with each other
# The mouth must move with the voice: the correlation of the mouth's movement with the changes of loudness
# (cameos.clips.lip_sync). Measured on 24 fps clips of two faces (the astronaut and a face from LFW) whose mouth
# opens as wide as Piper's voice reading six random digits is loud, drifting and zooming like a hand-held phone:
# 0.74-0.92 over 40 clips; the same photos held still under the same voice-overs: -0.14-0.53 (chance alignments of
# the drift with the voice). The threshold sits between the two (tests/cameos/test_verification.py prints a run).
MIN_LIP_SYNC = 0.62


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


def colour_signature(rgb: np.ndarray) -> np.ndarray:
    """A picture's colours as a normalised hue × saturation histogram of its central 70 % (where a subject
    photographed on purpose is), blind to brightness and to small shifts, flips and rotations."""
    height, width = rgb.shape[:2]
    centre = rgb[round(height * 0.15) : round(height * 0.85), round(width * 0.15) : round(width * 0.85)]
    small = cv2.resize(np.ascontiguousarray(centre), (160, 160), interpolation=cv2.INTER_AREA)
    hist = cv2.calcHist([cv2.cvtColor(small, cv2.COLOR_RGB2HSV)], [0, 1], None, [18, 8], [0, 180, 0, 256])
    return cv2.normalize(hist, hist, 1, 0, cv2.NORM_L1)


def subject_similarities(pictures: list[np.ndarray]) -> list[float]:
    """For each picture, the median similarity of its colours with the others' (1: the same; see
    ``SUBJECT_SIMILARITY``)."""
    signatures = [colour_signature(p) for p in pictures]
    scores = []
    for i, own in enumerate(signatures):
        others = [1 - cv2.compareHist(own, other, cv2.HISTCMP_BHATTACHARYYA) for j, other in enumerate(signatures) if j != i]
        scores.append(round(float(statistics.median(others)), 3))
    return scores


def _check_character_pictures(pictures: list[np.ndarray], *, label) -> dict:
    """No human face in any picture, and one subject in all of them. ``label(i)`` names picture i."""
    counts = [faces.human_face_count(p) for p in pictures]
    details: dict = {"human_faces": counts}
    for index, count in enumerate(counts):
        if count:
            raise CheckFailed(
                _("{index} shows a person's face. A character is a pet, an object or a drawing; to appear "
                  "as yourself, make a person cameo (and verify it) instead.").format(index=label(index)),
                details,
            )
    similarities = subject_similarities(pictures) if len(pictures) > 1 else []
    details.update({"subject_similarity": similarities, "threshold": SUBJECT_SIMILARITY})
    for index, value in enumerate(similarities):
        if value < SUBJECT_SIMILARITY:
            raise CheckFailed(
                _("{index} does not seem to show the same character as the others. Use pictures of one "
                  "character only.").format(index=label(index)),
                details,
            )
    return details


def _photo_label(number: int, count: int) -> str:
    """How a message names photo ``number`` of ``count``."""
    return _("The photo") if count == 1 else _("Photo {number}").format(number=number)


def check_reference_photos(paths: list[str], *, person: bool) -> ReferenceResult:
    """Every photo of a person shows exactly one face, all of the same person; the avatar is the first face.
    A character's photos show no human face and one subject; its avatar is the centre of its first photo."""
    rgbs = [load_rgb(p) for p in paths]
    if not person:
        details = _check_character_pictures(rgbs, label=lambda i: _photo_label(i + 1, len(rgbs)))
        return ReferenceResult(encodings=[None] * len(rgbs), avatar=faces.avatar_crop(rgbs[0], None), details=details)
    encodings: list[np.ndarray] = []
    boxes: list[faces.Box] = []
    counts = []
    for number, rgb in enumerate(rgbs, start=1):
        found = faces.detect_faces(rgb)
        counts.append(len(found))
        label = _photo_label(number, len(rgbs))
        if not found:
            raise CheckFailed(
                _("{label} shows no face. Use a clear photo of your face, looking at the camera.").format(label=label),
                {"faces": counts},
            )
        if len(found) > 1:
            raise CheckFailed(
                _("{label} shows {found} faces. Use photos of you alone.").format(label=label, found=len(found)),
                {"faces": counts},
            )
        encodings.append(faces.face_encoding(rgb, found[0]))
        boxes.append(found[0])
    distances = [round(faces.distance(e, encodings[:1]), 3) for e in encodings[1:]]
    for number, value in enumerate(distances, start=2):
        if value > faces.MATCH_THRESHOLD:
            raise CheckFailed(
                _("Photo {number} does not look like the same person as photo 1. Use photos of one person.").format(
                    number=number
                ),
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
            reason = _("More than one face was in {what}. Record it alone, with only your face in view.")
        elif none:
            reason = _("No face was found in most of {what}. Face the camera in good light.")
        else:
            reason = _("Your face was not clearly visible in most of {what}.")
        raise CheckFailed(reason.format(what=what), details)
    distances = []
    for i in single:
        distances.append(round(faces.distance(faces.face_encoding(frames[i], found[i][0]), references), 3))
    matched = sum(1 for d in distances if d <= faces.MATCH_THRESHOLD)
    median = statistics.median(distances)
    details.update({"distances": distances, "median_distance": median, "threshold": faces.MATCH_THRESHOLD})
    if median > faces.MATCH_THRESHOLD or matched * 2 < len(distances):
        raise CheckFailed(_("The face in {what} does not match the cameo's photos.").format(what=what), details)
    return details


def check_reference_clip(path: str, *, references: list[np.ndarray]) -> dict:
    """The optional reference clip shows the same one person as the photos in most of its frames."""
    try:
        clip = clips.decode_clip(path, max_frames=FRAMES_SAMPLED, max_duration_s=MAX_CLIP_S)
    except clips.ClipError as exc:
        raise CheckFailed(_("The reference clip cannot be used: {exc}").format(exc=exc))
    return _face_frames(clip.frames, references, what=_("the reference clip"))


@dataclass
class Liveness:
    details: dict  # what was measured
    audio: np.ndarray  # the clip's sound, mono float32 at clips.SAMPLE_RATE (the voice, when the owner keeps it)


def check_liveness_clip(
    path: str, *, phrase: str, references: list[np.ndarray], issued_at: datetime, submitted_at: datetime
) -> Liveness:
    """The verification clip: fresh for its challenge, long enough, with the phrase's worth of speech, the
    owner's face (one face, matching the references) in most frames, the phrase heard, and the mouth moving with
    the voice. Raises CheckFailed naming the first thing that fails; returns what was measured."""
    try:
        clip = clips.decode_clip(path, max_frames=FRAMES_SAMPLED, max_duration_s=MAX_CLIP_S, motion=True)
    except clips.ClipError as exc:
        raise CheckFailed(str(exc))
    details: dict = {"duration_s": round(clip.duration_s, 2)}
    skew = timedelta(seconds=CLOCK_SKEW_S)
    if clip.created_at is not None:
        details["recorded_at"] = clip.created_at.isoformat()
        if clip.created_at < issued_at - skew or clip.created_at > submitted_at + skew:
            raise CheckFailed(
                _("This clip was not recorded for this challenge. Record a new one after asking for the phrase."),
                details,
            )
    if clip.duration_s < MIN_CLIP_S:
        raise CheckFailed(_("The clip is too short. Record yourself saying the whole phrase."), details)
    if clip.audio is None:
        raise CheckFailed(_("The clip has no sound. Say the phrase aloud while recording."), details)
    words = word_count(phrase)
    voiced = clips.voiced_seconds(clip.audio)
    low = MIN_VOICED_S_PER_WORD * words
    high = MAX_VOICED_S_PER_WORD * words + MAX_VOICED_EXTRA_S
    details.update({"voiced_s": round(voiced, 2), "voiced_needed_s": [round(low, 2), round(high, 2)]})
    if voiced < low:
        raise CheckFailed(_("No speech was heard in the clip. Say the phrase aloud, clearly."), details)
    if voiced > high:
        raise CheckFailed(_("The clip holds much more speech than the phrase. Say only the phrase."), details)
    details.update(_face_frames(clip.frames, references, what=_("the clip")))
    transcript = speech.transcribe(clip.audio, clips.SAMPLE_RATE)
    matched, wrong = speech.heard(phrase, transcript)
    details.update({"heard": transcript[:200], "phrase_errors": wrong})
    if not matched:
        said = f"“{transcript[:80]}”" if transcript else _("no words")
        raise CheckFailed(
            _("The phrase was not heard: the clip says {said}, not “{phrase}”. Say the digits shown, aloud, one by "
              "one.").format(said=said, phrase=phrase),
            details,
        )
    sync = clips.lip_sync(clip.motion, clip.motion_times, _face_fraction(clip.frames), clip.audio)
    details.update({"lip_sync": round(sync, 3), "lip_sync_needed": MIN_LIP_SYNC})
    if sync < MIN_LIP_SYNC:
        raise CheckFailed(
            _("Your mouth does not move with the voice in this clip. Record yourself saying the phrase: a photo with "
              "a voice-over, or a clip with its sound from elsewhere, cannot verify a cameo."),
            details,
        )
    return Liveness(details=details, audio=clip.audio)


def _face_fraction(frames: list[np.ndarray]) -> tuple[float, float, float, float]:
    """The face's box as fractions of the frame (x, y, width, height): the median of the one-face frames'."""
    boxes = []
    for frame in frames:
        found = faces.detect_faces(frame)
        if len(found) == 1:
            height, width = frame.shape[:2]
            box = found[0]
            boxes.append((box.x / width, box.y / height, box.w / width, box.h / height))
    if not boxes:
        return (0.0, 0.0, 1.0, 1.0)
    return tuple(float(v) for v in np.median(np.array(boxes), axis=0))


def check_character_clip(path: str, *, photos: list[np.ndarray]) -> dict:
    """A character's reference clip: frames with no human face, showing the same subject as each other and
    as the photos."""
    try:
        clip = clips.decode_clip(path, max_frames=CHARACTER_FRAMES, max_duration_s=MAX_CLIP_S)
    except clips.ClipError as exc:
        raise CheckFailed(_("The reference clip cannot be used: {exc}").format(exc=exc))
    frames = list(clip.frames)

    def label(i: int) -> str:
        return _("The reference clip") if i < len(frames) else _("Photo {number}").format(number=i - len(frames) + 1)

    return _check_character_pictures([*frames, *photos], label=label)
