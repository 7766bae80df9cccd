"""Posts: publishing (a remix records its chain and bumps its ancestors' counts), editing, deleting, taking down
and restoring. Counters move in the same transaction as the rows they count, with single UPDATE statements (F
expressions), so concurrent writes never lose or double a count; events go out after commit."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Follow, Notification
from accounts.services import notification_create
from core.errors import Forbidden, Invalid, NotFound
from core.events import post_group, send_on_commit, send_to_users
from core.tasks import enqueue_on_commit

from ..for_you.formula import counters_update, hot_score
from ..models import Post, PostTag, Tag
from ..selectors import ancestor_ids, post_visible_to
from ..tags import hashtags
from ..tasks import embed_post

MAX_CAPTION = 500


def send_counts(post_id: int) -> None:
    """Read the counters as they are now (inside the writing transaction) and send them after commit."""
    counts = Post.objects.filter(pk=post_id).values("like_count", "comment_count", "remix_count", "view_count").first()
    if counts is not None:
        send_on_commit(post_group(post_id), {"type": "post.counts", "post": post_id, **counts})


def post_create(
    *,
    author,
    video: str,
    poster: str = "",
    caption: str = "",
    prompt: str = "",
    prompt_public: bool = True,
    remix_of: Post | None = None,
    visibility: str = Post.Visibility.PUBLIC,
    duration_s: float = 0.0,
    width: int = 0,
    height: int = 0,
    job=None,
) -> Post:
    """Publish a clip. A remix records its chain, bumps its parent's remix count and every ancestor's descendant
    count, and notifies the parent's author; followers get ``feed.new_posts``; the worker embeds the text."""
    if visibility not in Post.Visibility.values:
        raise Invalid(
            _("The visibility must be one of {values}.").format(values=', '.join(Post.Visibility.values)),
            code="visibility_invalid",
        )
    if len(caption) > MAX_CAPTION:
        raise Invalid(
            _("The caption is too long (at most {most} characters).").format(most=MAX_CAPTION),
            code="caption_too_long",
        )
    now = timezone.now()
    with transaction.atomic():
        post = Post.objects.create(
            author=author,
            job=job,
            video=video,
            poster=poster,
            caption=caption,
            prompt=prompt,
            prompt_public=prompt_public,
            remix_of=remix_of,
            root_id=(remix_of.root_id or remix_of.pk) if remix_of is not None else None,
            depth=(remix_of.depth + 1) if remix_of is not None else 0,
            ancestors=[*ancestor_ids(remix_of), remix_of.pk] if remix_of is not None else [],
            visibility=visibility,
            duration_s=duration_s,
            width=width,
            height=height,
            hot_score=hot_score(created_at=now),
            search_text=search_text(caption=caption, prompt=prompt, prompt_public=prompt_public),
        )
        if remix_of is not None:
            Post.objects.filter(pk=remix_of.pk).update(**counters_update(created_at=remix_of.created_at, remix=1))
            Post.objects.filter(pk__in=post.ancestors).update(descendant_count=F("descendant_count") + 1)
            send_counts(remix_of.pk)
            notification_create(
                recipient=remix_of.author,
                actor=author,
                kind=Notification.Kind.REMIX,
                post=post,
                message=gettext_noop("@{actor} remixed your clip."),
                params={"actor": author.username},
                data={"parent": remix_of.pk},
            )
        post_tags_set(post=post)
        if visibility != Post.Visibility.PRIVATE:
            followers = Follow.objects.filter(followee_id=author.pk).values_list("follower_id", flat=True)
            send_to_users(followers, {"type": "feed.new_posts", "post": post.pk, "author": author.username})
        enqueue_on_commit(embed_post, post.pk)
    return post


def search_text(*, caption: str, prompt: str, prompt_public: bool) -> str:
    """What search finds a post by: its caption and its prompt when the prompt is public."""
    return f"{caption}\n{prompt}" if prompt_public and prompt else caption


def post_tags_set(*, post: Post) -> list[str]:
    """Tag the post with the hashtags of its caption and (when public) its prompt; untag the ones it lost."""
    names = hashtags(post.caption, post.prompt if post.prompt_public else "")
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    PostTag.objects.filter(post_id=post.pk).exclude(tag__name__in=names).delete()
    PostTag.objects.bulk_create(
        [PostTag(post_id=post.pk, tag=existing[name], created_at=post.created_at) for name in names],
        ignore_conflicts=True,
    )
    return names


def check_visible(*, post: Post, user) -> None:
    if not post_visible_to(post_id=post.pk, user=user):
        raise NotFound(_("There is no such post."), code="not_found")


def post_update(*, user, post: Post, caption: str) -> Post:
    """The author edits the caption; the worker embeds the new text."""
    if post.author_id != user.pk:
        raise Forbidden(_("Only the author can edit this clip."), code="not_author")
    caption = caption.strip()
    if len(caption) > MAX_CAPTION:
        raise Invalid(
            _("The caption is too long (at most {most} characters).").format(most=MAX_CAPTION),
            code="caption_too_long",
        )
    with transaction.atomic():
        updated = Post.objects.filter(pk=post.pk, state=Post.State.PUBLISHED).update(
            caption=caption, search_text=search_text(caption=caption, prompt=post.prompt, prompt_public=post.prompt_public)
        )
        if not updated:
            raise NotFound(_("There is no such post."), code="not_found")
        post.caption = caption
        post_tags_set(post=post)
        enqueue_on_commit(embed_post, post.pk)
    return post


def _post_remove(*, post: Post, state: str, reason: str) -> bool:
    """published -> deleted | taken_down, once. The parent's remix count and the ancestors' descendant counts
    stop counting it; its own remixes stay (their lineage shows it as unavailable)."""
    with transaction.atomic():
        changed = Post.objects.filter(pk=post.pk, state=Post.State.PUBLISHED).update(state=state, state_reason=reason[:300])
        if not changed:
            return False
        if post.remix_of_id is not None:
            parent_created = Post.objects.filter(pk=post.remix_of_id).values_list("created_at", flat=True).first()
            if parent_created is not None:
                Post.objects.filter(pk=post.remix_of_id, remix_count__gt=0).update(
                    **counters_update(created_at=parent_created, remix=-1)
                )
                send_counts(post.remix_of_id)
            Post.objects.filter(pk__in=post.ancestors, descendant_count__gt=0).update(descendant_count=F("descendant_count") - 1)
    post.state = state
    return True


def post_delete(*, user, post: Post) -> None:
    if post.author_id != user.pk:
        raise Forbidden(_("Only the author can delete this clip."), code="not_author")
    if not _post_remove(post=post, state=Post.State.DELETED, reason="deleted by its author"):
        raise NotFound(_("There is no such post."), code="not_found")


def post_take_down(*, post: Post, reason: str, data: dict | None = None) -> bool:
    """Hide a post everywhere (a moderator's decision, or a cameo owner removing a use of their likeness)."""
    taken = _post_remove(post=post, state=Post.State.TAKEN_DOWN, reason=reason)
    if taken:
        notification_create(
            recipient=post.author,
            kind=Notification.Kind.MODERATION,
            post=post,
            message=gettext_noop("Your clip was taken down: {reason}"),
            params={"reason": reason},
            data=data or {},
        )
    return taken


def post_restore(*, post: Post, from_state: str = Post.State.TAKEN_DOWN) -> bool:
    """taken_down -> published (an appeal was granted), or withdrawn -> published (the author cancelled the
    deletion of their account): the counts the removal took are given back."""
    with transaction.atomic():
        changed = Post.objects.filter(pk=post.pk, state=from_state).update(
            state=Post.State.PUBLISHED, state_reason=""
        )
        if not changed:
            return False
        if post.remix_of_id is not None:
            parent_created = Post.objects.filter(pk=post.remix_of_id).values_list("created_at", flat=True).first()
            if parent_created is not None:
                Post.objects.filter(pk=post.remix_of_id).update(
                    **counters_update(created_at=parent_created, remix=1)
                )
                send_counts(post.remix_of_id)
            Post.objects.filter(pk__in=post.ancestors).update(descendant_count=F("descendant_count") + 1)
    post.state = Post.State.PUBLISHED
    return True


def posts_withdraw_for_author(*, user) -> int:
    """The author's account is closing: every published post of theirs is hidden everywhere at once (counted
    out of its parent's remixes, as a deletion is). Returns how many."""
    withdrawn = 0
    for post in Post.objects.filter(author_id=user.pk, state=Post.State.PUBLISHED).only("pk", "remix_of_id", "ancestors"):
        withdrawn += _post_remove(post=post, state=Post.State.WITHDRAWN, reason="account closing")
    return withdrawn


def posts_return_for_author(*, user) -> int:
    """The author cancelled the deletion of their account in its grace period: their posts come back."""
    returned = 0
    for post in Post.objects.filter(author_id=user.pk, state=Post.State.WITHDRAWN).only("pk", "remix_of_id", "ancestors"):
        returned += post_restore(post=post, from_state=Post.State.WITHDRAWN)
    return returned
