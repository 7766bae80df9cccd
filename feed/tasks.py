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
