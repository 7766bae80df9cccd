from celery import shared_task

from . import seed


@shared_task(name="demo.tasks.seed_demo_continue", ignore_result=True)
def seed_demo_continue(round: int = 0) -> None:
    """Queue the demo remixes when their parents are published; check again later until everything is there."""
    if not seed.seed_remixes_and_likes() and round < 60:
        seed_demo_continue.apply_async(kwargs={"round": round + 1}, countdown=15)
