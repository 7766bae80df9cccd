"""The For-you formula, in one place, with its weights in ``settings.FEED_WEIGHTS``.

For a candidate post p seen by user u at the snapshot time t::

    score(p) = follow            · [u follows p's author]
             + trending          · D / (D + trending_midpoint)
             + taste             · sim(p, taste(u))
             + remix_of_engaged  · [p remixes a clip u liked or watched to the end, or the original it descends from]
             + cameo_of_followed · [p features a cameo owned by someone u follows]
             + steer_more        · max over u's "more" terms of match(p, term)
             − steer_less        · max over u's "less" terms of match(p, term)
             + fresh             · 2^(−age / fresh_half_life_h)
             − watched           · [u already watched or liked p]
             − completed         · [u watched p to the end]

- D is the engagement with time decay: E · e^(−age / trending_tau_h), where E = engagement_like · likes +
  engagement_comment · comments + engagement_remix · remixes + engagement_view · views. Posts also store
  ``hot_score = ln(1 + E) + publish time / tau``, which orders posts exactly like (1 + E) · e^(−age/tau) at any
  moment and only changes when E does, so the trending candidates come from an index.
- taste(u) is the normalised mean embedding of the posts u liked or watched to the end (the latest
  ``taste_history``); sim is the cosine rescaled as clip((cos − taste_floor) / taste_span, 0, 1).
- match(p, term) is the cosine between p and the term's embedding rescaled with steer_floor / steer_span once the
  worker has embedded the terms; before that, 1 when every word of the term appears in p's public prompt or
  caption, else 0.

Then, in score order, a post is placed only if it does not make three in a row from the same author or the same
remix family (root); posts that cannot be placed that way are left out of this ranking.

Serving (feed.selectors.feed_for_you). Computing a ranking (candidates, taste, scores) costs several times what
serving a page of it does, so a computed ranking is kept in the cache (Redis) as columns (``Stored``), with the
snapshot time it is as of and the user's *signals version* (and, in each web process, the latest ranking of the
members it served recently: ``LocalRankings``, under the same rules), and:

- a first page reuses the user's latest ranking while it is fresh: its snapshot is at most ``RANKING_FRESH_S``
  (feed.selectors) old and the user's signals version is still the one it was computed from. The version is a
  column of the user's row (``feed_version``, read with the user when the request is authenticated, so checking
  it costs nothing) that every change to what the ranking reads about the user replaces
  (feed.services.feed_signals_changed, called by the services for likes, first views and completions, follows,
  blocks, the steering text and the worker's vectors for it), so such a change shows on the very next first
  page. Otherwise the ranking is computed again, as of now;
- the next pages are slices of the ranking their cursor's snapshot names (kept ``RANKING_CACHE_S``; computed
  again for that snapshot when the cache no longer has it), so paging is stable whatever happens meanwhile;
- every page reads its posts through the same visibility rule as every list, blocks included: deleted,
  taken-down or no longer visible posts, and posts whose author the user blocked or was blocked by, drop out (a
  block takes effect at once, even on a ranking computed before it). A ranking computed by this request leaves
  blocked authors out already; a next page is cut skipping the block set read at that request, so it stays
  full; a first page served from a kept ranking does not read the block set (a block changes the version, so
  that ranking is newer than the user's last block or unblock) unless a post of it drops out, and then it is
  cut again skipping them.

The trade-off of the freshness window: what the ranking reads about *other* people moves it up to
RANKING_FRESH_S late: a post published in the meantime (even by someone the user follows: the Following and
Latest tabs show it at once) joins For you on the first page after the window, and the trending term uses the
engagement counts as of the snapshot. The counts shown with each post are read with the page, so they are live.
If the cache is down, each web process still serves the rankings it keeps, and computes the others (the feed
works, more slowly); the versions are in the database, so no change is missed.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db.models import F, FloatField, Value
from django.db.models.functions import Ln

EPOCH = datetime(2025, 1, 1, tzinfo=dt_timezone.utc)
MAX_RUN = 2  # never more than two in a row from the same author or the same remix family


def weights() -> dict:
    return settings.FEED_WEIGHTS


def _tau_s(w: dict) -> float:
    return float(w["trending_tau_h"]) * 3600.0


def time_term(created_at: datetime) -> float:
    w = weights()
    return (created_at - EPOCH).total_seconds() / _tau_s(w)


def engagement(*, like_count: int, comment_count: int, remix_count: int, view_count: int) -> float:
    w = weights()
    return (
        w["engagement_like"] * like_count
        + w["engagement_comment"] * comment_count
        + w["engagement_remix"] * remix_count
        + w["engagement_view"] * view_count
    )


def hot_score(*, created_at: datetime, like_count: int = 0, comment_count: int = 0, remix_count: int = 0, view_count: int = 0) -> float:
    e = engagement(like_count=like_count, comment_count=comment_count, remix_count=remix_count, view_count=view_count)
    return math.log1p(max(e, 0.0)) + time_term(created_at)


def counters_update(*, created_at: datetime, like: int = 0, comment: int = 0, remix: int = 0, view: int = 0) -> dict:
    """Keyword arguments for ``Post.objects.filter(pk=...).update(**...)`` that move counters by the given amounts and
    recompute ``hot_score`` from the new values, all in one UPDATE statement (so concurrent updates never lose a
    count: the database applies each statement to the row as it is)."""
    w = weights()
    deltas = {"like_count": like, "comment_count": comment, "remix_count": remix, "view_count": view}
    new = {name: F(name) + delta if delta else F(name) for name, delta in deltas.items()}
    e = (
        Value(float(w["engagement_like"])) * new["like_count"]
        + Value(float(w["engagement_comment"])) * new["comment_count"]
        + Value(float(w["engagement_remix"])) * new["remix_count"]
        + Value(float(w["engagement_view"])) * new["view_count"]
    )
    changes = {name: F(name) + delta for name, delta in deltas.items() if delta}
    changes["hot_score"] = Ln(Value(1.0) + e, output_field=FloatField()) + Value(time_term(created_at))
    return changes


def vectors(blobs: list, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack stored float32 embeddings into a matrix; rows without one are zero. Returns (matrix, has_vector)."""
    width = dim * 4
    if blobs and all(blob is not None and len(blob) == width for blob in blobs):  # the usual case, in one go
        matrix = np.frombuffer(b"".join(bytes(blob) for blob in blobs), dtype=np.float32).reshape(len(blobs), dim)
        return matrix, np.ones(len(blobs), dtype=bool)
    matrix = np.zeros((len(blobs), dim), dtype=np.float32)
    present = np.zeros(len(blobs), dtype=bool)
    for i, blob in enumerate(blobs):
        if blob:
            row = np.frombuffer(bytes(blob), dtype=np.float32)
            if row.shape[0] == dim:
                matrix[i] = row
                present[i] = True
    return matrix, present


def mean_direction(matrix: np.ndarray) -> np.ndarray | None:
    if matrix.shape[0] == 0:
        return None
    mean = matrix.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 1e-6 else None


def rescale(cosines: np.ndarray, *, floor: float, span: float) -> np.ndarray:
    return np.clip((cosines - floor) / span, 0.0, 1.0)


@dataclass
class Candidates:
    """Column arrays for the candidate posts (one row per post)."""

    ids: np.ndarray
    authors: np.ndarray
    roots: np.ndarray  # root id, or the post's own id for an original
    age_s: np.ndarray
    engagement: np.ndarray  # weighted engagement E (see engagement())
    followed: np.ndarray
    seen: np.ndarray
    completed: np.ndarray
    remix_of_engaged: np.ndarray  # 0, or 1 when the engaged-with parent/root was liked, 0.5 when only watched
    cameo_owner: list  # username of a followed person whose cameo the post features, or None
    embeddings: np.ndarray
    has_embedding: np.ndarray
    texts: list  # public prompt + caption (for lexical matching), "" when not needed


@dataclass
class Steering:
    more_terms: list[str] = field(default_factory=list)
    less_terms: list[str] = field(default_factory=list)
    more_vectors: np.ndarray | None = None  # len(more_terms) x dim
    less_vectors: np.ndarray | None = None


@dataclass
class Ranked:
    order: list[int]  # row indexes into the candidates, best first, after the variety rule
    scores: np.ndarray
    parts: dict  # name -> per-row contribution to the score (already weighted)
    more_best: np.ndarray  # per row: index of the best-matching "more" term, or -1


def _term_match(
    c: Candidates, terms: list[str], term_vectors: np.ndarray | None, w: dict, words: dict[int, set[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """(match strength 0..1, index of the best term or -1) per candidate. ``words`` caches each row's word stems."""
    from .steering import terms_matching
    from .topics import word_stems

    n = len(c.ids)
    strength = np.zeros(n, dtype=np.float32)
    best = np.full(n, -1, dtype=np.int64)
    if not terms:
        return strength, best
    if term_vectors is not None and term_vectors.shape[0] == len(terms):
        sims = c.embeddings @ term_vectors.T  # n x terms
        scaled = rescale(sims, floor=float(w["steer_floor"]), span=float(w["steer_span"]))
        scaled[~c.has_embedding] = 0.0
        best_term = scaled.argmax(axis=1)
        strength = scaled[np.arange(n), best_term]
        best = np.where(strength > 0, best_term, -1)
        missing = np.flatnonzero(~c.has_embedding)
    else:
        missing = np.arange(n)
    for i in missing:  # posts without an embedding yet (or terms without vectors yet): match the words
        if i not in words:
            words[i] = word_stems(c.texts[i])
        matched = terms_matching(terms=terms, words=words[i])
        if matched:
            strength[i] = 1.0
            best[i] = matched[0]
    return strength, best


def rank(c: Candidates, *, taste: np.ndarray | None, steering: Steering) -> Ranked:
    w = weights()
    n = len(c.ids)
    age_h = c.age_s / 3600.0
    decayed = c.engagement * np.exp(-c.age_s / _tau_s(w))
    trend = decayed / (decayed + float(w["trending_midpoint"]))

    parts = {
        "follow": float(w["follow"]) * c.followed,
        "trending": float(w["trending"]) * trend,
        "remix": float(w["remix_of_engaged"]) * (c.remix_of_engaged > 0),
        "cameo": float(w["cameo_of_followed"]) * np.array([o is not None for o in c.cameo_owner], dtype=np.float32),
        "fresh": float(w["fresh"]) * np.power(2.0, -age_h / float(w["fresh_half_life_h"])),
        "watched": -float(w["watched"]) * c.seen,
        "completed": -float(w["completed"]) * c.completed,
    }
    if taste is not None and n:
        sims = rescale(c.embeddings @ taste, floor=float(w["taste_floor"]), span=float(w["taste_span"]))
        parts["taste"] = float(w["taste"]) * np.where(c.has_embedding, sims, 0.0)
    else:
        parts["taste"] = np.zeros(n)
    words: dict[int, set[str]] = {}
    more, more_best = _term_match(c, steering.more_terms, steering.more_vectors, w, words)
    less, _ = _term_match(c, steering.less_terms, steering.less_vectors, w, words)
    parts["more"] = float(w["steer_more"]) * more
    parts["less"] = -float(w["steer_less"]) * less

    scores = np.zeros(n, dtype=np.float64)
    for values in parts.values():
        scores += values
    # Best score first; ties: newer first, then the higher id.
    order = np.lexsort((-c.ids, c.age_s, -scores)) if n else np.array([], dtype=np.int64)
    return Ranked(order=diversify(order.tolist(), c.authors, c.roots), scores=scores, parts=parts, more_best=more_best)


def diversify(order: list[int], authors: np.ndarray, roots: np.ndarray) -> list[int]:
    """Keep the order, except that a post which would make three in a row from one author or one remix family
    waits for the first post that does not; posts that can never be placed that way are dropped."""
    remaining = list(order)
    placed: list[int] = []
    while remaining:
        for position, row in enumerate(remaining):
            if len(placed) >= MAX_RUN:
                a, b = placed[-1], placed[-2]
                if authors[a] == authors[b] == authors[row] or roots[a] == roots[b] == roots[row]:
                    continue
            placed.append(row)
            del remaining[position]
            break
        else:
            break
    return placed


class Entry(NamedTuple):
    """One ranked post and what its score was made of (weighted), enough to explain it later."""

    post_id: int
    follow: float
    cameo: float
    cameo_owner: str | None
    remix: float
    remix_liked: bool
    taste: float
    more: float
    more_term: str | None
    trending: float
    age_s: float


_shared_cache: tuple = (None, None)


def ranking_cache():
    """The cache that keeps rankings and signals versions, as one object per process. ``django.core.cache.cache``
    is one object per request under ASGI (each request runs in a context of its own), so each request opened a
    Redis connection of its own: more than a millisecond per page (redis-py reads its package metadata for every
    new connection). A Redis client and its connection pool are thread-safe, so one per process serves every
    request; other backends are used as Django hands them out."""
    from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
    from django.core.cache.backends.redis import RedisCache

    global _shared_cache
    configured, instance = _shared_cache
    if configured is not caches.settings:  # first use, or the CACHES setting changed (tests)
        created = caches.create_connection(DEFAULT_CACHE_ALIAS)
        instance = created if isinstance(created, RedisCache) else None
        _shared_cache = (caches.settings, instance)
    return instance if instance is not None else cache



class LocalRankings:
    """The latest ranking of each member this process served recently, least recently used dropped first: a
    first page still asks the cache for the member's signals version (a few bytes) but not for the ranking itself
    (tens of kilobytes to fetch and decode on every page), and the next pages of it ask the cache nothing. What
    may be served from here is exactly what may be served from the cache (same version, same freshness window);
    the cache stays the one every process shares. Thread-safe: a web process runs several requests at once."""

    def __init__(self, capacity: int):
        self.capacity = max(0, int(capacity))
        self._items: OrderedDict[int, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: int) -> Stored | None:
        with self._lock:
            stored = self._items.get(user_id)
            if stored is not None:
                self._items.move_to_end(user_id)
            return stored

    def put(self, user_id: int, stored: Stored) -> None:
        if not self.capacity:
            return
        with self._lock:
            self._items[user_id] = stored
            self._items.move_to_end(user_id)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


_local: LocalRankings | None = None


def local_rankings() -> LocalRankings:
    """This process's LocalRankings, holding at most settings.FEED_RANKINGS_IN_PROCESS members' rankings (made
    again, empty, when the setting changes)."""
    global _local
    capacity = int(getattr(settings, "FEED_RANKINGS_IN_PROCESS", 1000))
    local = _local
    if local is None or local.capacity != max(0, capacity):
        local = _local = LocalRankings(capacity)
    return local


def cache_key(user_id: int, *, snapshot: float | None = None) -> str:
    """Where the user's latest ranking is kept, or (with a snapshot) one recomputed for an older cursor."""
    return f"feed:fy1:{user_id}" if snapshot is None else f"feed:fy1:{user_id}:{snapshot!r}"


_STORED_PARTS = ("follow", "cameo", "remix", "taste", "more", "trending")


@dataclass
class Stored:
    """A computed ranking as the cache keeps it, best first: columns rather than one object per post (a page
    decodes it in microseconds; a list of 500 tuples took a fifth of a millisecond to unpickle)."""

    snapshot: float  # the unix time it is as of (the cursor carries it)
    version: str  # the user's signals version it was computed from (see the module docstring)
    ids: np.ndarray  # int64 post ids
    authors: np.ndarray  # int64 author ids: a page drops those blocked since
    parts: np.ndarray  # n x 7 float32: the weighted follow, cameo, remix, taste, more, trending terms, then age_s
    remix_liked: np.ndarray  # bool
    cameo_owner: list  # str | None per post
    more_term: list  # str | None per post

    def __len__(self) -> int:
        return len(self.ids)

    def entries(self, rows: list[int]) -> list[Entry]:
        """The entries of these rows (a page), each column read once for all of them."""
        if rows and rows[-1] - rows[0] == len(rows) - 1:  # consecutive, as pages are unless blocks skip rows
            at = slice(rows[0], rows[-1] + 1)
        else:
            at = rows
        return [
            Entry(
                post_id, follow, cameo, self.cameo_owner[row], remix, remix_liked, taste, more, self.more_term[row],
                trending, age_s,
            )  # fmt: skip
            for row, post_id, (follow, cameo, remix, taste, more, trending, age_s), remix_liked in zip(
                rows, self.ids[at].tolist(), self.parts[at].tolist(), self.remix_liked[at].tolist()
            )
        ]

    def page(self, *, offset: int, size: int, blocked: set[int]) -> tuple[list[int], int | None]:
        """The rows of the page that starts at ``offset``, skipping posts by ``blocked`` authors (so the page is
        full), and the offset of the next page, or None when nothing is left."""
        n = len(self.ids)
        if not blocked:
            end = offset + size
            return list(range(offset, min(end, n))), end if end < n else None
        kept = np.flatnonzero(~np.isin(self.authors, np.fromiter(blocked, dtype=np.int64, count=len(blocked))))
        start = int(np.searchsorted(kept, offset))
        rows = kept[start : start + size].tolist()
        return rows, rows[-1] + 1 if start + size < len(kept) else None


def stored(ranked: Ranked, c: Candidates, steering: Steering, *, snapshot: float, version: str) -> Stored:
    """The ranked posts, best first, with the parts of their scores that reasons are made of."""
    order = np.asarray(ranked.order, dtype=np.int64)
    columns = [np.asarray(ranked.parts[name], dtype=np.float64)[order] for name in _STORED_PARTS]
    columns.append(np.asarray(c.age_s, dtype=np.float64)[order])
    terms = steering.more_terms
    return Stored(
        snapshot=snapshot,
        version=version,
        ids=np.asarray(c.ids, dtype=np.int64)[order],
        authors=np.asarray(c.authors, dtype=np.int64)[order],
        # float32: what reasons need, at half the size (each web process keeps many: LocalRankings)
        parts=np.column_stack(columns).astype(np.float32) if len(order) else np.zeros((0, len(columns)), np.float32),
        remix_liked=np.asarray(c.remix_of_engaged)[order] >= 1,
        cameo_owner=[c.cameo_owner[row] for row in order.tolist()],
        more_term=[terms[b] if 0 <= b < len(terms) else None for b in ranked.more_best[order].tolist()],
    )


def reasons(entry: Entry, *, author: str, w: dict | None = None) -> list[str]:
    """Up to three sentences a person can read, strongest contribution first (``w``: weights(), when the caller
    explains a whole page)."""
    w = w or weights()
    found: list[tuple[float, str]] = []
    if entry.follow > 0:
        found.append((entry.follow, f"you follow @{author}"))
    if entry.cameo > 0 and entry.cameo_owner:
        found.append((entry.cameo, f"features @{entry.cameo_owner}'s cameo"))
    if entry.remix > 0:
        found.append((entry.remix, "remix of a clip you liked" if entry.remix_liked else "remix of a clip you watched"))
    if entry.taste >= 0.3 * float(w["taste"]) > 0:
        found.append((entry.taste, "like posts you liked"))
    if entry.more > 0 and entry.more_term:
        found.append((entry.more, f"matches: {entry.more_term}"))
    if entry.trending >= 0.3 * float(w["trending"]) > 0:
        found.append((entry.trending, "trending"))
    found.sort(key=lambda item: -item[0])
    texts = [text for _, text in found[:3]]
    if not texts:
        texts = ["new on Riff" if entry.age_s < 48 * 3600 else "from the community"]
    return texts
