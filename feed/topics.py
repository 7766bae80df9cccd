"""A fixed vocabulary of topics: the labelled centroids of a small inverted-file index over post embeddings.

The worker embeds these labels once per process and files every post under its nearest label
(``Post.topic``); the web process then finds "posts similar to your taste" with an indexed query on the topics
of the posts you liked and the topics your steering text points to, instead of scanning every vector.

The list is append-only: a post's ``topic`` is an index into it.
"""

from __future__ import annotations

import re
import unicodedata

TOPICS: tuple[str, ...] = (
    "cats", "dogs", "pets", "birds", "wild animals", "fish and sea life", "horses", "insects",
    "cars", "racing", "motorbikes", "trains", "planes", "boats", "bicycles",
    "cooking", "food", "baking", "drinks", "kitchen",
    "sports", "football", "basketball", "tennis", "skateboarding", "surfing", "fitness",
    "beach", "ocean", "mountains", "forest", "snow", "rain", "desert", "flowers", "gardening",
    "city", "night", "sunset", "weather",
    "space", "planets", "physics", "science", "robots", "technology",
    "music", "dance", "comedy", "art", "fashion", "travel", "games", "fantasy", "horror", "history",
    "family", "kids", "toys", "fireworks",
)

_WORD = re.compile(r"[a-z0-9']+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def stem(word: str) -> str:
    """A light plural stemmer, enough to match "cats" with "cat" and "puppies" with "puppy"."""
    word = word.strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def word_stems(text: str) -> set[str]:
    return {stem(word) for word in _WORD.findall(normalise(text))}


def term_stems(term: str) -> list[str]:
    return [stem(word) for word in _WORD.findall(normalise(term))]


_TOPIC_BY_STEMS = {tuple(term_stems(label)): index for index, label in enumerate(TOPICS)}


def topic_for_term(term: str) -> int | None:
    """The topic a steering term names word for word ("cats" -> cats), if any."""
    return _TOPIC_BY_STEMS.get(tuple(term_stems(term)))
