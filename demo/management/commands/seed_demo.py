from django.core.management.base import BaseCommand
from django.db import transaction

from demo import seed
from demo.tasks import seed_demo_continue


class Command(BaseCommand):
    help = "Create the demo members and queue the demo clips (once; running it again changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--users-only", action="store_true", help="create the demo members but no clips")

    def handle(self, *args, **options):
        with transaction.atomic():
            users = seed.seed_users()
        if options["users_only"]:
            self.stdout.write("demo members ready")
            return
        queued = seed.seed_clips(users)
        if queued:
            transaction.on_commit(lambda: seed_demo_continue.apply_async(countdown=20))
            self.stdout.write(f"demo members ready; {queued} demo clips queued (the worker makes them in the background)")
        else:
            self.stdout.write("demo content already there")
