"""Deletion and export rules without a worker: an erasure stopped half-way resumes and finishes; the grace
period lets a member come back with everything as it was; staff can run both (recorded); bad input is a 4xx
with a message and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from feed.models import Post
from feed.services import like_create, post_create
from privacy import services
from privacy.erasure import STEPS, erasure_run
from privacy.models import AccountDeletion, DataExport
from tests.support import PASSWORD, member_with_token

pytestmark = pytest.mark.django_db


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _post(author, *, remix_of=None) -> Post:
    video = default_storage.save(f"drafts/{author.pk}/0/1/clip.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"))
    return post_create(author=author, video=video, caption="hi", prompt="a ball", remix_of=remix_of, duration_s=2)


def test_an_erasure_stopped_half_way_resumes_and_finishes(make_cameo):
    ana, key = member_with_token("ana")
    bob, _ = member_with_token("bob")
    parent = _post(ana)
    remix = _post(bob, remix_of=parent)
    like_create(user=ana, post=remix)
    cameo = make_cameo(ana)
    files = [parent.video, cameo.reference, cameo.avatar]
    assert _client(key).delete("/api/me", {"password": PASSWORD}, format="json").status_code == 202
    deletion = AccountDeletion.objects.get(user=ana)

    erasure_run(deletion_id=deletion.pk, stop_after="generation")  # the worker dies after three steps
    deletion.refresh_from_db()
    assert deletion.state == "erasing" and deletion.steps_done == ["stop", "cameos", "generation"]
    assert erasure_run(deletion_id=deletion.pk) is None  # its lease still holds: nobody else takes it
    AccountDeletion.objects.filter(pk=deletion.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert services.deletions_due() == [deletion.pk]  # the sweep finds it
    erasure_run(deletion_id=deletion.pk)
    deletion.refresh_from_db()
    assert deletion.state == "done" and deletion.steps_done == list(STEPS)
    assert deletion.erased["posts"] == 1 and deletion.erased["cameos"] == 1 and "pending_files" not in deletion.erased
    assert not [name for name in files if default_storage.exists(name)]
    remix.refresh_from_db()
    assert remix.like_count == 0 and remix.ancestors == [parent.pk] and remix.remix_of_id is None
    assert erasure_run(deletion_id=deletion.pk) is None  # done is done


def test_the_grace_period_lets_the_member_come_back(settings):
    settings.ACCOUNT_DELETION_GRACE_DAYS = 7
    ana, key = member_with_token("ana")
    bob, _ = member_with_token("bob")
    parent = _post(ana)
    remix = _post(bob, remix_of=parent)
    parent.refresh_from_db()
    assert parent.remix_count == 1
    assert _client(key).delete("/api/me", {"password": PASSWORD}, format="json").status_code == 202
    assert Post.objects.get(pk=parent.pk).state == "withdrawn"
    assert services.deletions_due() == []  # not before the grace period ends
    again = APIClient().post("/api/auth/token", {"username": "ana", "password": PASSWORD}, format="json")
    assert again.status_code == 401

    wrong = APIClient().post("/api/auth/restore", {"username": "ana", "password": "nope"}, format="json")
    assert wrong.status_code == 400 and not User.objects.get(pk=ana.pk).is_active
    restored = APIClient().post("/api/auth/restore", {"username": "ana", "password": PASSWORD}, format="json")
    assert restored.status_code == 200, restored.json()
    parent.refresh_from_db()
    assert parent.state == "published" and parent.remix_count == 1 and Post.objects.get(pk=remix.pk).state == "published"
    assert AccountDeletion.objects.get(user=ana).state == "cancelled"
    assert APIClient().post("/api/auth/token", {"username": "ana", "password": PASSWORD}, format="json").status_code == 200
    assert APIClient().post("/api/auth/restore", {"username": "ana", "password": PASSWORD}, format="json").status_code == 400

    # Past the grace period the sweep erases it, and it can no longer be cancelled.
    ana.refresh_from_db()
    deletion = services.account_delete_request(user=ana, password=PASSWORD)
    AccountDeletion.objects.filter(pk=deletion.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    late = APIClient().post("/api/auth/restore", {"username": "ana", "password": PASSWORD}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "deletion_started"
    assert services.deletions_due() == [deletion.pk]


def test_staff_run_export_and_deletion_for_a_member_and_it_is_recorded():
    ana, key = member_with_token("ana")
    staff, staff_key = member_with_token("mod")
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    assert _client(key).post("/api/staff/members/mod/export").status_code == 403  # members cannot
    assert _client(key).delete("/api/staff/members/mod").status_code == 403
    made = _client(staff_key).post("/api/staff/members/ana/export")
    assert made.status_code == 202 and DataExport.objects.get(pk=made.json()["id"]).requested_by_id == staff.pk
    assert _client(key).get("/api/me/exports").json()[0]["by_staff"] is True
    gone = _client(staff_key).delete("/api/staff/members/ana")
    assert gone.status_code == 202
    assert AccountDeletion.objects.get(user=ana).requested_by_id == staff.pk and not User.objects.get(pk=ana.pk).is_active
    assert _client(staff_key).delete("/api/staff/members/ana").json()["code"] == "deletion_running"


def test_export_rules_one_at_a_time_and_links_that_expire(settings):
    ana, key = member_with_token("ana")
    client = _client(key)
    first = client.post("/api/me/export")
    assert first.status_code == 202
    second = client.post("/api/me/exports")
    assert second.status_code == 409 and second.json()["code"] == "export_running" and second.json()["detail"]
    assert DataExport.objects.filter(user=ana).count() == 1

    export = DataExport.objects.get(pk=first.json()["id"])
    name = default_storage.save(f"exports/{ana.pk}/test.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
    DataExport.objects.filter(pk=export.pk).update(state="ready", archive=name,
                                                   expires_at=timezone.now() + timedelta(hours=1))
    url = client.get(f"/api/me/exports/{export.pk}").json()["download_url"]
    assert client.get(url).status_code == 200
    settings.EXPORT_LINK_TTL_S = -1  # a link made now is already past its time
    expired = client.get(client.get(f"/api/me/exports/{export.pk}").json()["download_url"])
    assert expired.status_code == 403 and expired.json()["code"] == "link_expired"
    assert client.get(url.split("?")[0]).json()["code"] == "bad_link"  # no signature at all

    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.exports_expire() == 1 and not default_storage.exists(name)
    settings.EXPORT_LINK_TTL_S = 3600
    assert client.get(url).json()["code"] in ("export_expired", "bad_link")

    settings.EXPORTS_PER_DAY = 1
    limited = client.post("/api/me/exports")
    assert limited.status_code == 429 and limited.json()["detail"]
