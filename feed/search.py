"""Search: posts by their caption, public prompt and tags; people by handle and display name; tags by name.

Posts are found by the database's own full-text search, behind one selector (``search_posts``): SQLite's FTS5
table ``feed_post_fts`` (kept by triggers, ranked by bm25, diacritics folded: "ete" finds "été") on the embedded
stack; in production PostgreSQL's ``to_tsvector('riff_search', …)`` (words as they are, accents folded) in a
stored column with a GIN index, ranked by ``ts_rank``. Every word must match, as a prefix of a word in the text
("plag" finds "plage"). Results are the posts the viewer may see, exactly as the feed shows them (visibility,
blocks, take-downs), most relevant first.

A query is reduced to its words (letters and digits, any script) before it reaches the database, so nothing a
person types is ever read as query syntax.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Count, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from core.embeddings import DIM
from core.pagination import decode_cursor_as, encode_cursor

from .for_you.formula import mean_direction, vectors
from .for_you.page import for_you_page_posts
from .models import Post, PostTag, Tag
from .selectors import posts_for_display, posts_visible_to
from .tags import normalize

MAX_QUERY = 200  # characters
RANKED_CACHE_S = 20.0
RANKED_CACHE_SIZE = 500
MAX_BATCHES = 4  # batches of ranked matches read for one page when the viewer may see few of them
PG_CONFIG = "riff_search"  # feed/migrations/0010_search.py: every word kept as it is, accents folded
MAX_WORDS = 8
_WORD = re.compile(r"\w+")


def query_words(q: str) -> list[str]:
    """The words of a query, case-folded, each at most 50 characters, at most MAX_WORDS."""
    return [w[:50] for w in _WORD.findall((q or "").casefold())][:MAX_WORDS]


def _sqlite_match(words: list[str], joiner: str = " ") -> str:
    # Each word quoted (FTS5 string syntax: a doubled quote inside) and used as a prefix; side by side: AND.
    return joiner.join('"' + w.replace('"', '""') + '"*' for w in words)


_FIRST_BATCHES: OrderedDict = OrderedDict()  # (words, any_word, limit) -> (read at, ranked), least recent first


def _ranked_matches(words: list[str], *, any_word: bool = False, after: tuple[float, int] | None = None,
                    limit: int) -> list[tuple[int, float]]:
    """(post id, relevance) of the best ``limit`` posts with every word (or any, with ``any_word``) that come after
    ``after`` (relevance, id) in the order best first: one query on the full-text index (every post, whoever may
    see it; the caller filters). The first batch of a query is kept in the process for RANKED_CACHE_S (many people
    search the same words; what they may see is still read for each of them, so a post taken down or deleted
    meanwhile never shows, and a new one shows within that time)."""
    if after is None:
        key = (tuple(words), any_word, limit)
        kept = _FIRST_BATCHES.get(key)
        now = time.monotonic()
        if kept is not None and now - kept[0] < RANKED_CACHE_S:
            _FIRST_BATCHES.move_to_end(key)
            return kept[1]
        ranked = _ranked_matches_read(words, any_word=any_word, after=None, limit=limit)
        _FIRST_BATCHES[key] = (now, ranked)
        _FIRST_BATCHES.move_to_end(key)
        while len(_FIRST_BATCHES) > RANKED_CACHE_SIZE:
            _FIRST_BATCHES.popitem(last=False)
        return ranked
    return _ranked_matches_read(words, any_word=any_word, after=after, limit=limit)


def _ranked_matches_read(words: list[str], *, any_word: bool, after: tuple[float, int] | None,
                         limit: int) -> list[tuple[int, float]]:
    if connection.vendor == "postgresql":
        # The stored tsvector column and its GIN index (feed/migrations/0010_search.py); the words are letters,
        # digits and underscores only, so the tsquery text holds no syntax but its own "&", "|" and ":*".
        text = (" | " if any_word else " & ").join(f"{w}:*" for w in words)
        query = f"to_tsquery('{PG_CONFIG}'::regconfig, %s)"
        sql = f"SELECT id, ts_rank(search_vector, {query})::float8 AS r FROM feed_post WHERE search_vector @@ {query}"
        params: list = [text, text]
        if after is not None:
            sql = f"SELECT id, r FROM ({sql}) AS matched WHERE r < %s OR (r = %s AND id < %s)"
            params += [after[0], after[0], after[1]]
        with connection.cursor() as cursor:
            cursor.execute(sql + " ORDER BY r DESC, id DESC LIMIT %s", [*params, limit])
            return [(int(pk), float(score)) for pk, score in cursor.fetchall()]
    sql = "SELECT rowid, -rank FROM feed_post_fts WHERE feed_post_fts MATCH %s"
    params = [_sqlite_match(words, " OR " if any_word else " ")]
    if after is not None:  # FTS5's rank is bm25, lower is better; relevance is its negative
        sql = "SELECT rowid, r FROM (SELECT rowid, -rank AS r FROM feed_post_fts WHERE feed_post_fts MATCH %s) WHERE r < %s OR (r = %s AND rowid < %s)"
        params += [after[0], after[0], after[1]]
        sql += " ORDER BY r DESC, rowid DESC LIMIT %s"
    else:
        sql += " ORDER BY rank, rowid DESC LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


@dataclass
class PostPage:
    posts: list[Post]
    next: str | None


def search_posts(*, q: str, viewer, cursor: str | None = None, size: int = 20) -> PostPage:
    """A page of the posts matching every word of ``q`` that ``viewer`` may see, most relevant first. The ranked
    matches are read from the full-text index a batch at a time (a page and a few more: most posts are public),
    and the batch's posts with the feed's own page read (feed.for_you.page.for_you_page_posts: the visibility
    rule, blocks included, and what the representation needs, in one statement): two queries for a page, two
    more for each further batch when the viewer may not see most of one."""
    after = decode_cursor_as(cursor, lambda v: isinstance(v, list) and len(v) == 2 and _number(v[0]) and _integer(v[1]))
    words = query_words(q)
    if not words:
        return PostPage([], None)
    batch = size + 10
    found: list[tuple[object, float]] = []
    position = tuple(after) if after is not None else None
    exhausted = False
    for _ in range(MAX_BATCHES):
        ranked = _ranked_matches(words, after=position, limit=batch)
        exhausted = len(ranked) < batch
        if ranked:
            shown = for_you_page_posts(viewer=_Viewer(viewer), post_ids=[pk for pk, _ in ranked])
            found += [(shown[pk], score) for pk, score in ranked if pk in shown]
            position = (ranked[-1][1], ranked[-1][0])
        if len(found) > size or exhausted:
            break
    page = found[:size]
    more = len(found) > size or (not exhausted and len(page) == size)
    next_cursor = encode_cursor([page[-1][1], page[-1][0].pk]) if more and page else None
    return PostPage([post for post, _ in page], next_cursor)


class _Viewer:
    """The viewer as the page read needs it: an id (None for someone not signed in: public posts only)."""

    def __init__(self, user):
        self.pk = user.pk if user is not None and user.is_authenticated else None


@dataclass
class PeoplePage:
    people: list
    next: str | None


def search_people(*, q: str, viewer, cursor: str | None = None, size: int = 20) -> PeoplePage:
    """Active members whose handle or display name contains every word of the query, handles that start with the
    first word first, then by handle; never someone the viewer blocked or who blocked them. One statement: the
    page's members, ordered on their own columns, and the follower counts of those members only (on PostgreSQL the
    word matches can read the trigram indexes of accounts/migrations/0009_people_search.py)."""
    after = decode_cursor_as(cursor, lambda v: isinstance(v, list) and len(v) == 2 and v[0] in (0, 1)
                             and isinstance(v[1], str))
    words = query_words(q.lstrip("@"))
    if not words:
        return PeoplePage([], None)
    if connection.vendor == "postgresql":  # the expressions of the trigram indexes
        handle, name, like = "UPPER(u.username::text)", "UPPER(u.display_name::text)", "LIKE UPPER(%s)"
    else:  # SQLite's LIKE ignores the case of ASCII letters; other letters match as typed (case-folded)
        handle, name, like = "u.username", "u.display_name", "LIKE %s"
    where, params = ["u.is_active"], []
    for word in words:
        pattern = "%" + _like_escaped(word) + "%"
        where.append(f"({handle} {like} ESCAPE '\\' OR {name} {like} ESCAPE '\\')")
        params += [pattern, pattern]
    viewer_pk = viewer.pk if viewer is not None and viewer.is_authenticated else None
    if viewer_pk is not None:
        where.append("NOT EXISTS (SELECT 1 FROM accounts_block b WHERE (b.blocker_id = %s AND b.blocked_id = u.id)"
                     " OR (b.blocked_id = %s AND b.blocker_id = u.id))")
        params += [viewer_pk, viewer_pk]
    starts = f"CASE WHEN {handle} {like} ESCAPE '\\' THEN 1 ELSE 0 END"
    starts_params = [_like_escaped(words[0]) + "%"]
    if after is not None:
        where.append(f"({starts} < %s OR ({starts} = %s AND u.username > %s))")
        params += [*starts_params, after[0], *starts_params, after[0], after[1]]
    sql = (
        "SELECT m.id, m.username, m.display_name, m.avatar, m.starts, "
        "(SELECT COUNT(*) FROM accounts_follow f WHERE f.followee_id = m.id) "
        f"FROM (SELECT u.id, u.username, u.display_name, u.avatar, {starts} AS starts FROM accounts_user u "
        f"WHERE {' AND '.join(where)} ORDER BY starts DESC, u.username LIMIT %s) m ORDER BY m.starts DESC, m.username"
    )
    with connection.cursor() as db:
        db.execute(sql, [*starts_params, *params, size + 1])
        rows = db.fetchall()
    found = []
    for pk, username, display_name, avatar, starts_value, followers in rows:
        person = User(pk=pk, username=username, display_name=display_name, avatar=avatar)
        person.starts, person.follower_count = int(starts_value), int(followers)
        found.append(person)
    page, more = found[:size], len(found) > size
    return PeoplePage(page, encode_cursor([page[-1].starts, page[-1].username]) if more else None)


def _like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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


def related_posts(*, q: str, viewer, limit: int = RELATED) -> list[Post]:
    """When no post has every word of ``q``: the posts nearest in meaning (their multilingual sentence embeddings)
    to the posts that have some of the words, so "red ball at the plage" still finds the beach clips, in any
    language they were captioned in. Only posts the viewer may see; nothing when no word matches at all. A fixed
    number of queries."""
    words = query_words(q)
    if len(words) < 2:
        return []
    matches = [pk for pk, _ in _ranked_matches(words, any_word=True, limit=200)]  # one query
    seen = posts_visible_to(user=viewer).filter(pk__in=matches).values_list("pk", "embedding", "topic", "topic2")
    by_id = {row[0]: row for row in seen}
    seeds = [by_id[pk] for pk in matches if pk in by_id][:RELATED_SEEDS]
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
