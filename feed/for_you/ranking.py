"""Computing one member's For-you ranking: the candidate rows they may see, what they enjoyed (their taste and its
topics), their steering, scored by the formula (``formula.rank``) and kept as columns (``stored.Stored``)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import numpy as np

from core.embeddings import DIM

from ..models import FeedPreference, Post
from ..topics import topic_for_term
from . import formula
from .candidates import Preference, candidate_rows, engaged_rows, preference_row
from .stored import Stored, stored


def _steering(preference: FeedPreference | Preference | None) -> formula.Steering:
    if preference is None:
        return formula.Steering()
    steering = formula.Steering(more_terms=list(preference.more_terms), less_terms=list(preference.less_terms))
    for name in ("more", "less"):
        blob = getattr(preference, f"{name}_vectors")
        terms = getattr(steering, f"{name}_terms")
        if blob and terms:
            matrix = np.frombuffer(bytes(blob), dtype=np.float32)
            if matrix.size == len(terms) * DIM:
                setattr(steering, f"{name}_vectors", matrix.reshape(len(terms), DIM))
    return steering


def _taste(*, user, snapshot: datetime, history: int) -> tuple[np.ndarray | None, list[int], dict[int, float]]:
    """(taste vector, the topics of what the user enjoyed, {post id: 1 liked / 0.5 watched to the end})."""
    rows = engaged_rows(user=user, snapshot=snapshot, history=history)
    matrix, present = formula.vectors([row[1] for row in rows], DIM)
    taste = formula.mean_direction(matrix[present])
    topics = Counter(t for row in rows for t in (row[2], row[3]) if t is not None)
    engaged = {row[0]: 1.0 if row[4] else 0.5 for row in rows}
    return taste, [topic for topic, _ in topics.most_common(3)], engaged


def _candidates(
    *, user, snapshot: datetime, topics: list[int], engaged: dict[int, float], with_text: bool, blocked: set[int]
) -> formula.Candidates:
    """The candidate rows as column arrays, keeping only posts the user may see (the same rule as
    posts_visible_to, applied to the rows; the page itself is read with that rule again)."""
    table = candidate_rows(
        user=user, snapshot=snapshot, topics=topics, engaged_ids=list(engaged), pools=formula.weights(), with_text=with_text
    )
    visible = table.published & (
        (table.visibility == Post.Visibility.PUBLIC) | ((table.visibility == Post.Visibility.FOLLOWERS) & table.followed)
    )
    if blocked:
        visible &= ~np.isin(table.author_ids, np.fromiter(blocked, dtype=np.int64, count=len(blocked)))
    table = table.take(np.flatnonzero(visible))
    w = formula.weights()
    engagement = (
        float(w["engagement_like"]) * table.like_count
        + float(w["engagement_comment"]) * table.comment_count
        + float(w["engagement_remix"]) * table.remix_count
        + float(w["engagement_view"]) * table.view_count
    )
    matrix, present = formula.vectors(table.embeddings, DIM)
    remix_of_engaged = np.zeros(len(table), dtype=np.float32)
    if engaged:
        for i, (parent, root) in enumerate(zip(table.remix_of_ids, table.root_ids)):
            remix_of_engaged[i] = max(engaged.get(parent, 0.0), engaged.get(root, 0.0))
    return formula.Candidates(
        ids=table.ids,
        authors=table.author_ids,
        roots=np.fromiter((root or own for root, own in zip(table.root_ids, table.ids.tolist())), dtype=np.int64, count=len(table)),
        age_s=np.maximum(snapshot.timestamp() - table.created_ts, 0.0),
        engagement=engagement.astype(np.float64),
        followed=table.followed.astype(np.float32),
        seen=(table.viewed | table.liked).astype(np.float32),
        completed=table.completed.astype(np.float32),
        remix_of_engaged=remix_of_engaged,
        cameo_owner=table.cameo_owner,
        embeddings=matrix,
        has_embedding=present,
        texts=table.texts,
    )


def ranking_compute(*, user, snapshot: datetime, blocked: set[int], version: str) -> Stored:
    """The user's ranking as of ``snapshot``: the candidates they may see (``blocked`` authors left out), their
    taste and steering, scored by the formula and kept as a ``Stored`` labelled with their signals ``version``."""
    preference = preference_row(user_id=user.pk)
    steering = _steering(preference)
    taste, topics, engaged = _taste(user=user, snapshot=snapshot, history=int(formula.weights()["taste_history"]))
    if preference is not None:
        topics = list(dict.fromkeys([*topics, *preference.more_topics]))
    topics += [t for t in (topic_for_term(term) for term in steering.more_terms) if t is not None and t not in topics]
    candidates = _candidates(
        user=user,
        snapshot=snapshot,
        topics=topics,
        engaged=engaged,
        with_text=bool(steering.more_terms or steering.less_terms),
        blocked=blocked,
    )
    ranked = formula.rank(candidates, taste=taste, steering=steering)
    return stored(ranked, candidates, steering, snapshot=snapshot.timestamp(), version=version)
