"""The For-you candidate set: at most ~500 posts from bounded, indexed sources, in one SQL statement.

This is the hot path of the feed, so the statement is written out rather than composed with the ORM (building
the equivalent queryset cost more than running it). It is plain SQL that SQLite and PostgreSQL both run; table
and column names come from the models.

Sources, each an index scan with a LIMIT (sizes in ``settings.FEED_WEIGHTS``):
- trending: public posts by ``hot_score`` (index ``post_trending``);
- fresh: the newest public posts (index on ``created_at``);
- following: the newest posts of people the user follows (index ``author, -created_at``);
- similar: for each topic of the user's taste, the public posts filed under it by ``hot_score``
  (indexes ``topic, -hot_score`` and ``topic2, -hot_score``);
- remixes: remixes of, or in the family of, the posts the user liked or watched to the end;
- cameos: the newest posts featuring a cameo owned by someone the user follows.

The rows carry what ranking needs (whether the user follows each author included, so no separate follow query),
as columns (``CandidateTable``) that ranking turns into numpy arrays without a Python object per post; whether
the user may see each post is decided by the caller (and again, as the authority, by ``posts_visible_to``'s rule
when the page is read). The other reads of a ranking (the user's steering, what they engaged with) and the block
set every page reads are plain statements here too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone

import numpy as np
from django.db import connection

from accounts.models import Block, Follow, User
from cameos.models import Cameo, CameoUse

from ..models import FeedPreference, Like, Post, View

PUBLISHED = Post.State.PUBLISHED
PUBLIC = Post.Visibility.PUBLIC


@dataclass
class CandidateTable:
    """The candidate rows as columns (one entry per post, in no particular order)."""

    ids: np.ndarray  # int64
    author_ids: np.ndarray  # int64
    root_ids: list  # int | None
    remix_of_ids: list  # int | None
    created_ts: np.ndarray  # float64 unix seconds
    like_count: np.ndarray  # int64, and the three other counters
    comment_count: np.ndarray
    remix_count: np.ndarray
    view_count: np.ndarray
    embeddings: list  # bytes | None
    published: np.ndarray  # bool: state is published
    visibility: np.ndarray  # str
    followed: np.ndarray  # bool: the user follows the author
    viewed: np.ndarray  # bool, each as of the snapshot
    liked: np.ndarray
    completed: np.ndarray
    cameo_owner: list  # username of a followed person whose cameo the post features, or None
    texts: list  # public prompt + caption, "" when not asked for

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> "CandidateTable":
        """The table restricted to these row indexes."""
        picked = rows.tolist()
        values = {}
        for name, column in vars(self).items():
            values[name] = column[rows] if isinstance(column, np.ndarray) else [column[i] for i in picked]
        return CandidateTable(**values)


def _timestamps(values: list) -> np.ndarray:
    """Unix seconds for stored datetimes: SQLite's text (read as text: parsing 500 of them with numpy costs what
    parsing one with the sqlite3 converter does), or the database driver's datetimes."""
    if values and all(isinstance(v, str) for v in values):
        try:
            return np.array(values, dtype="datetime64[us]").astype(np.int64) / 1e6
        except ValueError:
            values = [datetime.fromisoformat(v) for v in values]
    return np.array(
        [(v if v.tzinfo is not None else v.replace(tzinfo=dt_timezone.utc)).timestamp() for v in values], dtype=np.float64
    )


def _sources(*, user_id: int, when, topics: list[int], engaged_ids: list[int], pools: dict) -> tuple[str, list]:
    post, follow = Post._meta.db_table, Follow._meta.db_table
    cameo_use, cameo = CameoUse._meta.db_table, Cameo._meta.db_table
    followees = f"SELECT followee_id FROM {follow} WHERE follower_id = %s"
    parts: list[tuple[str, list]] = [
        (
            f"SELECT id FROM {post} WHERE state = %s AND visibility = %s ORDER BY hot_score DESC LIMIT %s",
            [PUBLISHED, PUBLIC, int(pools["pool_trending"])],
        ),
        (
            f"SELECT id FROM {post} WHERE state = %s AND visibility = %s AND created_at <= %s ORDER BY created_at DESC LIMIT %s",
            [PUBLISHED, PUBLIC, when, int(pools["pool_fresh"])],
        ),
        (
            f"SELECT id FROM {post} WHERE author_id IN ({followees}) AND created_at <= %s ORDER BY created_at DESC LIMIT %s",
            [user_id, when, int(pools["pool_following"])],
        ),
        (
            f"SELECT u.post_id AS id FROM {cameo_use} u INNER JOIN {cameo} c ON c.id = u.cameo_id "
            f"WHERE u.post_id IS NOT NULL AND u.removed_at IS NULL AND c.owner_id IN ({followees}) "
            f"ORDER BY u.created_at DESC LIMIT %s",
            [user_id, int(pools["pool_cameos"])],
        ),
    ]
    if topics:
        per_topic = max(1, int(pools["pool_similar"]) // (2 * len(topics)))
        for topic in topics:
            for column in ("topic", "topic2"):
                parts.append(
                    (
                        f"SELECT id FROM {post} WHERE {column} = %s AND state = %s AND visibility = %s "
                        f"ORDER BY hot_score DESC LIMIT %s",
                        [topic, PUBLISHED, PUBLIC, per_topic],
                    )
                )
    if engaged_ids:
        marks = ", ".join(["%s"] * len(engaged_ids))
        parts.append(
            (
                f"SELECT id FROM {post} WHERE remix_of_id IN ({marks}) OR root_id IN ({marks}) ORDER BY created_at DESC LIMIT %s",
                [*engaged_ids, *engaged_ids, int(pools["pool_remixes"])],
            )
        )
    # LIMIT is not allowed directly in the parts of a UNION: each part reads from its own derived table.
    sql = " UNION ".join(f"SELECT id FROM ({part}) AS source{i}" for i, (part, _) in enumerate(parts))
    params = [value for _, part_params in parts for value in part_params]
    return sql, params


def candidate_rows(
    *, user: User, snapshot: datetime, topics: list[int], engaged_ids: list[int], pools: dict, with_text: bool
) -> CandidateTable:
    post, follow, like, view = Post._meta.db_table, Follow._meta.db_table, Like._meta.db_table, View._meta.db_table
    cameo_use, cameo, users = CameoUse._meta.db_table, Cameo._meta.db_table, User._meta.db_table
    when = connection.ops.adapt_datetimefield_value(snapshot)
    union, union_params = _sources(user_id=user.pk, when=when, topics=topics, engaged_ids=engaged_ids, pools=pools)
    # SQLite: the stored text, parsed in one go (_timestamps); other databases: their datetimes.
    created = "CAST(p.created_at AS TEXT)" if connection.vendor == "sqlite" else "p.created_at"
    text_columns = ", p.prompt, p.prompt_public, p.caption" if with_text else ""
    followees = f"SELECT followee_id FROM {follow} WHERE follower_id = %s"
    sql = (
        f"SELECT p.id, p.author_id, p.root_id, p.remix_of_id, {created}, p.like_count, p.comment_count, "
        "p.remix_count, p.view_count, p.embedding, p.state, p.visibility, "
        f"p.author_id IN ({followees}), "
        f"EXISTS(SELECT 1 FROM {view} v WHERE v.user_id = %s AND v.post_id = p.id AND v.created_at <= %s), "
        f"EXISTS(SELECT 1 FROM {like} l WHERE l.user_id = %s AND l.post_id = p.id AND l.created_at <= %s), "
        f"EXISTS(SELECT 1 FROM {view} v WHERE v.user_id = %s AND v.post_id = p.id AND v.completed_at <= %s), "
        f"(SELECT o.username FROM {cameo_use} u INNER JOIN {cameo} c ON c.id = u.cameo_id INNER JOIN {users} o ON o.id = c.owner_id "
        f"WHERE u.post_id = p.id AND u.removed_at IS NULL "
        f"AND c.owner_id IN ({followees}) ORDER BY o.username LIMIT 1)"
        f"{text_columns} "
        f"FROM {post} p WHERE p.id IN ({union}) AND p.created_at <= %s AND p.author_id <> %s"
    )
    params = [user.pk, user.pk, when, user.pk, when, user.pk, when, user.pk, *union_params, when, user.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    n = len(raw)
    columns = list(zip(*raw)) if raw else [()] * (20 if with_text else 17)

    def ints(i: int) -> np.ndarray:
        return np.fromiter(columns[i], dtype=np.int64, count=n)

    def flags(i: int) -> np.ndarray:
        return np.fromiter(columns[i], dtype=bool, count=n)

    texts = [""] * n
    if with_text:
        texts = [" ".join(part for part in ((prompt if public else ""), caption) if part) for prompt, public, caption in zip(*columns[17:20])]
    return CandidateTable(
        ids=ints(0),
        author_ids=ints(1),
        root_ids=list(columns[2]),
        remix_of_ids=list(columns[3]),
        created_ts=_timestamps(list(columns[4])),
        like_count=ints(5),
        comment_count=ints(6),
        remix_count=ints(7),
        view_count=ints(8),
        embeddings=list(columns[9]),
        published=np.array([state == PUBLISHED for state in columns[10]], dtype=bool),
        visibility=np.array(columns[11], dtype=object),
        followed=flags(12),
        viewed=flags(13),
        liked=flags(14),
        completed=flags(15),
        cameo_owner=list(columns[16]),
        texts=texts,
    )


def engaged_rows(*, user: User, snapshot: datetime, history: int) -> list[tuple]:
    """The posts the user liked or watched to the end before the snapshot (the latest ``history`` of each):
    (id, embedding, topic, topic2, liked)."""
    post, like, view = Post._meta.db_table, Like._meta.db_table, View._meta.db_table
    when = connection.ops.adapt_datetimefield_value(snapshot)
    sql = (
        f"SELECT p.id, p.embedding, p.topic, p.topic2, "
        f"EXISTS(SELECT 1 FROM {like} l WHERE l.user_id = %s AND l.post_id = p.id AND l.created_at <= %s) "
        f"FROM {post} p WHERE p.id IN ("
        f"SELECT post_id FROM (SELECT post_id FROM {like} WHERE user_id = %s AND created_at <= %s "
        f"ORDER BY created_at DESC LIMIT %s) AS liked "
        f"UNION SELECT post_id FROM (SELECT post_id FROM {view} WHERE user_id = %s AND completed_at <= %s "
        f"ORDER BY completed_at DESC LIMIT %s) AS finished)"
    )
    params = [user.pk, when, user.pk, when, history, user.pk, when, history]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(r[0], r[1], r[2], r[3], bool(r[4])) for r in cursor.fetchall()]


def blocked_ids(*, user_id: int) -> set[int]:
    """Everyone the user blocked or was blocked by: accounts.selectors.blocked_user_ids as one plain statement
    (every For-you page reads it, and composing the ORM query cost three times what running it does)."""
    block = Block._meta.db_table
    sql = f"SELECT blocked_id FROM {block} WHERE blocker_id = %s UNION SELECT blocker_id FROM {block} WHERE blocked_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, user_id])
        return {row[0] for row in cursor.fetchall()}


@dataclass
class Preference:
    """What ranking reads of a user's FeedPreference (feed.models)."""

    more_terms: list
    less_terms: list
    more_vectors: bytes | None
    less_vectors: bytes | None
    more_topics: list


def _json(value):
    return json.loads(value) if isinstance(value, str) else value  # the text, or what a driver decoded already


def preference_row(*, user_id: int) -> Preference | None:
    """The user's steering, as one plain statement (composing the ORM query cost more than running it)."""
    table = FeedPreference._meta.db_table
    sql = f"SELECT more_terms, less_terms, more_vectors, less_vectors, more_topics FROM {table} WHERE user_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    more, less, more_vectors, less_vectors, topics = row
    return Preference(
        more_terms=_json(more) or [],
        less_terms=_json(less) or [],
        more_vectors=more_vectors,
        less_vectors=less_vectors,
        more_topics=_json(topics) or [],
    )
