"""A computed ranking as it is kept and served: ``Stored`` (columns, best first, with what each post's score was made
of), the reasons shown with each post, the cache every web process shares (Redis) and the rankings each process
keeps itself (``LocalRankings``).

Serving (feed.for_you.page.feed_for_you). Computing a ranking (candidates, taste, scores) costs several times what
serving a page of it does, so a computed ranking is kept in the cache (Redis) as columns (``Stored``), with the
snapshot time it is as of and the user's *signals version* (and, in each web process, the latest ranking of the
members it served recently: ``LocalRankings``, under the same rules), and:

- a first page reuses the user's latest ranking while it is fresh: its snapshot is at most ``RANKING_FRESH_S``
  (feed.for_you.page) old and the user's signals version is still the one it was computed from. The version is a
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

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.utils.translation import gettext

from .formula import Candidates, Ranked, Steering, weights


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
        found.append((entry.follow, gettext("you follow @{author}").format(author=author)))
    if entry.cameo > 0 and entry.cameo_owner:
        found.append((entry.cameo, gettext("features @{owner}'s cameo").format(owner=entry.cameo_owner)))
    if entry.remix > 0:
        liked = entry.remix_liked
        found.append((entry.remix, gettext("remix of a clip you liked") if liked else gettext("remix of a clip you watched")))
    if entry.taste >= 0.3 * float(w["taste"]) > 0:
        found.append((entry.taste, gettext("like posts you liked")))
    if entry.more > 0 and entry.more_term:
        found.append((entry.more, gettext("matches: {term}").format(term=entry.more_term)))
    if entry.trending >= 0.3 * float(w["trending"]) > 0:
        found.append((entry.trending, gettext("trending")))
    found.sort(key=lambda item: -item[0])
    texts = [text for _, text in found[:3]]
    if not texts:
        texts = [gettext("new on Riff") if entry.age_s < 48 * 3600 else gettext("from the community")]
    return texts
