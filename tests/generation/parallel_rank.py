"""One rank of the context-parallel group test (test_diffusers_parallel.py), run on the CPU under
``torch.distributed.run`` (gloo). Rank 0 makes two clips through the backend (the second cancelled at its third
step) and then stops the group; the other rank follows. Each rank writes the sum of each of its transformer's
outputs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django  # noqa: E402

django.setup()

import torch  # noqa: E402

from generation.backends.base import GenerationRequest, JobCancelled  # noqa: E402
from generation.backends.diffusers import DiffusersBackend  # noqa: E402
from generation.backends.diffusers.loading import transformer_of  # noqa: E402
from generation.backends.diffusers.parallel import Group, follow  # noqa: E402

STEPS = 6


def main() -> None:
    model_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    torch.distributed.init_process_group("gloo")
    group = Group()
    backend = DiffusersBackend(model_dir=model_dir, steps=STEPS, short_side=64, group=group)
    passes: list[float] = []  # one number per transformer pass: the sum of its output

    def digest(module, args, output) -> None:
        sample = output[0] if isinstance(output, tuple) else getattr(output, "sample", output)
        passes.append(float(sample.double().sum()))

    transformer_of(backend._base).register_forward_hook(digest)
    record: dict = {"rank": group.rank, "passes": []}
    if group.leader:
        progress: list[int] = []
        request = GenerationRequest(job_id=1, kind="text", prompt="a red ball rolls on the beach", duration_s=1.0,
                                    aspect="16:9", seed=4, short_side=64)
        clip = backend.generate(request, lambda done, total, **_: progress.append(done))
        record["passes"].append(list(passes))
        assert clip.frames.shape == (24, 64, 114, 3)

        def cancel_at_three(done: int, total: int, **_) -> None:
            progress.append(done)
            if done == 3:
                raise JobCancelled()

        try:
            backend.generate(GenerationRequest(job_id=2, kind="text", prompt="a blue box falls", duration_s=1.0,
                                               aspect="16:9", seed=5, short_side=64), cancel_at_three)
        except JobCancelled:
            record["cancelled"] = True
        record["passes"].append(passes[len(record["passes"][0]):])
        record["progress"] = progress
        group.send_exit()
    else:
        def call(pipeline: str, inputs: dict, seed: int) -> None:
            before = len(passes)
            backend.follow_call(pipeline, inputs, seed)
            record["passes"].append(passes[before:])
            record.setdefault("pipelines", []).append(pipeline)

        record["calls"] = follow(group, call)
    (out / f"rank{group.rank}.json").write_text(json.dumps(record))
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
