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

The rows carry what ranking needs; whether the user may see each post is decided by the caller (and again, as
the authority, by ``posts_visible_to`` when the page is read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone

from django.db import connection

from accounts.models import Follow, User

from .models import Like, Post, View

PUBLISHED = Post.State.PUBLISHED
PUBLIC = Post.Visibility.PUBLIC


@dataclass
class CandidateRow:
    id: int
    author_id: int
    root_id: int | None
    remix_of_id: int | None
    created_ts: float
    like_count: int
    comment_count: int
    remix_count: int
    view_count: int
    embedding: bytes | None
    state: str
    visibility: str
    viewed: bool
    liked: bool
    completed: bool
    cameo_owner: str | None
    text: str


def _timestamp(value) -> float:
    if isinstance(value, str):  # SQLite returns the stored text
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_timezone.utc)
    return value.timestamp()


def _sources(*, user_id: int, when, topics: list[int], engaged_ids: list[int], pools: dict) -> tuple[str, list]:
    from cameos.models import Cameo, CameoUse

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
) -> list[CandidateRow]:
    from cameos.models import Cameo, CameoUse

    post, follow, like, view = Post._meta.db_table, Follow._meta.db_table, Like._meta.db_table, View._meta.db_table
    cameo_use, cameo, users = CameoUse._meta.db_table, Cameo._meta.db_table, User._meta.db_table
    when = connection.ops.adapt_datetimefield_value(snapshot)
    union, union_params = _sources(user_id=user.pk, when=when, topics=topics, engaged_ids=engaged_ids, pools=pools)
    text_columns = ", p.prompt, p.prompt_public, p.caption" if with_text else ""
    sql = (
        "SELECT p.id, p.author_id, p.root_id, p.remix_of_id, p.created_at, p.like_count, p.comment_count, "
        "p.remix_count, p.view_count, p.embedding, p.state, p.visibility, "
        f"EXISTS(SELECT 1 FROM {view} v WHERE v.user_id = %s AND v.post_id = p.id AND v.created_at <= %s), "
        f"EXISTS(SELECT 1 FROM {like} l WHERE l.user_id = %s AND l.post_id = p.id AND l.created_at <= %s), "
        f"EXISTS(SELECT 1 FROM {view} v WHERE v.user_id = %s AND v.post_id = p.id AND v.completed_at <= %s), "
        f"(SELECT o.username FROM {cameo_use} u INNER JOIN {cameo} c ON c.id = u.cameo_id INNER JOIN {users} o ON o.id = c.owner_id "
        f"WHERE u.post_id = p.id AND u.removed_at IS NULL "
        f"AND c.owner_id IN (SELECT followee_id FROM {follow} WHERE follower_id = %s) ORDER BY o.username LIMIT 1)"
        f"{text_columns} "
        f"FROM {post} p WHERE p.id IN ({union}) AND p.created_at <= %s AND p.author_id <> %s"
    )
    params = [user.pk, when, user.pk, when, user.pk, when, user.pk, *union_params, when, user.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    rows = []
    for r in raw:
        text = ""
        if with_text:
            text = " ".join(part for part in ((r[16] if r[17] else ""), r[18]) if part)
        rows.append(
            CandidateRow(
                id=r[0], author_id=r[1], root_id=r[2], remix_of_id=r[3], created_ts=_timestamp(r[4]), like_count=r[5],
                comment_count=r[6], remix_count=r[7], view_count=r[8], embedding=r[9], state=r[10], visibility=r[11],
                viewed=bool(r[12]), liked=bool(r[13]), completed=bool(r[14]), cameo_owner=r[15], text=text,
            )
        )
    return rows


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
