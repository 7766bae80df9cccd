"""Load on the production topology, on loopback: PostgreSQL + Redis + S3 (started here with config.topology),
two uvicorn worker processes, two generation workers.

For DURATION seconds, USERS simulated people browse the feed, open posts, like and unlike, read notifications,
while SOCKETS websocket clients stay connected to the job owners' groups and generation jobs stream progress.
Prints the 5xx count (target 0), p50/p99 latency per endpoint, and the p99 delay from a ``job.progress`` send
(its ``sent_at``) to its arrival at the sockets.

Run: .venv/bin/python bench/load.py            (USERS=100 SOCKETS=500 DURATION=60 by default)
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
USERS = int(os.environ.get("USERS", "100"))
SOCKETS = int(os.environ.get("SOCKETS", "500"))
DURATION = float(os.environ.get("DURATION", "60"))
OWNERS = 5  # job owners; the sockets are spread over their groups
PORT = 8765


def _tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and all its descendants (0 where /proc is not there)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


def _machine_cpu_s() -> float:
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except OSError:
        return 0.0
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def setup_environment(var_dir: Path, topology) -> dict:
    env = dict(os.environ)
    env.update(topology.up())
    env.update({"RIFF_VAR_DIR": str(var_dir), "PATH": f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}",
                "THROTTLE_AUTH": "100000/min", "THROTTLE_GENERATION": "100000/min", "GENERATION_MAX_ACTIVE_PER_USER": "100",
                "GENERATION_DAILY_SECONDS": "10000000", "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"})
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


SEED = r"""
import json, sys
from accounts.services import user_token
from accounts.models import User, Follow
from feed.models import Post
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
users = [User.objects.create_user(username=f"load{i}", password="load-pass-123") for i in range(int(sys.argv[1]))]
tokens = [user_token(user=u, label="bench") for u in users]
for i, u in enumerate(users):
    for j in range(1, 6):
        Follow.objects.get_or_create(follower=u, followee=users[(i + j) % len(users)])
video = default_storage.save("bench/clip.mp4", ContentFile(b"\x00" * 1024))
Post.objects.bulk_create([Post(author=users[i % len(users)], video=video, caption=f"clip {i}", prompt=f"ball {i}") for i in range(400)])
print(json.dumps(tokens))
"""


def seed(env) -> list[str]:
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", SEED.replace("sys.argv[1]", str(USERS))],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_processes(env, log_dir: Path) -> list[subprocess.Popen]:
    procs = []

    def spawn(name, cmd):
        log = open(log_dir / f"{name}.log", "ab")
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    spawn("web", [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(PORT),
                  "--workers", "2", "--log-level", "warning", "--no-access-log"])
    for index in range(2):
        spawn(f"worker{index}", [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-Q", "generation,default",
                                 "-n", f"load{index}@%h", "--without-gossip", "--without-mingle", "-l", "WARNING"])
    return procs


async def wait_http(base):
    import httpx

    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(base + "/api/health")).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the web server did not start")


async def run_load(base: str, tokens: list[str]) -> dict:
    import httpx
    import websockets

    stats = defaultdict(list)
    errors = defaultdict(int)  # 5xx answers per endpoint
    failures = defaultdict(int)  # no answer: "<endpoint>: <exception>" (client timeouts, refused connections)
    socket_failures = defaultdict(int)
    deliveries: list[float] = []
    stop_at = time.monotonic() + DURATION

    async def request(client, method, name, url, **kwargs):
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
            stats[name].append(time.perf_counter() - started)
            if response.status_code >= 500:
                errors[name] += 1
            return response
        except httpx.HTTPError as exc:
            failures[f"{name}: {type(exc).__name__}"] += 1
            return None

    async def person(token):
        rng = random.Random(token)
        headers = {"Authorization": f"Token {token}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
            while time.monotonic() < stop_at:
                tab = rng.choice(["for_you", "following", "latest"])
                feed = await request(client, "GET", f"GET /api/feed?tab={tab}", f"/api/feed?tab={tab}")
                posts = feed.json().get("results", []) if feed is not None and feed.status_code == 200 else []
                if posts:
                    post = rng.choice(posts)
                    await request(client, "GET", "GET /api/posts/<id>", f"/api/posts/{post['id']}")
                    if rng.random() < 0.5:
                        await request(client, "POST", "POST /api/posts/<id>/like", f"/api/posts/{post['id']}/like")
                    else:
                        await request(client, "DELETE", "DELETE /api/posts/<id>/like", f"/api/posts/{post['id']}/like")
                if rng.random() < 0.3:
                    await request(client, "GET", "GET /api/notifications", "/api/notifications")
                await asyncio.sleep(rng.uniform(0.5, 1.5))

    async def socket(token):
        url = base.replace("http://", "ws://") + "/ws/"
        try:
            async with websockets.connect(url, additional_headers={"Authorization": f"Token {token}", "Origin": base},
                                          open_timeout=60, max_queue=None) as ws:
                while time.monotonic() < stop_at:
                    try:
                        raw = await asyncio.wait_for(ws.recv(), timeout=max(0.1, stop_at - time.monotonic()))
                    except asyncio.TimeoutError:
                        break
                    event = json.loads(raw)
                    if event.get("type") == "job.progress" and event.get("sent_at"):
                        deliveries.append(time.time() - event["sent_at"])
        except Exception as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            socket_failures[type(exc).__name__ + (f" {status}" if status else "")] += 1

    async def owner_jobs(token):
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=30) as client:
            while time.monotonic() < stop_at - 5:
                await request(client, "POST", "POST /api/generations", "/api/generations",
                              json={"prompt": "three balls bouncing in a city at night", "duration_s": 4})
                await asyncio.sleep(4)

    owners = tokens[:OWNERS]
    tasks = [asyncio.create_task(socket(owners[i % OWNERS])) for i in range(SOCKETS)]
    await asyncio.sleep(3)  # let the sockets connect before the work starts
    stop_at = time.monotonic() + DURATION
    tasks += [asyncio.create_task(owner_jobs(t)) for t in owners]
    tasks += [asyncio.create_task(person(t)) for t in tokens[:USERS]]
    await asyncio.gather(*tasks)
    return {"stats": stats, "errors": errors, "failures": failures, "socket_failures": socket_failures, "deliveries": deliveries}


def main() -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="riff-load-"))
    var_dir.chmod(0o755)  # PostgreSQL runs as its own user and must reach its data directory inside
    from config.topology import Topology

    topology = Topology(var_dir / "topology")
    procs = []
    try:
        env = setup_environment(var_dir, topology)
        tokens = seed(env)
        procs = start_processes(env, var_dir)
        base = f"http://127.0.0.1:{PORT}"
        asyncio.run(wait_http(base))
        print(f"load: {USERS} people, {SOCKETS} websockets over {OWNERS} job owners, {DURATION:.0f} s; "
              "2 uvicorn workers, 2 generation workers, PostgreSQL + Redis + S3 on loopback")
        groups = {"web (2 uvicorn workers)": [procs[0].pid], "generation workers": [p.pid for p in procs[1:]]}
        before = {name: sum(_tree_cpu_s(pid) for pid in pids) for name, pids in groups.items()}
        before["this load generator"] = time.process_time()
        machine_before, started = _machine_cpu_s(), time.monotonic()
        result = asyncio.run(run_load(base, tokens))
        elapsed = time.monotonic() - started
        used = {name: sum(_tree_cpu_s(pid) for pid in pids) - before[name] for name, pids in groups.items()}
        used["this load generator"] = time.process_time() - before["this load generator"]
        used["PostgreSQL, Redis, S3 and the rest"] = _machine_cpu_s() - machine_before - sum(used.values())
        print(f"\n5xx answers: {sum(result['errors'].values())} (target 0)")
        for name, count in sorted(result["failures"].items()):
            print(f"  no answer: {name} x{count}")
        print(f"websocket clients that failed: {sum(result['socket_failures'].values())} of {SOCKETS} "
              f"{dict(result['socket_failures']) or ''}")
        print(f"{'endpoint':34} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for name, values in sorted(result["stats"].items()):
            print(f"{name:34} {len(values):8d} {percentile(values, 50) * 1000:8.1f} {percentile(values, 99) * 1000:8.1f}")
        print(f"\nCPU over the {elapsed:.0f} s ({os.cpu_count()} cores): " + "; ".join(
            f"{name} {seconds / elapsed:.2f} cores" for name, seconds in used.items()))
        deliveries = result["deliveries"]
        print(f"\njob.progress events received: {len(deliveries)}; delay send -> socket p50 "
              f"{percentile(deliveries, 50) * 1000:.1f} ms, p99 {percentile(deliveries, 99) * 1000:.1f} ms")
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        topology.down()


if __name__ == "__main__":
    main()
