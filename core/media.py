"""Media URLs and serving.

Every media file is reached through a signed, expiring URL: with S3 that is a presigned URL; with the embedded
file storage it is ``/media/<name>?exp=<unix time>&sig=<hmac>``, checked and served here with HTTP range support
so browsers can seek. A bare path, a forged signature or an expired URL is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import os
import re
import time
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import get_script_prefix, reverse
from django.utils.encoding import force_bytes
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_GRANULARITY_S = 300  # expiry rounded up so a URL stays the same (and cacheable) for a few minutes


# A feed page signs dozens of URLs, so the two costly steps of the straightforward version are done once: the
# HMAC key (django.utils.crypto.salted_hmac derives it from the salt and SECRET_KEY on every call) and the URL
# prefix (reverse() resolves the pattern on every call). Both give the same bytes as before (tests/config check).
_PATH_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted in a path: RFC 3986 sub-delimiters, "/~:@"


@lru_cache(maxsize=4)
def _signing_key(secret: str) -> bytes:
    return hashlib.sha256(b"riff.media" + force_bytes(secret)).digest()  # salted_hmac's key for this salt


@lru_cache(maxsize=16)
def _media_prefix(script_prefix: str) -> str:
    """The path every media URL starts with under this script prefix ("/media/" at the root)."""
    return reverse("media", kwargs={"name": "_"})[:-1]


def _signature(name: str, exp: int, secret: str | None = None) -> str:
    key = _signing_key(settings.SECRET_KEY if secret is None else secret)
    digest = hmac.digest(key, f"{name}\n{exp}".encode(), "sha256")
    return digest.hex()[:40]


@lru_cache(maxsize=8192)
def _signed_path(name: str, exp: int, secret: str) -> str:
    """The part of a signed URL after the prefix. Kept for a while: exp moves every _GRANULARITY_S, so the same
    post's URLs are signed once per few minutes per process, not once per page that shows it."""
    return f"{quote(name, safe=_PATH_SAFE)}?exp={exp}&sig={_signature(name, exp, secret)}"


def storage_delete(names) -> None:
    """Delete stored files, best effort: a file that cannot be deleted is logged, never an error for the caller."""
    import logging

    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logging.getLogger(__name__).warning("could not delete %s", name, exc_info=True)


def storage_list_tree(prefix: str) -> list[str]:
    """Every stored file under a folder (``drafts/12``), at any depth; [] when there is none."""
    prefix = prefix.rstrip("/")
    found: list[str] = []
    pending = [prefix]
    while pending:
        folder = pending.pop()
        try:
            dirs, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        found.extend(f"{folder}/{name}" for name in files)
        pending.extend(f"{folder}/{name}" for name in dirs)
    return found


def storage_delete_tree(prefix: str) -> int:
    """Delete every file under a folder; returns how many there were. Raises when storage fails (the caller,
    an erasure, must not record the step as done)."""
    names = storage_list_tree(prefix)
    for name in names:
        default_storage.delete(name)
    return len(names)


@lru_cache(maxsize=8192)
def _presigned(storage, name: str, ttl: int, window: int) -> str:
    """A presigned URL (S3), made once per file per _GRANULARITY_S window and valid for ``ttl`` past the window's
    end: signing with botocore costs a fraction of a millisecond, and a feed page shows dozens of files."""
    return storage.url(name, expire=ttl + _GRANULARITY_S)


def url_signer(ttl: int | None = None):
    """``signed_url`` for many files at once (a page of posts): what does not depend on the file (the storage,
    the script prefix, the expiry, the key) is read once, and the function returned signs each name."""
    ttl = int(ttl or settings.MEDIA_URL_TTL_S)
    storage = storages["default"]  # the instance default_storage stands for
    if not isinstance(storage, FileSystemStorage):
        if ttl < _GRANULARITY_S:
            return lambda name: storage.url(str(name), expire=ttl) if name else ""
        window = int(time.time()) // _GRANULARITY_S
        return lambda name: _presigned(storage, str(name), ttl, window) if name else ""
    exp = (int(time.time()) + ttl + _GRANULARITY_S - 1) // _GRANULARITY_S * _GRANULARITY_S
    prefix, secret = _media_prefix(get_script_prefix()), settings.SECRET_KEY
    return lambda name: prefix + _signed_path(str(name), exp, secret) if name else ""


def signed_url(name: str, *, ttl: int | None = None) -> str:
    """A URL for a stored file that works for ``ttl`` seconds (at least), then stops working."""
    return url_signer(ttl)(name) if name else ""


def public_url(name: str) -> str:
    return signed_url(name, ttl=settings.PUBLIC_MEDIA_URL_TTL_S)


def public_url_signer():
    """``public_url`` for many files at once (see url_signer)."""
    return url_signer(settings.PUBLIC_MEDIA_URL_TTL_S)


def _refuse(message: str, status: int = 403) -> JsonResponse:
    return JsonResponse({"detail": message, "code": "media_forbidden" if status == 403 else "not_found"}, status=status)


@require_http_methods(["GET", "HEAD"])
def serve_media(request, name: str):
    try:
        exp = int(request.GET.get("exp", ""))
    except ValueError:
        return _refuse(gettext("This media link is not valid."))
    sig = request.GET.get("sig", "")
    if not sig or not hmac.compare_digest(sig, _signature(name, exp)):
        return _refuse(gettext("This media link is not valid."))
    if exp < time.time():
        return _refuse(gettext("This media link has expired. Reload the page to get a fresh one."))
    if ".." in name.split("/") or name.startswith("/"):
        return _refuse(gettext("Not found."), 404)
    try:
        path = default_storage.path(name)
    except NotImplementedError:  # not a filesystem storage: URLs come from the storage itself
        return _refuse(gettext("Not found."), 404)
    if not os.path.isfile(path):
        return _refuse(gettext("Not found."), 404)
    size = os.path.getsize(path)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    max_age = max(0, exp - int(time.time()))
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": f"private, max-age={max_age}",
        "X-Content-Type-Options": "nosniff",
    }
    match = _RANGE.match(request.headers.get("Range", ""))
    if not match:
        response = FileResponse(open(path, "rb"), content_type=content_type)
        for key, value in headers.items():
            response[key] = value
        return response
    start_s, end_s = match.groups()
    if start_s == "" and end_s == "":
        return _range_not_satisfiable(size)
    if start_s == "":
        length = min(int(end_s), size)
        start, end = size - length, size - 1
    else:
        start = int(start_s)
        end = min(int(end_s), size - 1) if end_s else size - 1
    if start >= size or start > end:
        return _range_not_satisfiable(size)
    length = end - start + 1

    def chunks(chunk_size: int = 64 * 1024):
        with open(path, "rb") as handle:
            handle.seek(start)
            remaining = length
            while remaining > 0:
                data = handle.read(min(chunk_size, remaining))
                if not data:
                    break
                remaining -= len(data)
                yield data

    response = StreamingHttpResponse(chunks() if request.method == "GET" else iter(()), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    for key, value in headers.items():
        response[key] = value
    return response


def _range_not_satisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response
