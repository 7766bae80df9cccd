"""Authorization, generated from the URL configuration: every API endpoint that names an object is tried by
another user against the owner's private objects and must answer 403 or 404, never the data. Endpoints that act
on a person rather than on their objects (profiles, follow, block) are listed explicitly. Private media URLs
expire and cannot be forged."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import ApiToken, MemberSession
from accounts.services import user_token
from cameos.models import Cameo, CameoUse
from generation import services
from generation.models import GenerationJob, ProvenanceCheck
from moderation.models import Appeal, ModerationAction
from privacy.models import AccountDeletion, DataExport

pytestmark = pytest.mark.django_db

SECRETS = ("SECRET-PROMPT", "SECRET-CAPTION", "SECRET-CAMEO", "secret-check.mp4", "owner@example.com")
# Routes about a person (their public profile, your relationship with them): another user may call them.
ABOUT_A_PERSON = {
    "api/users/<str:username>",
    "api/users/<str:username>/follow",
    "api/users/<str:username>/block",
    "api/users/<str:username>/posts",
}
METHODS = ("get", "post", "put", "patch", "delete")


def _api_routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    for route, callback in walk(get_resolver().url_patterns):
        if route.startswith("api/") and "<" in route:
            yield route, getattr(callback, "view_class", None)


@pytest.fixture
def owned(make_user):
    owner = make_user("owner", email="owner@example.com")
    other = make_user("intruder")
    job, _ = services.job_create(user=owner, prompt="SECRET-PROMPT a ball")
    GenerationJob.objects.filter(pk=job.pk).update(status="running", worker_id="w:1", attempts=1, heartbeat_at=timezone.now())
    services.job_succeed(job_id=job.pk, worker_id="w:1", video="drafts/x/clip.mp4", poster="drafts/x/poster.jpg", scene_plan=None, meta={})
    post_job, _ = services.job_create(user=owner, prompt="SECRET-PROMPT private clip")
    GenerationJob.objects.filter(pk=post_job.pk).update(status="running", worker_id="w:1", attempts=1, heartbeat_at=timezone.now())
    services.job_succeed(job_id=post_job.pk, worker_id="w:1", video="posts/x/clip.mp4", poster="posts/x/poster.jpg", scene_plan=None, meta={})
    post = services.job_publish(user=owner, job=GenerationJob.objects.get(pk=post_job.pk), caption="SECRET-CAPTION", visibility="private")
    cameo = Cameo.objects.create(owner=owner, kind="character", name="SECRET-CAMEO", permission="only_me",
                                 reference_state="ready", verification_state="not_required")
    use = CameoUse.objects.create(cameo=cameo, user=owner, job=job, basis="owner")
    check = ProvenanceCheck.objects.create(requester=owner, filename="secret-check.mp4", status="done", report={"summary": "SECRET-CAPTION"})
    warning = ModerationAction.objects.create(target=owner, action="warn", reason="a warning")
    appeal = Appeal.objects.create(action=warning, author=owner, text="an appeal")
    export = DataExport.objects.create(user=owner, state="ready", archive="exports/x/secret-check.mp4")
    session = MemberSession.objects.create(user=owner, session_key="s" * 32, user_agent="SECRET-CAPTION")
    user_token(user=owner, label="SECRET-CAPTION")
    values = {"job_id": job.pk, "post_id": post.pk, "cameo_id": cameo.pk, "use_id": use.pk, "check_id": check.pk,
              "username": owner.username, "action_id": warning.pk, "appeal_id": appeal.pk, "export_id": export.pk,
              "session_id": session.pk, "token_id": ApiToken.objects.get(user=owner).pk, "name": "secretcaption"}
    return owner, other, values


def _fill(route: str, values: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def test_every_object_endpoint_refuses_another_users_objects(owned, client_for):
    owner, other, values = owned
    client = client_for(other)
    tried = 0
    for route, view in _api_routes():
        assert view is not None, route
        for method in METHODS:
            if not hasattr(view, method):
                continue
            url = _fill(route, values)
            response = getattr(client, method)(url, {}, format="json")
            body = response.content.decode(errors="replace")
            for secret in SECRETS:
                assert secret not in body, f"{method.upper()} {url} leaked {secret!r}: {body[:300]}"
            if route in ABOUT_A_PERSON:
                assert response.status_code < 500, (method, url, response.status_code)
                continue
            tried += 1
            assert response.status_code in (403, 404), f"{method.upper()} {url} answered {response.status_code}: {body[:300]}"
            assert response.json()["detail"]
    assert tried >= 25, f"only {tried} object endpoints were tried"
    # and nothing changed
    assert GenerationJob.objects.filter(user=owner, draft="ready").count() == 1
    assert owner.posts.filter(state="published").count() == 1
    assert Cameo.objects.filter(owner=owner, permission="only_me").count() == 1
    assert CameoUse.objects.filter(removed_at__isnull=True).count() == 1
    assert Appeal.objects.get().status == "pending"
    assert ApiToken.objects.filter(user=owner).count() == 1 and MemberSession.objects.filter(user=owner).count() == 1
    owner.refresh_from_db()
    assert owner.is_active and not AccountDeletion.objects.exists()


def test_private_media_urls_expire_and_cannot_be_forged(owned, client_for, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage, default_storage
    from django.test import Client

    from core.media import signed_url

    if not isinstance(default_storage, FileSystemStorage):
        pytest.skip("S3 presigned URLs are checked by the S3 server (see tests/generation/test_worker_e2e.py)")
    owner, other, values = owned
    name = default_storage.save("drafts/x/private.mp4", ContentFile(b"\x00" * 4096))
    url = signed_url(name)
    anonymous = Client()
    assert anonymous.get(url).status_code == 200
    ranged = anonymous.get(url, HTTP_RANGE="bytes=100-199")
    assert ranged.status_code == 206 and ranged["Content-Range"] == "bytes 100-199/4096"
    assert anonymous.get(url.split("?")[0]).status_code == 403  # the bare path
    forged = re.sub(r"sig=[0-9a-f]+", "sig=" + "0" * 40, url)
    assert anonymous.get(forged).status_code == 403
    later = re.sub(r"exp=(\d+)", lambda m: f"exp={int(m.group(1)) + 3600}", url)
    assert anonymous.get(later).status_code == 403  # stretching the expiry breaks the signature
    expired = signed_url(name, ttl=-900)
    response = anonymous.get(expired)
    assert response.status_code == 403 and "expired" in response.json()["detail"]
    other_file = re.sub(r"/media/[^?]+", "/media/drafts/x/other.mp4", url)
    assert anonymous.get(other_file).status_code == 403  # a signature is for one file only
