"""Fault tests on the production topology (PostgreSQL + Redis + S3 started by ``make test-production`` through
``config.topology``). They need RIFF_TOPOLOGY_DIR and are skipped on the embedded stack."""

import os
from pathlib import Path

import pytest


@pytest.fixture
def topology():
    root = os.environ.get("RIFF_TOPOLOGY_DIR")
    if not root:
        pytest.skip("runs on the production topology only (make test-production)")
    from config.topology import Topology

    return Topology(Path(root))
