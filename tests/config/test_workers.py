"""``make workers``: one generation worker per visible GPU, pinned with CUDA_VISIBLE_DEVICES, one job at a time, and
a worker for the CPU queue; with no GPU, one generation worker on the CPU."""

from __future__ import annotations

import subprocess
import sys

import pytest

from config.workers import plan, visible_gpus
from tests.conftest import ROOT


def test_one_generation_worker_per_gpu_pinned_to_it_and_a_cpu_worker():
    workers = plan(["0", "1", "3"], python="python")
    assert [w.name for w in workers] == ["gpu0", "gpu1", "gpu3", "cpu"]
    for worker, gpu in zip(workers, ["0", "1", "3"]):
        assert worker.env == {"CUDA_VISIBLE_DEVICES": gpu, "GENERATION_DEVICE": "cuda"}
        command = " ".join(worker.command)
        assert "-Q generation -P solo -c 1 --prefetch-multiplier 1" in command and f"-n gpu{gpu}@%h" in command
    assert workers[-1].env == {"CUDA_VISIBLE_DEVICES": ""} and "-Q default" in " ".join(workers[-1].command)


def test_without_a_gpu_one_generation_worker_runs_on_the_cpu():
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": ""}) == [] and visible_gpus({"CUDA_VISIBLE_DEVICES": "-1"}) == []
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": "2, 5"}) == ["2", "5"]
    workers = plan([], python="python")
    assert [w.name for w in workers] == ["cpu-generation", "cpu"]
    assert workers[0].env == {"CUDA_VISIBLE_DEVICES": ""}


def test_the_dry_run_prints_the_workers_and_starts_nothing():
    done = subprocess.run([sys.executable, "-m", "config.workers", "--dry-run"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": "0,1"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["gpu0", "gpu1", "cpu"]
    assert "CUDA_VISIBLE_DEVICES='1'" in lines[1] and "celery -A config worker" in lines[1]


def test_context_parallelism_groups_the_gpus_and_leaves_the_rest_alone():
    workers = plan(["0", "1", "2", "3", "4"], python="python", context_parallel="ulysses:2")
    assert [w.name for w in workers] == ["gpus0-1", "gpus2-3", "gpu4", "cpu"]
    group = workers[0]
    assert group.env == {"CUDA_VISIBLE_DEVICES": "0,1", "GENERATION_DEVICE": "cuda"}
    command = " ".join(group.command)
    assert command.startswith("python -m torch.distributed.run --standalone --nproc-per-node 2 "
                              "-m config.parallel_worker")
    assert "-Q generation -P solo -c 1 --prefetch-multiplier 1" in command and "-n gpus0-1@%h" in command
    # a GPU left over works alone: the setting is cleared for it
    assert workers[2].env == {"CUDA_VISIBLE_DEVICES": "4", "GENERATION_DEVICE": "cuda", "GENERATION_CONTEXT_PARALLEL": ""}
    with pytest.raises(ValueError, match="across 4 GPUs; this machine shows 2"):
        plan(["0", "1"], python="python", context_parallel="ring:4")
    done = subprocess.run([sys.executable, "-m", "config.workers", "--dry-run"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": "0",
                                                      "GENERATION_CONTEXT_PARALLEL": "ring:2"})
    assert done.returncode == 2 and "ring:2 shares each job across 2 GPUs" in done.stdout
