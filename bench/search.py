"""Search throughput against a trivial view, measured in one run on the same server processes.

The feed benchmark's data (bench/feed.py: 1,000 members, 20,000 posts whose text carries one of a dozen words as a
hashtag, so a common word matches about 1,700 posts), then uvicorn on loopback driven by 32 concurrent keep-alive
clients (signed in, a different member per request), in alternating rounds:

- ``health``: ``GET /api/health`` (a trivial DRF view: no authentication, no database);
- ``search``: ``GET /api/search?q=<word>`` — posts with a common word (1,700 matches to rank), first page;
- ``search2``: two words that few posts share (``clip 123``);
- ``uncached``: ``clip <n>`` with a different number on every request, so no query's first batch is kept yet
  (feed.search keeps each query's first ranked batch in the process for a few seconds);
- ``people``: ``GET /api/search?type=people&q=member1``;
- ``for_you``: ``GET /api/feed`` — a For-you page for the same members, the feed's own cost per page, for
  comparison (search reads its posts with the feed's page statement).

Prints each round's throughput and p50/p99 latency, the SQL statements one page runs (5 and 40 results), and the
ratio search / health (target >= 0.3: the median over the pairs of rounds). PostgreSQL when DATABASE_URL is set (an
empty database; it is migrated), else SQLite in a temporary directory.

Run: ``.venv/bin/python bench/search.py`` (about 3 minutes on 2 cores; ``--help`` for the knobs).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import embedded_valkey, free_port, start_server, stop  # noqa: E402
from bench.feed import _load, _setup_django, _worker_pids, seed  # noqa: E402


def queries_per_page(token: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    counts = {}
    for size in (5, 40):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/search", {"q": "beach", "page_size": size}, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200 and len(response.json()["results"]) == size, response.content[:300]
        counts[size] = len(captured)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=6.0, help="per measured round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="uvicorn worker processes")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="riff-bench-search-"))
    server = valkey = None
    try:
        valkey = embedded_valkey(var_dir)  # without REDIS_URL, as `make run` starts one (cache, channel layer)
        _setup_django(var_dir)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        call_command("migrate", verbosity=0)
        seeded = seed(users=args.users, posts=args.posts, likes=args.posts * 5, views=args.posts,
                      follows_per_user=20, seed_value=1)
        tokens = seeded["tokens"]
        if engine == "postgresql":  # statistics for the planner, as autovacuum keeps them on a running service
            with connections["default"].cursor() as cursor:
                cursor.execute("VACUUM ANALYZE feed_post")
        print(f"database: {engine}; seeded {args.users} members and {args.posts} posts in {seeded['seconds']:.1f} s")
        counts = queries_per_page(tokens[0])
        print(f"queries per page of search results: 5 results: {counts[5]}, 40 results: {counts[40]}")
        connections.close_all()
        port = free_port()
        server = start_server(port=port, workers=args.workers, var_dir=var_dir)
        workers = _worker_pids(server, port)
        print(f"uvicorn: {args.workers} worker processes on 127.0.0.1:{port}; {args.concurrency} keep-alive clients")

        def load(path: str, auth: bool = True) -> dict:
            return asyncio.run(_load(port, workers, path, tokens if auth else [], args.concurrency, args.seconds,
                                     server=server))

        load("/api/health", auth=False)  # warm-up
        load("/api/search?q=beach")
        paths = {"search": "/api/search?q=beach", "search2": "/api/search?q=clip+123",
                 "uncached": "/api/search?q=clip+{n}", "people": "/api/search?type=people&q=member1",
                 "for_you": "/api/feed"}
        results: dict[str, list[dict]] = {"health": [], **{name: [] for name in paths}}
        for _ in range(args.rounds):
            results["health"].append(load("/api/health", auth=False))
            for name, path in paths.items():
                results[name].append(load(path))
        labels = {"health": "trivial view (GET /api/health)", "search": "search, a common word (first page)",
                  "search2": "search, two rare words", "uncached": "search, a new query every request",
                  "people": "search people", "for_you": "For you, first page (for comparison)"}
        for name, runs in results.items():
            print(f"{labels[name]:38}: {statistics.mean(r['rps'] for r in runs):7.1f} req/s   "
                  f"p50 {statistics.median(r['p50_ms'] for r in runs):7.1f} ms   p99 {max(r['p99_ms'] for r in runs):7.1f} ms")
        for name in paths:
            ratios = [s["rps"] / h["rps"] for h, s in zip(results["health"], results[name])]
            print(f"{name} / health throughput = {statistics.median(ratios):.2f} (target >= 0.3; paired rounds: "
                  + ", ".join(f"{r:.2f}" for r in ratios) + ")")
    finally:
        stop(server, valkey)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
