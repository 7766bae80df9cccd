"""ASGI entry point: HTTP through Django, one websocket endpoint at /ws/."""

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse
from django.urls import set_script_prefix

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)


class PooledThreadASGIHandler(ASGIHandler):
    """Django's ASGI handler, tuned for synchronous views on a few reused threads.

    - A request's synchronous steps (the ``request_started`` signal, building the request, the middleware and the
      view) run as one call on a thread, as under WSGI. Django's ASGI handler builds an asynchronous middleware
      chain and makes separate calls for the signal, the chain, the view and closing the response: with
      synchronous middleware and views that was five hops between the event loop and a thread per request.
    - At most ``HTTP_THREADS`` requests run that call at once in a process; the others wait on the event loop
      (reading request bodies and sending responses, file streaming included, are not counted). Python runs one
      thread at a time, and every thread beyond that contends for the interpreter lock: the SQLite driver
      releases and takes it back for every row it reads, so sixteen threads made a feed page cost twice the CPU
      time it costs on one, most of it in the kernel. Two keep the CPU busy while one waits on SQLite or Redis;
      with PostgreSQL, where every query is a round trip, the default is four. Add processes, not threads, to
      use more cores.
    - The ``HTTP_THREADS`` threads are made once and reused (Django's handler makes a new thread for every
      request and joins it from yet another one), so what a thread keeps lives on: its database connection
      (``CONN_MAX_AGE`` and the health checks decide when it is replaced, as under a threaded WSGI server) and
      the S3 client the storage keeps per thread (building one read botocore's JSON service models: tens of
      milliseconds per request once requests came on new threads). A thread runs its calls in order.
    - A response whose body is in memory is closed on its thread (``request_finished``) before the event loop
      sends it. A streamed one (files) is sent and closed as Django's handler does it, on a thread of its own.
      Django also watches for the client going away while the view runs, to cancel an asynchronous view; a
      synchronous one runs to its end either way, and sending to a client that left is a no-op.
    """

    def __init__(self):
        BaseHandler.__init__(self)  # not ASGIHandler's: it builds the asynchronous chain
        self.load_middleware(is_async=False)
        self._idle: list[ThreadPoolExecutor] = []
        self._running: tuple[asyncio.AbstractEventLoop | None, asyncio.Semaphore | None] = (None, None)

    def _slots(self) -> asyncio.Semaphore:
        """The HTTP_THREADS slots, one set per event loop (a semaphore belongs to the loop that first waits on it)."""
        loop = asyncio.get_running_loop()
        owner, slots = self._running
        if owner is not loop or slots is None:
            slots = asyncio.Semaphore(max(1, settings.HTTP_THREADS))
            self._running = (loop, slots)
        return slots

    async def _run(self, function):
        """``function()`` on one of the reused threads, once a slot is free."""
        async with self._slots():
            executor = self._idle.pop() if self._idle else ThreadPoolExecutor(max_workers=1, thread_name_prefix="http")
            try:
                async with ThreadSensitiveContext(executor=executor):
                    return await sync_to_async(function, thread_sensitive=True)()
            finally:
                self._idle.append(executor)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))

        def respond():
            signals.request_started.send(sender=self.__class__, scope=scope)
            request, error_response = self.create_request(scope, body_file)
            if request is None:
                return error_response
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size  # the ASGI server does the low-level chunking
            if not response.streaming:
                response.close()  # its body is in memory: nothing of the request is needed to send it
            return response

        try:
            response = await self._run(respond)
            if not response.streaming:
                await self.send_response(response, send)
                return
            async with ThreadSensitiveContext():  # a thread of its own for reading the stream, as Django does
                try:
                    await self.send_response(response, send)
                finally:
                    await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    async def get_response_async(self, request):
        """For callers of Django's API: the middleware chain here is synchronous, so Django's version (which
        awaits it) would not work."""
        return await self._run(lambda: self.get_response(request))

    def retire_idle_threads(self) -> None:
        """End the idle request threads, closing their database connections (tests, before the test database
        is dropped)."""
        from django.db import connections

        while self._idle:
            executor = self._idle.pop()
            executor.submit(connections.close_all)
            executor.shutdown(wait=True)


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
