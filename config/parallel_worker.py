"""One process of a context-parallel group: ``python -m torch.distributed.run --standalone --nproc-per-node N -m
config.parallel_worker <celery worker options>`` (``python -m config.workers`` starts each group so, with
``CUDA_VISIBLE_DEVICES`` naming its GPUs).

Rank 0 is the group's Celery worker (its backend joins the group when it loads, at the worker's start); the other
ranks load the same backend and make its pipeline calls with it until rank 0 stops
(``generation.backends.diffusers.parallel``). A rank whose backend cannot start exits with code 3 and a message,
and ``torch.distributed.run`` ends the others.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if int(os.environ.get("RANK", "0")) == 0:
        from config.celery import app  # the Celery command sets Django up

        try:
            app.worker_main(["worker", *argv])
        finally:
            worker = sys.modules.get("generation.worker")
            backend = getattr(worker, "_backend", None)
            if getattr(backend, "group", None) is not None:
                backend.group.send_exit()  # the other ranks return from follow() and exit
        return 0
    import django

    django.setup()
    from generation.worker import load_backend

    try:
        backend = load_backend()
    except Exception as exc:
        print(f"cannot start the generation worker (rank {os.environ.get('RANK')}): {exc}", flush=True)
        return 3
    if getattr(backend, "group", None) is None:
        print("GENERATION_CONTEXT_PARALLEL is not set: a group of ranks has nothing to share", flush=True)
        return 3
    backend.follow()
    return 0


if __name__ == "__main__":
    sys.exit(main())
