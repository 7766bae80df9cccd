"""Search: posts by their caption, public prompt and tags; people by handle and display name; tags by name.

Posts are found by the database's own full-text search, behind one selector (``search_posts``): SQLite's FTS5
table ``feed_post_fts`` (kept by triggers, ranked by bm25, diacritics folded: "ete" finds "été") on the embedded
stack, PostgreSQL's ``to_tsvector('riff_search', …)`` (words as they are, accents folded) with a GIN index (ranked by ``ts_rank``) in production. Every
word must match, as a prefix of a word in the text ("plag" finds "plage"). Results are the posts the viewer may
see, exactly as the feed shows them (visibility, blocks, take-downs), most relevant first.

A query is reduced to its words (letters and digits, any script) before it reaches the database, so nothing a
person types is ever read as query syntax.
"""

from __future__ import annotations

import re

import numpy as np
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Count, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce

from accounts.selectors import blocked_user_ids, user_with_counts
from core.embeddings import DIM

from .for_you.formula import mean_direction, vectors
from .models import Post, PostTag, Tag
from .selectors import posts_for_display
from .tags import normalize

MAX_QUERY = 200  # characters
PG_CONFIG = "riff_search"  # feed/migrations/0010_search.py: every word kept as it is, accents folded
MAX_WORDS = 8
_WORD = re.compile(r"\w+")


def query_words(q: str) -> list[str]:
    """The words of a query, case-folded, each at most 50 characters, at most MAX_WORDS."""
    return [w[:50] for w in _WORD.findall((q or "").casefold())][:MAX_WORDS]


def _sqlite_match(words: list[str]) -> str:
    # Each word quoted (FTS5 string syntax: a doubled quote inside) and used as a prefix; words side by side: AND.
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


def search_posts(*, q: str, viewer) -> QuerySet[Post]:
    """Posts matching every word of ``q`` that ``viewer`` may see, annotated with ``rank`` (higher: better)."""
    words = query_words(q)
    qs = posts_for_display(viewer=viewer)
    if not words:
        return qs.annotate(rank=Value(0.0, output_field=FloatField())).none()
    if connection.vendor == "postgresql":
        vector = SearchVector("search_text", config=PG_CONFIG)
        query = SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config=PG_CONFIG)
        # ts_rank is a float4: as float8 the cursor's value compares equal to the row's again on the next page.
        return qs.annotate(search=vector).filter(search=query).annotate(rank=Cast(SearchRank(vector, query), FloatField()))
    match = _sqlite_match(words)
    matching = RawSQL("SELECT rowid FROM feed_post_fts WHERE feed_post_fts MATCH %s", [match])
    rank = RawSQL(
        "SELECT -bm25(feed_post_fts) FROM feed_post_fts WHERE feed_post_fts MATCH %s AND rowid = feed_post.id",
        [match], output_field=FloatField(),
    )
    return qs.filter(pk__in=matching).annotate(rank=rank)


def search_people(*, q: str, viewer) -> QuerySet:
    """Active members whose handle or display name contains the query's words (a handle that starts with the
    first word first), never someone the viewer blocked or who blocked them; annotated with ``score``."""
    words = query_words(q.lstrip("@"))
    qs = user_with_counts()
    if not words:
        return qs.annotate(score=Value(0.0, output_field=FloatField())).none()
    for word in words:
        qs = qs.filter(Q(username__icontains=word) | Q(display_name__icontains=word))
    if viewer is not None and viewer.is_authenticated:
        blocked = blocked_user_ids(user_id=viewer.pk)
        if blocked:
            qs = qs.exclude(pk__in=blocked)
    # follower_count, plus a large bonus for a handle that starts with the first word.
    starts = Q(username__istartswith=words[0])
    return qs.annotate(
        score=Case(When(starts, then=F("follower_count") + Value(1_000_000)), default=F("follower_count"),
                   output_field=FloatField())
    )


def search_tags(*, q: str) -> QuerySet[Tag]:
    """Tags whose name starts with the query (``#`` optional), with their count of posts, the most used first."""
    first = q.strip().lstrip("#").split()
    name = normalize(first[0]) if first else None
    if name is None:
        return Tag.objects.annotate(post_count=Value(0.0, output_field=FloatField())).none()
    counted = PostTag.objects.filter(
        tag=OuterRef("pk"), post__state=Post.State.PUBLISHED, post__visibility=Post.Visibility.PUBLIC
    ).order_by().values("tag").annotate(n=Count("pk")).values("n")
    return Tag.objects.filter(name__startswith=name).annotate(
        post_count=Coalesce(Subquery(counted, output_field=FloatField()), 0.0)
    )


# --- related: when no post has every word ------------------------------------------------------------------------

RELATED = 12
RELATED_SEEDS = 5
RELATED_CANDIDATES = 400


def _any_word(words: list[str], viewer) -> QuerySet[Post]:
    """Posts with at least one of the words, best first (the seeds of ``related_posts``)."""
    qs = posts_for_display(viewer=viewer)
    if connection.vendor == "postgresql":
        vector = SearchVector("search_text", config=PG_CONFIG)
        query = SearchQuery(" | ".join(f"{w}:*" for w in words), search_type="raw", config=PG_CONFIG)
        return qs.annotate(search=vector).filter(search=query).annotate(rank=SearchRank(vector, query)).order_by("-rank")
    match = " OR ".join('"' + w.replace('"', '""') + '"*' for w in words)
    matching = RawSQL("SELECT rowid FROM feed_post_fts WHERE feed_post_fts MATCH %s ORDER BY rank LIMIT 200", [match])
    return qs.filter(pk__in=matching)


def related_posts(*, q: str, viewer, limit: int = RELATED) -> list[Post]:
    """When no post has every word of ``q``: the posts nearest in meaning (their multilingual sentence embeddings)
    to the posts that have some of the words, so "red ball at the plage" still finds the beach clips, in any
    language they were captioned in. Only posts the viewer may see; nothing when no word matches at all. A fixed
    number of queries."""
    words = query_words(q)
    if len(words) < 2:
        return []
    seeds = list(_any_word(words, viewer).values_list("pk", "embedding", "topic", "topic2")[:RELATED_SEEDS])
    matrix, present = vectors([s[1] for s in seeds], DIM)
    centre = mean_direction(matrix[present])
    if centre is None:
        return []
    topics = {t for s in seeds for t in (s[2], s[3]) if t is not None}
    pool = posts_for_display(viewer=viewer).exclude(embedding=None)
    if topics:
        pool = pool.filter(Q(topic__in=topics) | Q(topic2__in=topics))
    candidates = list(pool.order_by("-hot_score").values_list("pk", "embedding")[:RELATED_CANDIDATES])
    if not candidates:
        return []
    found, ok = vectors([c[1] for c in candidates], DIM)
    scores = np.where(ok, found @ centre, -1.0)
    best = [candidates[i][0] for i in np.argsort(-scores)[:limit] if ok[i]]
    posts = {p.pk: p for p in posts_for_display(viewer=viewer).filter(pk__in=best)}
    return [posts[pk] for pk in best if pk in posts]
