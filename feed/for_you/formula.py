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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone

import numpy as np
from django.conf import settings
from django.db.models import F, FloatField, Value
from django.db.models.functions import Ln

from ..steering import terms_matching
from ..topics import word_stems

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
