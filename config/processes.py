"""Stopping the child processes a launcher started (``config.run``, ``config.workers``)."""

from __future__ import annotations

import os
import signal
import subprocess
import time


def stop_process_groups(children: list[subprocess.Popen], *, grace_s: float) -> None:
    """SIGTERM to each child's process group (they were started with ``start_new_session``), then up to
    ``grace_s`` seconds for all of them to finish, then SIGKILL to those still running."""
    for child in children:
        if child.poll() is None:
            try:
                os.killpg(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace_s
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
