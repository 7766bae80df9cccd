"""Context parallelism (GENERATION_CONTEXT_PARALLEL): the settings are checked when the worker starts, and the
ranks of a group make every pipeline call together — rank 0 sends each call and each step's stop, so a cancel
stops every rank at the same step and the group's other ranks exit when rank 0 stops.

The group runs here for real on the CPU: two processes under ``torch.distributed.run`` (gloo) with the tiny Wan
model, the follower making the same calls as rank 0. What it cannot do on a CPU is shard the attention itself:
diffusers' context parallelism runs on accelerators only, so the setting is refused without CUDA (tested) and
the sharded run is measured by bench/gpu.py on a machine with GPUs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("diffusers")

from generation.backends.diffusers import BackendConfigError, DiffusersBackend  # noqa: E402
from generation.backends.diffusers.parallel import parallel_config, parse_setting  # noqa: E402
from generation.backends.tiny import make_tiny_model  # noqa: E402
from tests.conftest import ROOT  # noqa: E402


@pytest.fixture(scope="module")
def wan(tmp_path_factory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("parallel-model") / "wan", "wan")


@pytest.mark.parametrize("value", ["ulysses", "ulysses:1", "ring:two", "tensor:2", "ulysses:-2"])
def test_a_malformed_setting_is_refused(value):
    with pytest.raises(BackendConfigError, match="GENERATION_CONTEXT_PARALLEL"):
        parse_setting(value)
    assert parse_setting("") is None and str(parse_setting("ring:4")) == "ring:4"


def test_the_settings_become_diffusers_context_parallel_configs():
    ulysses, ring = parallel_config(parse_setting("ulysses:4")), parallel_config(parse_setting("ring:2"))
    assert (ulysses.ulysses_degree, ulysses.ring_degree, ulysses.ulysses_anything) == (4, 1, True)
    assert (ring.ring_degree, ring.ulysses_degree, ring.ring_anything) == (2, 1, True)


def test_context_parallelism_without_cuda_is_refused_at_start(wan):
    with pytest.raises(BackendConfigError, match="needs CUDA GPUs"):
        DiffusersBackend(model_dir=wan, steps=2, short_side=64, context_parallel="ulysses:2", device="cpu")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_group_makes_every_call_together_and_stops_together(wan, tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-addr", "127.0.0.1",
         "--master-port", str(_free_port()), str(ROOT / "tests" / "generation" / "parallel_rank.py"), str(wan),
         str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    leader = json.loads((tmp_path / "rank0.json").read_text())
    follower = json.loads((tmp_path / "rank1.json").read_text())
    # the cancel at step 3 stopped rank 0's progress there, and both ranks' denoising at the same step
    assert leader["cancelled"] and leader["progress"] == [1, 2, 3, 4, 5, 6, 1, 2, 3]
    assert follower["calls"] == 2 and follower["pipelines"] == ["WanPipeline", "WanPipeline"]
    # the same calls: every transformer pass of the follower computed what rank 0's did (same inputs, same seed),
    # and the cancelled call made half the passes of the whole one (3 of 6 steps)
    assert [len(p) for p in leader["passes"]] == [len(p) for p in follower["passes"]]
    assert len(leader["passes"][1]) * 2 == len(leader["passes"][0]) > 0
    for ours, theirs in zip(leader["passes"], follower["passes"]):
        assert np.allclose(ours, theirs, rtol=1e-6, atol=1e-6)


def test_a_group_that_cannot_share_its_jobs_here_refuses_to_start(wan, tmp_path):
    """The group's entry point as config.workers starts it: on a machine without CUDA the group stops at start with
    the message (rank 0 is the Celery worker, which loads the backend before it takes a job; torch.distributed.run
    ends the other rank with it)."""
    env = {**os.environ, "GENERATION_BACKEND": "diffusers", "GENERATION_MODEL": str(wan), "CUDA_VISIBLE_DEVICES": "",
           "GENERATION_CONTEXT_PARALLEL": "ulysses:2", "RIFF_VAR_DIR": str(tmp_path), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-addr", "127.0.0.1",
         "--master-port", str(_free_port()), "-m", "config.parallel_worker", "-Q", "generation", "-P", "solo",
         "-c", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "cannot start the generation worker: GENERATION_CONTEXT_PARALLEL needs CUDA GPUs" in output, output[-3000:]
