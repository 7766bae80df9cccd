"""What the benchmarks share: a free port, and a web server (uvicorn) started on loopback and waited for."""

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
