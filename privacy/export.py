"""The archive of everything a member made or holds: one zip with JSON files and the media they name.

The published MP4s are copied byte for byte from storage, so each still carries its watermark and C2PA manifest
and verifies with the provenance check. ``README.txt`` inside says what each file is (``ARCHIVE_README``); every
JSON file is a list of objects (``profile.json`` is one object) with the fields listed there.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Callable

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from accounts.models import Block, Follow, Notification, User
from accounts.services import notification_text
from cameos.models import Cameo, CameoApproval, CameoRequest, CameoUse
from core.i18n import in_language_of
from feed.models import Comment, Like, Post
from generation.models import GenerationJob, PolicyRefusal
from moderation.models import Appeal, ModerationAction

ARCHIVE_README = """Your Riff data
==============

Made {made} for @{handle}. Every .json file is UTF-8 JSON: a list of objects (profile.json: one object).
Times are ISO 8601 in UTC. Media files sit next to the JSON that names them.

profile.json        Your profile: handle, display_name, bio, email, birth_date, language, date_joined,
                    last_login; avatar (the file, under profile/).
posts.json          Your posts: id, created_at, caption, prompt, prompt_public, visibility, state (published,
                    deleted, taken_down, withdrawn), state_reason, remix_of (a post id), duration_s, width,
                    height, like_count, comment_count, remix_count, view_count; video and poster (files under
                    posts/). Each MP4 is the published file itself, byte for byte: its watermark and signed
                    provenance manifest still verify.
generations.json    Every generation you asked for (your prompts): id, kind, status, prompt, prompt_public,
                    duration_s, aspect, seed, voices, language, shots, cameos (ids), remix_of, error,
                    created_at, finished_at, draft (none, ready, published, discarded); video (a draft not
                    published, under drafts/).
comments.json       Comments you wrote: id, post, parent (a comment id), text, created_at.
likes.json          Posts you liked: post, created_at.
follows.json        People you follow (direction "following") and who follow you ("follower"): handle,
                    created_at.
blocks.json         People you blocked: handle, created_at.
notifications.json  What Riff told you: kind, text, actor, post, read_at, created_at.
cameos.json         Your cameos: id, kind, name, permission, restrictions, verification_state, verified_at,
                    voice_kept_at, voice_in_clips, created_at, approved (handles), requests; files (reference
                    photos and clip, avatar, kept voice and its sample) under cameos/<id>/.
cameo_uses.json     The ledger: every use of your cameos by anyone (direction "of_my_cameo") and your uses of
                    other people's cameos ("by_me"): cameo, cameo_name, user, job, post, basis, prompt,
                    created_at, removed_at, removed_reason.
moderation.json     Moderation about you: decisions (action, reason, post, until, reversed_at, created_at),
                    your appeals (decision, text, status, decision_reason) and the prompts the policy refused
                    (text, rule, category, created_at).
"""

Progress = Callable[[float], None]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _handle(user: User | None) -> str | None:
    return user.username if user is not None else None


class _Archive:
    def __init__(self, path: str):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.counts: dict[str, int] = {}

    def json(self, name: str, items) -> None:
        self.counts[name] = len(items) if isinstance(items, list) else 1
        self.zip.writestr(name, json.dumps(items, ensure_ascii=False, indent=1, default=str))

    def media(self, storage_name: str, archive_name: str) -> str | None:
        """Copy a stored file into the archive unchanged (MP4s and JPEGs are not compressed again)."""
        if not storage_name:
            return None
        try:
            source = default_storage.open(storage_name, "rb")
        except (FileNotFoundError, OSError):
            return None
        extension = os.path.splitext(storage_name)[1]
        name = archive_name + extension
        compress = zipfile.ZIP_STORED if extension.lower() in (".mp4", ".jpg", ".jpeg", ".png", ".webm") else zipfile.ZIP_DEFLATED
        info = zipfile.ZipInfo(name, date_time=timezone.now().timetuple()[:6])
        info.compress_type = compress
        with source, self.zip.open(info, "w", force_zip64=True) as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)
        self.counts["files"] = self.counts.get("files", 0) + 1
        return name

    def close(self) -> None:
        self.zip.close()


def _profile(a: _Archive, user: User) -> None:
    a.json(
        "profile.json",
        {
            "handle": user.username, "display_name": user.display_name, "bio": user.bio, "email": user.email,
            "birth_date": _iso(user.birth_date), "language": user.language, "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login), "avatar": a.media(user.avatar.name if user.avatar else "", "profile/avatar"),
        },
    )


def _posts(a: _Archive, user: User) -> None:
    items = []
    for p in Post.objects.filter(author_id=user.pk).defer("embedding").order_by("created_at", "id"):
        items.append({
            "id": p.pk, "created_at": _iso(p.created_at), "caption": p.caption, "prompt": p.prompt,
            "prompt_public": p.prompt_public, "visibility": p.visibility, "state": p.state, "state_reason": p.state_reason,
            "remix_of": p.remix_of_id, "duration_s": p.duration_s, "width": p.width, "height": p.height,
            "like_count": p.like_count, "comment_count": p.comment_count, "remix_count": p.remix_count,
            "view_count": p.view_count, "video": a.media(p.video, f"posts/{p.pk}"),
            "poster": a.media(p.poster, f"posts/{p.pk}-poster"),
        })
    a.json("posts.json", items)


def _generations(a: _Archive, user: User) -> None:
    items = []
    jobs = GenerationJob.objects.filter(user_id=user.pk).prefetch_related("cameos").order_by("created_at", "id")
    for j in jobs:
        unpublished = j.draft == GenerationJob.Draft.READY
        items.append({
            "id": j.pk, "kind": j.kind, "status": j.status, "prompt": j.prompt, "prompt_public": j.prompt_public,
            "duration_s": j.duration_s, "aspect": j.aspect, "seed": j.seed, "voices": j.voices, "language": j.language,
            "shots": j.shots, "cameos": [c.pk for c in j.cameos.all()], "remix_of": j.remix_of_id, "error": j.error,
            "created_at": _iso(j.created_at), "finished_at": _iso(j.finished_at), "draft": j.draft,
            "video": a.media(j.video, f"drafts/{j.pk}") if unpublished else None,
        })
    a.json("generations.json", items)


def _social(a: _Archive, user: User) -> None:
    a.json("comments.json", [
        {"id": c.pk, "post": c.post_id, "parent": c.parent_id, "text": c.text, "created_at": _iso(c.created_at)}
        for c in Comment.objects.filter(author_id=user.pk).order_by("created_at", "id")
    ])
    a.json("likes.json", [
        {"post": post_id, "created_at": _iso(at)}
        for post_id, at in Like.objects.filter(user_id=user.pk).order_by("created_at", "id").values_list("post_id", "created_at")
    ])
    following = Follow.objects.filter(follower_id=user.pk).select_related("followee").order_by("created_at", "id")
    followers = Follow.objects.filter(followee_id=user.pk).select_related("follower").order_by("created_at", "id")
    a.json("follows.json", [
        *({"direction": "following", "handle": f.followee.username, "created_at": _iso(f.created_at)} for f in following),
        *({"direction": "follower", "handle": f.follower.username, "created_at": _iso(f.created_at)} for f in followers),
    ])
    a.json("blocks.json", [
        {"handle": b.blocked.username, "created_at": _iso(b.created_at)}
        for b in Block.objects.filter(blocker_id=user.pk).select_related("blocked").order_by("created_at", "id")
    ])
    with in_language_of(user):
        a.json("notifications.json", [
            {"kind": n.kind, "text": notification_text(n), "actor": _handle(n.actor), "post": n.post_id,
             "read_at": _iso(n.read_at), "created_at": _iso(n.created_at)}
            for n in Notification.objects.filter(recipient_id=user.pk).select_related("actor").order_by("created_at", "id")
        ])


def _cameos(a: _Archive, user: User) -> None:
    items = []
    for c in Cameo.objects.filter(owner_id=user.pk).prefetch_related("references").order_by("created_at", "id"):
        folder = f"cameos/{c.pk}"
        items.append({
            "id": c.pk, "kind": c.kind, "name": c.name, "permission": c.permission, "restrictions": c.restrictions,
            "verification_state": c.verification_state, "verified_at": _iso(c.verified_at),
            "voice_kept_at": _iso(c.voice_kept_at), "voice_in_clips": c.voice_in_clips, "created_at": _iso(c.created_at),
            "approved": list(CameoApproval.objects.filter(cameo=c).values_list("user__username", flat=True)),
            "requests": [
                {"handle": handle, "state": state}
                for handle, state in CameoRequest.objects.filter(cameo=c).values_list("user__username", "state")
            ],
            "references": [a.media(r.file, f"{folder}/reference-{r.position + 1}-{r.kind}") for r in c.references.all()],
            "avatar": a.media(c.avatar, f"{folder}/avatar"),
            "voice": a.media(c.voice, f"{folder}/voice"),
            "voice_sample": a.media(c.voice_sample, f"{folder}/voice-sample"),
        })
    a.json("cameos.json", items)
    uses = CameoUse.objects.filter(Q(cameo__owner_id=user.pk) | Q(user_id=user.pk)).select_related("cameo", "user")
    a.json("cameo_uses.json", [
        {"direction": "of_my_cameo" if u.cameo.owner_id == user.pk else "by_me", "cameo": u.cameo_id,
         "cameo_name": u.cameo.name, "user": u.user.username, "job": u.job_id, "post": u.post_id, "basis": u.basis,
         "prompt": u.prompt, "created_at": _iso(u.created_at), "removed_at": _iso(u.removed_at),
         "removed_reason": u.removed_reason}
        for u in uses.order_by("created_at", "id")
    ])


def _moderation(a: _Archive, user: User) -> None:
    a.json("moderation.json", [
        *({"type": "decision", "id": m.pk, "action": m.action, "reason": m.reason, "post": m.post_id,
           "until": _iso(m.until), "reversed_at": _iso(m.reversed_at), "created_at": _iso(m.created_at)}
          for m in ModerationAction.objects.filter(target_id=user.pk).order_by("created_at", "id")),
        *({"type": "appeal", "decision": ap.action_id, "text": ap.text, "status": ap.status,
           "decision_reason": ap.decision_reason, "created_at": _iso(ap.created_at)}
          for ap in Appeal.objects.filter(author_id=user.pk).order_by("created_at", "id")),
        *({"type": "policy_refusal", "text": r.text, "rule": r.rule, "category": r.category,
           "created_at": _iso(r.created_at)}
          for r in PolicyRefusal.objects.filter(user_id=user.pk).order_by("created_at", "id")),
    ])


PARTS: list[Callable[[_Archive, User], None]] = [_profile, _posts, _generations, _social, _cameos, _moderation]


def build_archive(*, user: User, storage_name: str, progress: Progress | None = None) -> tuple[str, int, dict]:
    """Write the member's archive to storage; returns (the stored name, its size in bytes, items per file)."""
    with tempfile.TemporaryDirectory(prefix="riff-export-") as tmp:
        path = os.path.join(tmp, "archive.zip")
        archive = _Archive(path)
        try:
            archive.zip.writestr("README.txt", ARCHIVE_README.format(made=timezone.now().isoformat(), handle=user.username))
            for i, part in enumerate(PARTS):
                part(archive, user)
                if progress is not None:
                    progress((i + 1) / (len(PARTS) + 1))
        finally:
            archive.close()
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            stored = default_storage.save(storage_name, File(handle, name="archive.zip"))
    return stored, size, archive.counts

