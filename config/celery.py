import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("riff")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _log_stack(**_kwargs) -> None:
    from config.stack import describe_stack

    logging.getLogger("riff.worker").info("worker ready: %s", describe_stack())
