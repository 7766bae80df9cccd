from __future__ import annotations

from config.events import send_to_user

from .models import Notification


def notification_create(*, recipient, kind: str, actor=None, post=None, text: str = "", data: dict | None = None) -> Notification | None:
    """Record a notification and push it to the recipient's sockets after commit. Nobody is notified of their own acts."""
    if actor is not None and actor.pk == recipient.pk:
        return None
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, kind=kind, post=post, text=text, data=data or {}
    )
    send_to_user(
        recipient.pk,
        {
            "type": "notification",
            "id": notification.pk,
            "kind": kind,
            "text": text,
            "actor": actor.username if actor is not None else None,
            "post": post.pk if post is not None else None,
        },
    )
    return notification


def post_create_from_job(*, job, caption: str = "", visibility: str = "public"):
    """Publish a finished job's draft as a post (called inside the publishing transaction)."""
    from django.db.models import F

    from accounts.models import Follow
    from cameos.services import cameo_uses_attach_post
    from config.events import send_to_users

    from .models import Post

    if visibility not in Post.Visibility.values:
        from config.api import ApiError

        raise ApiError(f"The visibility must be one of {', '.join(Post.Visibility.values)}.", code="visibility_invalid")
    parent = job.remix_of
    meta = job.backend_meta or {}
    post = Post.objects.create(
        author_id=job.user_id,
        job=job,
        video=job.video,
        poster=job.poster,
        caption=caption,
        prompt=job.prompt,
        prompt_public=job.prompt_public,
        remix_of=parent,
        root=(parent.root or parent) if parent else None,
        depth=(parent.depth + 1) if parent else 0,
        visibility=visibility,
        duration_s=meta.get("duration_s", job.duration_s),
        width=meta.get("width", 0),
        height=meta.get("height", 0),
    )
    cameo_uses_attach_post(job=job, post=post)
    if parent is not None:
        Post.objects.filter(pk=parent.pk).update(remix_count=F("remix_count") + 1)
        notification_create(
            recipient=parent.author,
            actor=job.user,
            kind=Notification.Kind.REMIX,
            post=post,
            text=f"@{job.user.username} remixed your clip.",
        )
    if visibility != Post.Visibility.PRIVATE:
        followers = Follow.objects.filter(followee_id=job.user_id).values_list("follower_id", flat=True)
        send_to_users(followers, {"type": "feed.new_posts", "post": post.pk, "author": job.user.username})
    from django.db import transaction

    from .tasks import embed_post

    transaction.on_commit(lambda: _enqueue_embedding(embed_post, post.pk))
    return post


def _enqueue_embedding(task, post_id: int) -> None:
    try:
        task.apply_async(args=[post_id], queue="generation")
    except Exception:
        import logging

        logging.getLogger(__name__).warning("could not queue the embedding of post %s", post_id, exc_info=True)


def like_create(*, user, post) -> bool:
    """Like a post (liking twice is a no-op). The counter moves in the same transaction as the row."""
    from django.db import IntegrityError, transaction
    from django.db.models import F

    from .models import Like, Post

    try:
        with transaction.atomic():
            Like.objects.create(user=user, post=post)
            Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)
    except IntegrityError:
        return False
    notification_create(recipient=post.author, actor=user, kind=Notification.Kind.LIKE, post=post, text=f"@{user.username} liked your clip.")
    return True
