"""Vectors made by a former sentence-embedding model are made again (``manage.py embeddings_refresh``, which
``make run`` runs): they cannot be compared with the current model's."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.management import call_command

from core.embeddings import DIM, MODEL_ID
from feed.models import FeedPreference, Post
from feed.services import feed_preference_set

pytestmark = pytest.mark.django_db


def test_old_vectors_are_embedded_again_and_current_ones_are_left(make_user, make_post):
    author, reader = make_user("ben"), make_user("ana")
    old = make_post(author, "a kitten playing with yarn")
    Post.objects.filter(pk=old.pk).update(embedding=np.ones(384, np.float32).tobytes(), embedding_model="")
    feed_preference_set(user=reader, text="plus de chats")
    FeedPreference.objects.filter(user=reader).update(more_vectors=np.ones(384, np.float32).tobytes(),
                                                      vectors_model="minilm")
    out = io.StringIO()
    call_command("embeddings_refresh", stdout=out)
    assert "1 posts and 1 steering texts" in out.getvalue()
    post = Post.objects.get(pk=old.pk)
    assert post.embedding_model == MODEL_ID and len(bytes(post.embedding)) == DIM * 4
    preference = FeedPreference.objects.get(user=reader)
    assert preference.vectors_model == MODEL_ID and len(bytes(preference.more_vectors)) == DIM * 4

    again = io.StringIO()
    call_command("embeddings_refresh", stdout=again)
    assert again.getvalue() == ""  # nothing left to do
