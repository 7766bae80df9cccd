from celery import shared_task


@shared_task(name="feed.tasks.embed_post", ignore_result=True)
def embed_post(post_id: int) -> None:
    """Compute the sentence embedding of a post's prompt and caption (worker only: loads the model)."""
    from .embeddings import post_embed

    post_embed(post_id=post_id)


@shared_task(name="feed.tasks.embed_preference", ignore_result=True)
def embed_preference(user_id: int) -> None:
    """Embed a user's steering terms (worker only: loads the model)."""
    from .embeddings import feed_preference_embed

    feed_preference_embed(user_id=user_id)


@shared_task(name="feed.tasks.seed_demo_continue", ignore_result=True)
def seed_demo_continue(round: int = 0) -> None:
    """Queue the demo remixes when their parents are published; check again later until everything is there."""
    from . import demo

    if not demo.seed_remixes_and_likes() and round < 60:
        seed_demo_continue.apply_async(kwargs={"round": round + 1}, countdown=15)
