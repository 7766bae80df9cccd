"""Checks on uploaded photos and clips (cameo references, liveness clips, avatars) that are cheap enough for the
web process: Pillow for photos, PyAV's container probe for clips (no decoding of the video itself).

Photos are opened with Pillow under a pixel limit (decompression bombs are refused before any pixel is
decoded), fully decoded once (truncated files fail here), turned upright from their EXIF orientation, scaled
down to a bounded size and re-encoded as a JPEG without any metadata (no EXIF, GPS or ICC profile kept).
Clips are checked for what they are, not for what they show: the container signature, then
``core.video.validate_video_upload`` (a video stream of sane size and length, every packet present, the
first frame decodable), so a damaged or disguised file is refused at once and nothing is stored. Decoding the
clip and looking at faces and speech is the worker's job. PyAV loads on the first clip upload, not at start-up.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import Invalid, TooLarge

MAX_PIXELS = 40_000_000  # 40 MP: any phone photo; a bomb claiming more is refused before decoding
MAX_SIDE = 2048  # stored reference photos are at most this long on their long side
MIN_SIDE = 128  # smaller photos hold too few pixels for a face check
JPEG_QUALITY = 90
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"}
MAX_CLIP_S = 30.0


# What an upload is, as the messages name it (the callers' ``what``).
_NAMED = {
    "avatar": gettext_lazy("the avatar"),
    "upload": gettext_lazy("the upload"),
    "reference photo": gettext_lazy("the reference photo"),
    "reference clip": gettext_lazy("the reference clip"),
    "clip": gettext_lazy("the clip"),
}


def _named(what: str) -> str:
    """``what`` as the subject of a sentence in the active language ("The reference photo", "La photo de référence")."""
    return capfirst(str(_NAMED.get(what, what)))


@dataclass(frozen=True)
class Photo:
    data: bytes  # JPEG
    width: int
    height: int


@dataclass(frozen=True)
class ClipUpload:
    data: bytes
    extension: str
    sha256: str
    has_audio: bool = False


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.0f} MB"


def check_upload_size(size: int | None, *, what: str) -> None:
    limit = settings.MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise TooLarge(
            _("{what} is too large ({size}); at most {limit} is accepted.").format(
                what=_named(what), size=_megabytes(size), limit=_megabytes(limit)
            ),
            code="upload_too_large",
            extra={"max_bytes": limit},
        )


def _read(upload, *, what: str) -> bytes:
    check_upload_size(getattr(upload, "size", None), what=what)
    data = upload.read(settings.MAX_UPLOAD_BYTES + 1)
    check_upload_size(len(data), what=what)
    if not data:
        raise Invalid(_("{what} is empty.").format(what=_named(what)), code="upload_empty")
    return data


def photo_from_upload(upload, *, what: str = "reference photo") -> Photo:
    """A safe JPEG of the uploaded photo, or a DomainError a person understands."""
    data = _read(upload, what=what)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    not_an_image = Invalid(
        _("{what} is not an image Riff can read. Upload a JPEG, PNG or WebP photo.").format(what=_named(what)),
        code="not_an_image",
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns between MAX_PIXELS and twice that, and raises above: refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in PHOTO_FORMATS:
                    raise not_an_image
                probe.verify()
            with Image.open(io.BytesIO(data)) as source:
                source.seek(0)  # the first frame of an animation
                source.load()
                image = ImageOps.exif_transpose(source)
                image = image.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge(
            _("{what} has too many pixels (at most {value} megapixels).").format(
                what=_named(what), value=MAX_PIXELS // 1_000_000
            ),
            code="image_too_large",
        )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise not_an_image
    if min(image.size) < MIN_SIDE:
        raise Invalid(
            _("{what} is too small ({width}×{height}); use a photo at least {least} pixels on each side.").format(
                what=_named(what), width=image.width, height=image.height, least=MIN_SIDE
            ),
            code="image_too_small",
        )
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif=, no icc_profile=: stripped
    return Photo(data=out.getvalue(), width=image.width, height=image.height)


def _clip_extension(head: bytes) -> str | None:
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"  # Matroska/WebM (what browsers' MediaRecorder writes)
    if head[4:8] == b"ftyp":
        return "mov" if head[8:10] == b"qt" else "mp4"
    return None


def clip_from_upload(upload, *, what: str = "clip") -> ClipUpload:
    from core.video import MediaError, validate_video_upload

    data = _read(upload, what=what)
    extension = _clip_extension(data[:16])
    if extension is None:
        raise Invalid(
            _("{what} is not a video Riff can read. Upload an MP4, MOV or WebM clip.").format(what=_named(what)),
            code="not_a_video",
        )
    try:
        # Browsers' WebM recordings often carry no duration, so none is required here; the worker measures it.
        info = validate_video_upload(
            io.BytesIO(data), max_bytes=settings.MAX_UPLOAD_BYTES, max_duration_s=MAX_CLIP_S, min_duration_s=0.0
        )
    except MediaError as exc:
        raise Invalid(
            _("{what} cannot be used: {message}").format(what=_named(what), message=exc.message),
            code="not_a_video",
        )
    return ClipUpload(
        data=data, extension=extension, sha256=hashlib.sha256(data).hexdigest(), has_audio=bool(info["has_audio"])
    )
