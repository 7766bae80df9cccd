"""The feed's embeddings, computed in the worker only (core.embeddings): each post's prompt and caption, filed
under its nearest topics, and each steering term. The web process does numpy arithmetic on the stored vectors and
never loads the model."""

from __future__ import annotations

import threading

import numpy as np
from django.utils import timezone

from core.embeddings import MODEL_ID, embed_texts, to_bytes

from .models import FeedPreference, Post
from .services import feed_signals_changed
from .topics import TOPICS, topic_for_term

_topic_matrix = None
_lock = threading.Lock()
TOPIC_MATCH = 0.5  # a wanted term also points to every topic at least this close (besides its nearest one)
TOPICS_PER_TERM = 4


def topic_matrix() -> np.ndarray:
    """The embeddings of feed.topics.TOPICS (one row per topic), computed once per worker process."""
    global _topic_matrix
    if _topic_matrix is None:
        matrix = embed_texts(list(TOPICS))
        with _lock:
            _topic_matrix = matrix
    return _topic_matrix


def post_text(post) -> str:
    return " ".join(part for part in (post.prompt if post.prompt_public else "", post.caption) if part).strip()


def posts_embed(*, post_ids: list[int]) -> int:
    """Embed the prompt and caption of these posts and file each under its two nearest topics. Returns how many."""
    posts = list(Post.objects.filter(pk__in=post_ids).only("id", "prompt", "prompt_public", "caption"))
    if not posts:
        return 0
    vectors = embed_texts([post_text(post) or post.prompt for post in posts])
    nearest = np.argsort(-(vectors @ topic_matrix().T), axis=1)[:, :2]
    for post, vector, (first, second) in zip(posts, vectors, nearest):
        Post.objects.filter(pk=post.pk).update(embedding=to_bytes(vector), embedding_model=MODEL_ID, topic=int(first),
                                               topic2=int(second))
    return len(posts)


def post_embed(*, post_id: int) -> None:
    posts_embed(post_ids=[post_id])


def feed_preference_embed(*, user_id: int) -> bool:
    """Turn a user's steering terms into directions: one embedding per term, and the topics the wanted terms
    point to. Stored only if the text is still the one that was embedded. Returns whether it was stored."""
    preference = FeedPreference.objects.filter(user_id=user_id).first()
    if preference is None:
        return False
    more, less = list(preference.more_terms), list(preference.less_terms)
    more_vectors = embed_texts(more) if more else None
    less_vectors = embed_texts(less) if less else None
    topics = [t for t in (topic_for_term(term) for term in more) if t is not None]
    if more_vectors is not None:
        similarity = more_vectors @ topic_matrix().T
        for row in similarity:
            ranked = np.argsort(-row)[:TOPICS_PER_TERM]
            topics += [int(t) for i, t in enumerate(ranked) if i == 0 or row[t] >= TOPIC_MATCH]
    stored = FeedPreference.objects.filter(pk=preference.pk, text=preference.text).update(
        more_vectors=to_bytes(more_vectors) if more_vectors is not None else None,
        less_vectors=to_bytes(less_vectors) if less_vectors is not None else None,
        more_topics=list(dict.fromkeys(topics)),
        vectors_at=timezone.now(),
        vectors_model=MODEL_ID,
    )
    if stored:
        feed_signals_changed(user_ids=[user_id])
    return bool(stored)


def embeddings_refresh(*, batch: int = 200) -> tuple[int, int]:
    """Embed again every post and steering text whose vectors another model made (or that has none): after the
    model changes, old vectors are not comparable with new ones. Returns (posts, preferences) done."""
    from django.db.models import Q

    stale = Post.objects.filter(~Q(embedding_model=MODEL_ID)).values_list("pk", flat=True).order_by("pk")
    posts = 0
    while ids := list(stale[:batch]):
        done = posts_embed(post_ids=ids)
        if not done:  # gone meanwhile
            break
        posts += done
    preferences = 0
    for user_id in FeedPreference.objects.filter(~Q(vectors_model=MODEL_ID)).exclude(text="").values_list(
            "user_id", flat=True):
        preferences += feed_preference_embed(user_id=user_id)
    return posts, preferences
