"""With S3 storage (the production topology), media URLs are presigned by botocore; a page reuses the URL of a
file for a few minutes instead of signing it again, and the reused URL still works for at least its TTL."""

from __future__ import annotations

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage, storages

from core import media


@pytest.fixture(autouse=True)
def _s3_only():
    if isinstance(storages["default"], FileSystemStorage):
        pytest.skip("the embedded file storage signs its own URLs (tests/config/test_media_urls.py)")


def test_presigned_urls_are_reused_within_a_window_and_work():
    name = default_storage.save("tests/presigned.bin", ContentFile(b"riff presigned"))
    try:
        first, again = media.public_url(name), media.public_url(name)
        assert first == again
        expires = int(parse_qs(urlsplit(first).query)["X-Amz-Expires"][0])
        assert expires >= settings.PUBLIC_MEDIA_URL_TTL_S  # valid for the TTL after the window it is reused in
        with urllib.request.urlopen(first, timeout=10) as response:
            assert response.read() == b"riff presigned"
        short = media.signed_url(name, ttl=60)  # below the reuse window: signed afresh, for exactly that long
        assert int(parse_qs(urlsplit(short).query)["X-Amz-Expires"][0]) == 60
        assert media.url_signer(settings.PUBLIC_MEDIA_URL_TTL_S)(name) == first
    finally:
        default_storage.delete(name)
