"""ASGI entry point: HTTP through Django, one websocket endpoint at /ws/."""

import logging
import os
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)


class PooledThreadASGIHandler(ASGIHandler):
    """Django's ASGI handler, with the request's synchronous work on a reused thread.

    Django runs each request's synchronous code (middleware, views) on a thread of its own, and its stock
    handler makes a new thread for every request and joins it afterwards from yet another one. A new thread
    also means a new database connection (Django keeps them per thread), so every request paid for a connect
    and a disconnect. Here each request still has one thread to itself for as long as it runs, but the thread
    comes from an idle list and goes back to it, so its connection lives on (``CONN_MAX_AGE`` and the health
    checks decide when it is replaced, as under a threaded WSGI server). At most ``HTTP_IDLE_THREADS`` wait
    idle; a burst makes more and the surplus is retired, closing its connections first. A thread runs its
    calls in order, so a call the client abandoned (Django sends ``request_finished`` after it) is over
    before the next request's first call starts there.
    """

    idle_threads = int(os.environ.get("HTTP_IDLE_THREADS", "16"))

    def __init__(self):
        super().__init__()
        self._idle: list[ThreadPoolExecutor] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self._idle.pop() if self._idle else ThreadPoolExecutor(max_workers=1, thread_name_prefix="http")
        finished = False
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
            finished = True
        finally:
            if finished and len(self._idle) < self.idle_threads:
                self._idle.append(executor)
            else:
                _retire(executor)


def _retire(executor: ThreadPoolExecutor) -> None:
    """Close the thread's database connections after whatever it still runs, then let the thread end."""
    from django.db import connections

    executor.submit(connections.close_all)
    executor.shutdown(wait=False)


django_asgi_app = PooledThreadASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from accounts.ws_auth import SessionOrTokenAuthMiddleware  # noqa: E402
from config.stack import describe_stack  # noqa: E402
from feed.consumers import EventsConsumer  # noqa: E402

websocket_urlpatterns = [path("ws/", EventsConsumer.as_asgi())]



async def lifespan(scope, receive, send):
    """The server's start and stop: log the active stack once when a web process starts serving."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            logging.getLogger("riff.web").info("web ready: %s", describe_stack())
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(SessionOrTokenAuthMiddleware(URLRouter(websocket_urlpatterns))),
        "lifespan": lifespan,
    }
)
