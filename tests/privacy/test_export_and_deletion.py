"""A member's own data, end to end through the real worker: the archive holds everything they made (the published
MP4s byte for byte, still traced to their posts by the provenance check) and only they can fetch it; deleting the
account closes it at once (sign-in, tokens, profile, posts, cameo uses) and the worker then erases every stored
file and row of theirs but what the README says stays."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from accounts.models import User
from core.media import storage_list_tree
from generation.models import GenerationJob
from privacy.models import AccountDeletion, DataExport
from tests.support import PASSWORD, member_with_token, publish_clip, verify_upload, wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Rows that may still name an erased member, and why (README "Members' own data"): moderation records (decisions
# about them or taken by them as staff, their appeals, blanked) and the deletion's own record.
KEPT = {("moderation", "ModerationAction", "target"), ("moderation", "ModerationAction", "moderator"),
        ("moderation", "Appeal", "author"), ("moderation", "Appeal", "decided_by"),
        ("privacy", "AccountDeletion", "user"), ("privacy", "AccountDeletion", "requested_by")}


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _wait(predicate, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen in {timeout:g} s")
        time.sleep(0.2)


def _rows_naming(user_id: int) -> dict[str, int]:
    """Every row of every model whose foreign key points at this user, by model and field (the user row aside)."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                n = model._default_manager.filter(**{field.attname: user_id}).count()
                if n and (model._meta.app_label, model.__name__, field.name) not in KEPT:
                    found[f"{model._meta.label}.{field.name}"] = n
        for field in model._meta.many_to_many:
            if field.related_model is User:
                n = model._default_manager.filter(**{field.name: user_id}).count()
                if n:
                    found[f"{model._meta.label}.{field.name}"] = n
    return found


def test_export_holds_everything_and_deletion_erases_the_member(start_worker, purge_queues, make_cameo, tmp_path):
    worker = start_worker()
    ana, ana_key = member_with_token("ana", email="ana@example.org")
    bob, bob_key = member_with_token("bob")
    ca, cb = _client(ana_key), _client(bob_key)
    cameo = make_cameo(ana, permission="everyone", name="Ana")

    _, post = publish_clip(ca, {"prompt": "a red ball bouncing on a beach", "seed": 3})
    _, own_cameo_post = publish_clip(ca, {"prompt": "Ana waves at the camera", "cameos": [cameo.pk]})
    draft = wait_for_job(ca.post("/api/generations", {"prompt": "a kite over a field", "duration_s": 2}, format="json").json()["id"])
    _, bob_remix = publish_clip(cb, {"prompt": "at night", "remix_of": post["id"]})
    _, bob_with_cameo = publish_clip(cb, {"prompt": "Ana dances in the rain", "cameos": [cameo.pk]})
    ca.post(f"/api/posts/{bob_remix['id']}/like")
    ca.post(f"/api/posts/{bob_remix['id']}/comments", {"text": "love it"}, format="json")
    ca.post("/api/users/bob/follow")
    cb.post(f"/api/posts/{post['id']}/comments", {"text": "nice one"}, format="json")
    assert cb.get(f"/api/posts/{bob_remix['id']}").json()["like_count"] == 1

    # --- the archive -----------------------------------------------------------------------------------------
    started = ca.post("/api/me/exports")
    assert started.status_code == 202, started.json()
    export_id = started.json()["id"]
    _wait(lambda: DataExport.objects.get(pk=export_id).state in ("ready", "failed"), "the archive")
    listed = ca.get(f"/api/me/exports/{export_id}").json()
    assert listed["state"] == "ready", listed
    url = listed["download_url"]
    assert cb.get(url).status_code == 404  # another member cannot fetch it, even with the link
    assert APIClient().get(url).status_code in (401, 403)
    assert ca.get(url.replace("sig=", "sig=0")).json()["code"] == "bad_link"
    response = ca.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert "README.txt" in names

    def items(name):
        return json.loads(archive.read(name))

    ana_posts = items("posts.json")
    assert {p["id"] for p in ana_posts} == {post["id"], own_cameo_post["id"]}
    assert len(items("generations.json")) == GenerationJob.objects.filter(user=ana).count() == 3
    assert [g["video"] for g in items("generations.json") if g["id"] == draft.pk][0] in names  # the unpublished draft
    assert [c["text"] for c in items("comments.json")] == ["love it"]
    assert [like["post"] for like in items("likes.json")] == [bob_remix["id"]]
    assert [(f["direction"], f["handle"]) for f in items("follows.json")] == [("following", "bob")]
    assert [c["id"] for c in items("cameos.json")] == [cameo.pk]
    assert all(ref in names for ref in items("cameos.json")[0]["references"])
    uses = items("cameo_uses.json")
    assert sorted((u["direction"], u["user"]) for u in uses) == [("of_my_cameo", "ana"), ("of_my_cameo", "bob")]
    for p in ana_posts:  # each published MP4, byte for byte
        stored = default_storage.open(User.objects.get(pk=ana.pk).posts.get(pk=p["id"]).video, "rb").read()
        assert archive.read(p["video"]) == stored
    report = verify_upload(cb, "from-archive.mp4", archive.read(ana_posts[0]["video"]))["report"]
    assert report["c2pa"]["state"] == "trusted" and report["post"]["id"] == ana_posts[0]["id"]

    # --- deletion ----------------------------------------------------------------------------------------------
    worker.stop()  # so that bob's next job using ana's cameo stays queued
    queued = cb.post("/api/generations", {"prompt": "Ana sings", "cameos": [cameo.pk], "duration_s": 2}, format="json")
    assert queued.status_code == 202, queued.json()
    files_before = [name for folder in (f"drafts/{ana.pk}", f"cameos/{cameo.pk}", f"exports/{ana.pk}")
                    for name in storage_list_tree(folder)]
    assert files_before

    wrong = ca.delete("/api/me", {"password": "not-it"}, format="json")
    assert wrong.status_code == 400 and "password" in wrong.json()["errors"]
    assert User.objects.get(pk=ana.pk).is_active and ca.get("/api/me").status_code == 200

    closing = ca.delete("/api/me", {"password": PASSWORD}, format="json")
    assert closing.status_code == 202, closing.json()
    # Closed at once: no token, no sign-in, no profile or posts, nobody can use the cameo, the queued use stopped.
    assert ca.get("/api/me").status_code == 401
    assert APIClient().post("/api/auth/token", {"username": "ana", "password": PASSWORD}, format="json").status_code == 401
    assert cb.get("/api/users/ana").status_code == 404
    assert cb.get(f"/api/posts/{post['id']}").status_code == 404
    assert GenerationJob.objects.get(pk=queued.json()["id"]).status == "cancelled"
    refused = cb.post("/api/generations", {"prompt": "Ana again", "cameos": [cameo.pk]}, format="json")
    assert refused.status_code in (403, 404), refused.json()

    start_worker()  # the erasure was queued when the account closed
    _wait(lambda: AccountDeletion.objects.get(user_id=ana.pk).state == "done", "the erasure")
    left = [name for name in files_before if default_storage.exists(name)]
    assert not left, left
    assert not storage_list_tree(f"avatars/{ana.pk}") and not storage_list_tree(f"drafts/{ana.pk}")
    assert _rows_naming(ana.pk) == {}
    tombstone = User.objects.get(pk=ana.pk)
    assert (tombstone.username, tombstone.email, tombstone.is_active, tombstone.has_usable_password()) == (
        f"deleted-{ana.pk}", "", False, False)

    # Other people's clips stay: bob's remix plays, and its lineage shows a deleted parent.
    remix = cb.get(f"/api/posts/{bob_remix['id']}").json()
    assert remix["video_url"] and default_storage.exists(GenerationJob.objects.get(post__pk=bob_remix["id"]).video)
    lineage = cb.get(f"/api/posts/{bob_remix['id']}/lineage").json()
    assert lineage["ancestors"] == [{"id": post["id"], "available": False, "deleted": True}]
    assert remix["like_count"] == 0 and remix["comment_count"] == 0  # ana's like and comment went with her
    assert cb.get(f"/api/posts/{bob_with_cameo['id']}").status_code == 200
