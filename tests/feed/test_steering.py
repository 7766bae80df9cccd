"""Steering text: parsed at once in the web process, embedded later by the worker."""

from __future__ import annotations

import time

import pytest

from core.embeddings import DIM, MODEL_ID
from feed.models import FeedPreference, Post
from feed.steering import steering_parse, terms_matching
from feed.topics import TOPICS, topic_for_term


@pytest.mark.parametrize(
    "text, more, less",
    [
        ("more pets and cooking, less sports", ["pets", "cooking"], ["sports"]),
        ("less cats", [], ["cats"]),
        ("cats", ["cats"], []),
        ("no more cars please", [], ["cars"]),
        ("show me dogs but not horror movies", ["dogs"], ["horror movies"]),
        ("I love street food, I hate football & basketball", ["street food"], ["football", "basketball"]),
        ("more cats, less cats", [], ["cats"]),
        ("Tired of sports. More space/physics", ["space", "physics"], ["sports"]),
        ("", [], []),
        ("cats plus dogs", ["cats", "dogs"], []),
        # French
        ("plus de chats, moins de voitures", ["chats"], ["voitures"]),
        ("pas de foot et jamais de politique", [], ["foot", "politique"]),
        ("j'aime les chats et la cuisine, moins d'animaux", ["chats", "cuisine"], ["animaux"]),
        ("Montre-moi plus de danse, trop de voitures", ["danse"], ["voitures"]),
        ("Plus de chats et de chiens s'il vous plaît", ["chats", "chiens"], []),
    ],
)
def test_steering_text_becomes_terms(text, more, less):
    assert steering_parse(text) == (more, less)


def test_terms_match_words_with_plurals():
    assert terms_matching(terms=["cats", "street food", "puppies"], text="A cat eats street food with a puppy") == [0, 1, 2]
    assert terms_matching(terms=["street food"], text="a food truck in the street") == [0]
    assert terms_matching(terms=["cars"], text="a scary cartoon") == []
    assert terms_matching(terms=["chats", "voitures"], text="Deux chats jouent près d'une voiture") == [0, 1]
    assert TOPICS[topic_for_term("Cat")] == "cats" and topic_for_term("quantum chromodynamics") is None


def test_preference_api_stores_terms_at_once(make_user, client_for):
    user = make_user("ana")
    client = client_for(user)
    assert client.get("/api/feed/preferences").json() == {
        "text": "", "more_terms": [], "less_terms": [], "vectors_ready": False, "updated_at": None,
    }
    data = client.put("/api/feed/preferences", {"text": "More pets and cooking, less sports"}, format="json").json()
    assert data["more_terms"] == ["pets", "cooking"] and data["less_terms"] == ["sports"] and data["vectors_ready"] is False
    preference = FeedPreference.objects.get(user=user)
    assert TOPICS.index("pets") in preference.more_topics and TOPICS.index("cooking") in preference.more_topics
    assert client.put("/api/feed/preferences", {"text": ""}, format="json").json()["more_terms"] == []


def test_lexical_match_gives_a_reason_before_the_worker_runs(make_user, make_post, client_for):
    user, author = make_user("ana"), make_user("ben")
    make_post(author, "a robot cooking pancakes")
    make_post(author, "a quiet lake")
    client = client_for(user)
    client.put("/api/feed/preferences", {"text": "more cooking"}, format="json")
    first = client.get("/api/feed", {"tab": "for_you"}).json()["results"][0]
    assert first["prompt"] == "a robot cooking pancakes" and "matches: cooking" in first["reasons"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_embeds_published_posts_and_steering_text(make_user, start_worker, purge_queues):
    """Through a real Celery worker on the generation queue: the web process never loads the model."""
    from feed.services import feed_preference_set, post_create

    start_worker()
    user, author = make_user("ana"), make_user("ben")
    post = post_create(author=author, video="clips/x.mp4", prompt="a kitten playing with yarn")
    feed_preference_set(user=user, text="more cats, less cars")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        preference = FeedPreference.objects.get(user=user)
        post.refresh_from_db()
        if preference.vectors_at is not None and post.embedding is not None:
            break
        time.sleep(0.3)
    assert preference.vectors_at is not None and post.embedding is not None
    assert len(bytes(preference.more_vectors)) == DIM * 4 and len(bytes(preference.less_vectors)) == DIM * 4
    assert preference.vectors_model == MODEL_ID and Post.objects.get(pk=post.pk).embedding_model == MODEL_ID
    assert TOPICS[post.topic] in {"cats", "pets"}
    assert TOPICS.index("cats") in preference.more_topics
    assert Post.objects.get(pk=post.pk).topic2 is not None
