"""For-you feed throughput against a trivial view, measured in one run on the same server processes.

Seeds 1,000 members (each following ~30 others), 20,000 posts (10 % remixes, random 384-d normalised float32
embeddings grouped around 60 topics: no model needed), 200,000 likes (popularity skewed) and 50,000 views,
then starts uvicorn on loopback and drives it with 32 concurrent keep-alive clients (asyncio streams), in
alternating rounds:

- ``health``: ``GET /api/health`` (a trivial DRF view: no authentication, no database);
- ``for_you``: ``GET /api/feed?tab=for_you`` (first page, 20 items) for a different member on every request;

and once more a scrolling session per member (page 1, then pages 2 and 3 through ``next``; pages 2-3 timed).
Before each for_you round (and the scrolling one) every member's signals version changes (as a like changes it)
and each member opens For you once: the first page that computes its ranking, printed on its own line. The
for_you rounds then see what a running service sees when its members come back within the freshness window
(``RANKING_FRESH_S``): a first page served from the member's ranking kept in the web process (or in Redis).

Each round's connections are opened before its clock starts and spread evenly over the worker processes (see
``_connections``): an uneven split leaves a core idle and measures the split, not the view.

Prints the throughput of each, the ratio for_you / health (target >= 0.3: the median over the pairs of rounds,
each for_you round against the health round just before it), p50/p99 latency, the SQL queries
one page runs (for 5, 20 and 40 items; For you both when it ranks and when it is served from the ranking it
cached), and per round the throughput and the server processes' CPU time per request (the steadier figure on a
machine that is doing other work: throughput moves with whatever else runs there). PostgreSQL when DATABASE_URL
is set (an empty database; it is migrated), else SQLite in a temporary directory; REDIS_URL, else an embedded
Valkey (the feed caches each member's ranking there for the next pages).

Run: ``.venv/bin/python bench/feed.py`` (about 4 minutes on 2 cores with SQLite, 5 with PostgreSQL; ``--help`` for
the knobs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import embedded_valkey, free_port, start_server, stop  # noqa: E402

DIM = 384
TOPIC_COUNT = 60
# A word per topic in each post's text (as a hashtag), so search has words that many posts share (bench/search.py).
WORDS = ["beach", "cat", "dog", "city", "night", "forest", "snow", "dance", "kitchen", "space", "rain", "music"]


def _setup_django(var_dir: Path) -> None:
    os.environ["RIFF_VAR_DIR"] = str(var_dir)
    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = str(var_dir / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def seed(*, users: int, posts: int, likes: int, views: int, follows_per_user: int, seed_value: int) -> dict:
    """Bulk-create the graph. Counters and trending scores are computed here from the rows created."""
    import numpy as np
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import ApiToken, Follow, User
    from accounts.services.credentials import token_digest
    from feed.for_you import formula as ranking
    from feed.models import FeedPreference, Like, Post, View

    rng = np.random.default_rng(seed_value)
    started = time.perf_counter()
    now = timezone.now()
    password = make_password("bench-password-1")
    with transaction.atomic():
        User.objects.bulk_create(
            [User(username=f"member{i}", display_name=f"Member {i}", password=password) for i in range(users)], batch_size=2000
        )
        member_ids = list(User.objects.filter(username__startswith="member").order_by("id").values_list("id", flat=True))
        tokens = [secrets.token_hex(20) for _ in member_ids]
        ApiToken.objects.bulk_create(
            [ApiToken(digest=token_digest(key), prefix=key[:8], user_id=uid, last_used_at=now)
             for key, uid in zip(tokens, member_ids)],
            batch_size=2000,
        )
        follow_pairs = set()
        for i, uid in enumerate(member_ids):
            for j in rng.choice(len(member_ids), size=follows_per_user, replace=False):
                if j != i:
                    follow_pairs.add((uid, member_ids[j]))
        Follow.objects.bulk_create([Follow(follower_id=a, followee_id=b) for a, b in follow_pairs], batch_size=5000)

    # Posts: embeddings around topic centres, the two nearest centres as topics, 14 days of history.
    centres = rng.standard_normal((TOPIC_COUNT, DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    topic_of = rng.integers(0, TOPIC_COUNT, size=posts)
    vectors = centres[topic_of] + 0.9 * rng.standard_normal((posts, DIM)).astype(np.float32) / np.sqrt(DIM) * 6
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    nearest = np.argsort(-(vectors @ centres.T), axis=1)[:, :2]
    ages = np.sort(rng.uniform(0, 14 * 24 * 3600, size=posts))[::-1]  # oldest first
    authors = rng.choice(member_ids, size=posts)
    popularity = rng.pareto(1.2, size=posts) + 0.05
    like_post = rng.choice(posts, size=int(likes * 1.6), p=popularity / popularity.sum())
    like_user = rng.choice(len(member_ids), size=like_post.shape[0])
    pairs = np.unique(np.stack([like_user, like_post], axis=1), axis=0)
    pairs = pairs[rng.permutation(len(pairs))[:likes]]
    view_pairs = np.unique(np.stack([rng.choice(len(member_ids), size=int(views * 1.1)), rng.choice(posts, size=int(views * 1.1))], axis=1), axis=0)
    view_pairs = view_pairs[rng.permutation(len(view_pairs))[:views]]
    like_counts = np.bincount(pairs[:, 1], minlength=posts)
    view_counts = np.bincount(view_pairs[:, 1], minlength=posts)
    is_remix = rng.random(posts) < 0.10
    is_remix[:50] = False

    created = [now - timedelta(seconds=float(age)) for age in ages]
    created_field = Post._meta.get_field("created_at")
    created_field.auto_now_add = False  # the bench writes its own history
    try:
        with transaction.atomic():
            objects = []
            for i in range(posts):
                objects.append(
                    Post(
                        author_id=int(authors[i]),
                        video=f"bench/{i}.mp4",
                        poster=f"bench/{i}.jpg",
                        prompt=f"bench clip {i} about topic {int(topic_of[i])}",
                        caption=f"Clip {i}",
                        search_text=f"Clip {i} #{WORDS[int(topic_of[i]) % len(WORDS)]}\nbench clip {i} about topic {int(topic_of[i])}",
                        duration_s=6.0,
                        width=288,
                        height=512,
                        like_count=int(like_counts[i]),
                        view_count=int(view_counts[i]),
                        hot_score=ranking.hot_score(created_at=created[i], like_count=int(like_counts[i]), view_count=int(view_counts[i])),
                        embedding=vectors[i].tobytes(),
                        topic=int(nearest[i, 0]),
                        topic2=int(nearest[i, 1]),
                        created_at=created[i],
                    )
                )
            Post.objects.bulk_create(objects, batch_size=2000)
            post_ids = list(Post.objects.order_by("created_at", "id").values_list("id", flat=True))
            # Remixes: each remix points at an earlier post; counters follow.
            parents = {}
            remix_counts = np.zeros(posts, dtype=np.int64)
            for i in np.flatnonzero(is_remix):
                parent = int(rng.integers(0, i))
                parents[i] = parent
                remix_counts[parent] += 1
            depth = np.zeros(posts, dtype=np.int64)
            root = np.arange(posts)
            ancestors: list[list[int]] = [[] for _ in range(posts)]
            for i in sorted(parents):
                p = parents[i]
                depth[i] = depth[p] + 1
                root[i] = root[p]
                ancestors[i] = [*ancestors[p], post_ids[p]]
            changed = []
            for i in range(posts):
                if i in parents or remix_counts[i]:
                    changed.append(
                        Post(
                            pk=post_ids[i],
                            remix_of_id=post_ids[parents[i]] if i in parents else None,
                            root_id=post_ids[root[i]] if i in parents else None,
                            depth=int(depth[i]),
                            ancestors=ancestors[i],
                            remix_count=int(remix_counts[i]),
                            hot_score=ranking.hot_score(
                                created_at=created[i], like_count=int(like_counts[i]), view_count=int(view_counts[i]),
                                remix_count=int(remix_counts[i]),
                            ),
                        )
                    )
            Post.objects.bulk_update(changed, ["remix_of_id", "root_id", "depth", "ancestors", "remix_count", "hot_score"], batch_size=1000)
    finally:
        created_field.auto_now_add = True
    with transaction.atomic():
        Like.objects.bulk_create(
            [Like(user_id=member_ids[u], post_id=post_ids[p]) for u, p in pairs.tolist()], batch_size=5000
        )
        completed = rng.random(len(view_pairs)) < 0.4
        View.objects.bulk_create(
            [
                View(user_id=member_ids[u], post_id=post_ids[p], watch_s=5.0, completed=bool(c), completed_at=now if c else None)
                for (u, p), c in zip(view_pairs.tolist(), completed.tolist())
            ],
            batch_size=5000,
        )
        steered = rng.choice(len(member_ids), size=len(member_ids) // 3, replace=False)
        FeedPreference.objects.bulk_create(
            [
                FeedPreference(
                    user_id=member_ids[u],
                    text="more topic a, less topic b",
                    more_terms=["topic a"],
                    less_terms=["topic b"],
                    more_vectors=centres[int(rng.integers(TOPIC_COUNT))].tobytes(),
                    less_vectors=centres[int(rng.integers(TOPIC_COUNT))].tobytes(),
                    more_topics=[int(rng.integers(TOPIC_COUNT))],
                    vectors_at=now,
                )
                for u in steered
            ]
        )
    return {"tokens": tokens, "seconds": time.perf_counter() - started, "likes": len(pairs), "views": len(view_pairs), "follows": len(follow_pairs)}


def queries_per_page(token: str) -> dict:
    """SQL statements per page for each tab and page size; For you twice: a first page that ranks (after a
    signals change, as a like makes) and one served from the ranking it cached."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from accounts.authentication import user_for_token
    from feed.services import feed_signals_changed

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    user_id = user_for_token(token)[0].pk
    counts = {}
    for tab in ("for_you (ranking)", "for_you (cached)", "following", "latest"):
        for size in (5, 20, 40):
            if tab == "for_you (ranking)":
                feed_signals_changed(user_ids=[user_id])
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/api/feed", {"tab": tab.split()[0], "page_size": size}, HTTP_HOST="127.0.0.1")
            assert response.status_code == 200, response.content[:300]
            counts[(tab, size)] = len(captured)
    return counts


def _server_cpu_s(server: subprocess.Popen) -> float:
    """User + system CPU seconds of the server process and its workers so far (0 where /proc is not there)."""
    total = 0.0
    pids = [server.pid]
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return 0.0
    pids += [int(pid) for pid in children]
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


async def _get(reader, writer, path: str, token: str | None) -> tuple[bytes, bytes]:
    auth = f"Authorization: Token {token}\r\n" if token else ""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return status_line, await reader.readexactly(length)


async def _timed_get(reader, writer, url: str, token: str | None, failures: list, done: list) -> tuple[bytes | None, float]:
    """One request: (body, seconds), or (None, 0) after recording a non-200 answer in ``failures``."""
    started = time.perf_counter()
    status_line, body = await _get(reader, writer, url, token)
    if b" 200 " not in status_line:
        failures.append(status_line)
        return None, 0.0
    done.append(1)
    return body, time.perf_counter() - started


def _worker_pids(server: subprocess.Popen, port: int) -> list[int]:
    """The server's worker processes: its children that hold the listening socket (none without /proc)."""
    try:
        children = [int(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
    except OSError:
        return []
    listening = {inode for inode, (state, _) in _loopback_sockets(port).items() if state == "0A"}
    return [pid for pid in children if _socket_inodes(pid) & listening]


def _loopback_sockets(port: int) -> dict[str, tuple[str, int]]:
    """inode -> (state, remote port) of the TCP sockets whose local port is ``port``."""
    sockets = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                sockets[fields[9]] = (fields[3], int(fields[2].rsplit(":", 1)[1], 16))
    return sockets


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


class Connection:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.port = writer.get_extra_info("sockname")[1]


async def _connect(port: int) -> Connection:
    """A keep-alive connection that a worker has accepted (it answered one health request)."""
    connection = Connection(*await asyncio.open_connection("127.0.0.1", port))
    status_line, _ = await _get(connection.reader, connection.writer, "/api/health", None)
    assert b" 200 " in status_line, status_line
    return connection


async def _connections(port: int, count: int, workers: list[int]) -> tuple[list[Connection], list[int]]:
    """``count`` connections spread evenly over the worker processes, and how many each worker holds.

    The workers share one listening socket and whichever is first to accept takes a new connection (an idle
    asyncio loop takes every one waiting at once), so 32 connections opened together can all land on one worker
    and leave the other core idle for the whole round. Connections on a worker holding more than its share are
    replaced until the split is even (within one); without /proc the split is what it is."""
    connections = [await _connect(port) for _ in range(count)]
    split: list[int] = []
    for _attempt in range(50 * count):
        inodes = {pid: _socket_inodes(pid) for pid in workers}
        ports = _loopback_sockets(port)
        owner = {ports[inode][1]: pid for pid, owned in inodes.items() for inode in owned if inode in ports}
        held = {pid: [c for c in connections if owner.get(c.port) == pid] for pid in workers}
        split = [len(held[pid]) for pid in workers]
        if not workers or max(split) - min(split) <= 1:
            break
        surplus = held[max(workers, key=lambda pid: len(held[pid]))][0]
        surplus.writer.close()
        connections[connections.index(surplus)] = await _connect(port)
    return connections, split


async def _client(
    connection: Connection, path: str, tokens: list[str], first: int, pages: int, stop_at: float, latencies: list,
    failures: list, done: list,
) -> None:
    """Requests ``path`` for one member after another; with pages > 1, follows ``next`` (latency is recorded for
    the later pages only; every request counts for throughput)."""
    i = first
    while time.perf_counter() < stop_at:
        token = tokens[i % len(tokens)] if tokens else None
        i += 7
        url = path.replace("{n}", str(i))  # a path may vary per request (bench/search.py: a different query each)
        for page in range(pages):
            body, seconds = await _timed_get(connection.reader, connection.writer, url, token, failures, done)
            if body is None:
                break
            if pages == 1 or page > 0:
                latencies.append(seconds)
            if pages > 1:
                cursor = json.loads(body)["next"]
                if not cursor:
                    break
                url = f"{path}&cursor={quote(cursor)}"


async def _each_once(connection: Connection, path: str, queue: list[str], latencies: list, failures: list, done: list) -> None:
    """Requests ``path`` for the members left in the shared queue until it is empty."""
    while queue:
        body, seconds = await _timed_get(connection.reader, connection.writer, path, queue.pop(), failures, done)
        if body is not None:
            latencies.append(seconds)


async def _load(
    port: int, workers: list[int], path: str, tokens: list[str], concurrency: int, seconds: float, pages: int = 1,
    once: bool = False, server: subprocess.Popen | None = None,
) -> dict:
    """``concurrency`` clients for ``seconds``; with ``once``, until every member in ``tokens`` was served once.
    The clients' connections are opened (and spread over the workers) before the clock starts. With ``server``,
    also the CPU time its processes spent per request while the clock ran."""
    connections, split = await _connections(port, concurrency, workers)
    latencies: list[float] = []
    failures: list = []
    done: list = []
    cpu_before = _server_cpu_s(server) if server else 0.0
    started = time.perf_counter()
    stop_at = started + seconds
    try:
        if once:
            queue = list(reversed(tokens))
            await asyncio.gather(*[_each_once(c, path, queue, latencies, failures, done) for c in connections])
        else:
            await asyncio.gather(
                *[_client(c, path, tokens, i * 31, pages, stop_at, latencies, failures, done) for i, c in enumerate(connections)]
            )
        elapsed = time.perf_counter() - started
        cpu_s = _server_cpu_s(server) - cpu_before if server else 0.0
    finally:
        for connection in connections:
            connection.writer.close()
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests on {path}: {failures[:3]}")
    latencies.sort()
    return {
        "requests": len(done),
        "rps": len(done) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "split": split,
        "cpu_ms": 1000 * cpu_s / max(len(done), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--likes", type=int, default=200000)
    parser.add_argument("--views", type=int, default=50000)
    parser.add_argument("--follows-per-user", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8.0, help="per measured round")
    parser.add_argument("--rounds", type=int, default=4, help="pairs of health / for_you rounds, one after the other")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="uvicorn worker processes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="riff-bench-feed-"))
    server = None
    valkey = None
    try:
        valkey = embedded_valkey(var_dir)  # without REDIS_URL, as `make run` starts one (cache, channel layer)
        _setup_django(var_dir)
        from django.conf import settings
        from django.core.management import call_command

        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"database: {engine}; migrated in {time.perf_counter() - t0:.1f} s")
        seeded = seed(
            users=args.users, posts=args.posts, likes=args.likes, views=args.views,
            follows_per_user=args.follows_per_user, seed_value=args.seed,
        )
        print(
            f"seeded {args.users} members, {seeded['follows']} follows, {args.posts} posts, {seeded['likes']} likes, "
            f"{seeded['views']} views in {seeded['seconds']:.1f} s"
        )
        tokens = seeded["tokens"]
        counts = queries_per_page(random.Random(args.seed).choice(tokens))
        for tab in ("for_you (ranking)", "for_you (cached)", "following", "latest"):
            print(f"queries per page, {tab:17}: " + ", ".join(f"{size} items: {counts[(tab, size)]}" for size in (5, 20, 40)))

        from django.db import connections

        connections.close_all()
        os.sync()  # the seeded database on disk: its write-back is not measured with the first round
        port = free_port()
        server = start_server(port=port, workers=args.workers, var_dir=var_dir)
        print(f"uvicorn: {args.workers} worker processes on 127.0.0.1:{port}; {args.concurrency} keep-alive clients")
        feed = "/api/feed?tab=for_you"
        workers = _worker_pids(server, port)
        asyncio.run(_load(port, workers, "/api/health", [], args.concurrency, 2.0))  # warm up both paths
        warm = asyncio.run(_load(port, workers, feed, tokens, args.concurrency, 0, once=True))
        print(f"warm-up: every member's first page once ({warm['requests']} requests, {warm['rps']:.1f} req/s)")
        results: dict[str, list[dict]] = {"health": [], "for_you": [], "scroll": [], "ranking": []}
        from django.contrib.auth import get_user_model

        from feed.services import feed_signals_changed

        members = list(get_user_model().objects.filter(username__startswith="member").values_list("id", flat=True))

        def load(*load_args, **load_kwargs) -> dict:
            return asyncio.run(_load(port, workers, *load_args, server=server, **load_kwargs))

        def rank_everyone() -> None:
            """Every member's signals version changes (as a like changes it) and each opens For you once: the
            first pages that compute their rankings. The rounds after it then run well inside the freshness window
            (RANKING_FRESH_S), and not across the moment when the rankings computed together all go stale at once
            (a spike of recomputation that a real service, whose members arrive at different times, does not see)."""
            feed_signals_changed(user_ids=members)
            results["ranking"].append(load(feed, tokens, args.concurrency, 0, once=True))

        for _ in range(args.rounds):
            results["health"].append(load("/api/health", [], args.concurrency, args.seconds))
            rank_everyone()
            results["for_you"].append(load(feed, tokens, args.concurrency, args.seconds))
        rank_everyone()
        results["scroll"].append(load(feed, tokens, args.concurrency, args.seconds, pages=3))
        summary = {}
        for name, runs in results.items():
            summary[name] = {
                "rps": statistics.mean(r["rps"] for r in runs),
                "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                "p99_ms": max(r["p99_ms"] for r in runs),
                "requests": sum(r["requests"] for r in runs),
            }
        labels = {
            "health": "trivial view (GET /api/health)",
            "for_you": "for_you, first page",
            "scroll": "for_you sessions: pages 1-3 (latency: 2-3)",
            "ranking": "for_you first page computing its ranking",
        }
        for name, s in summary.items():
            print(
                f"{labels[name]:42}: {s['rps']:7.1f} req/s   p50 {s['p50_ms']:7.1f} ms   p99 {s['p99_ms']:7.1f} ms"
                f"   ({s['requests']} requests)"
            )
        for name in ("health", "for_you", "scroll", "ranking"):
            print(
                f"  {name:8} rounds: " + ", ".join(f"{r['rps']:.1f}" for r in results[name]) + " req/s; server CPU per request: "
                + ", ".join(f"{r['cpu_ms']:.2f}" for r in results[name]) + " ms"
            )
        splits = ["/".join(map(str, r["split"])) for runs in results.values() for r in runs]
        if any(splits):
            print(f"  keep-alive connections per worker process, every round: {', '.join(sorted(set(splits)))}")
        # Each for_you round against the health round just before it: what else the machine does moves both
        # alike, so the ratio of a pair is steadier than the ratio of the means; the median of the pairs is the
        # figure (the mean-based ratio is printed beside it).
        pairs = list(zip(results["health"], results["for_you"]))
        rps_ratios = [f["rps"] / h["rps"] for h, f in pairs]
        cpu_ratios = [h["cpu_ms"] / f["cpu_ms"] for h, f in pairs if f["cpu_ms"] > 0]
        print("  paired rounds, for_you / health throughput: " + ", ".join(f"{r:.2f}" for r in rps_ratios))
        if cpu_ratios:
            print(
                f"  server CPU per request, trivial view / for_you first page = {statistics.median(cpu_ratios):.2f}"
                f" (median of {len(cpu_ratios)} pairs: " + ", ".join(f"{r:.2f}" for r in cpu_ratios) + ")"
            )
        print(
            f"  first page computing its ranking / trivial view throughput = "
            f"{summary['ranking']['rps'] / summary['health']['rps']:.2f}"
        )
        ratio = statistics.median(rps_ratios)
        print(
            f"for_you first-page throughput / trivial view throughput = {ratio:.2f} (target >= 0.3; median of "
            f"{len(rps_ratios)} paired rounds; ratio of the means {summary['for_you']['rps'] / summary['health']['rps']:.2f})"
        )
    finally:
        stop(server, valkey)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
