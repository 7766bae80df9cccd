"""ASGI entry point: HTTP through Django, one websocket endpoint at /ws/."""

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix
from django.core.handlers.base import BaseHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)


class PooledThreadASGIHandler(ASGIHandler):
    """Django's ASGI handler, tuned for synchronous views on a few threads.

    - The middleware chain and the view run as one synchronous call, as under WSGI. Django's ASGI handler builds
      an asynchronous chain, and with synchronous middleware and views that meant four hops between the event
      loop and the request's thread per request.
    - At most ``HTTP_THREADS`` requests run that call at once in a process; the others wait on the event loop
      (reading request bodies and sending responses, file streaming included, is not counted). Python runs one
      thread at a time, and every thread beyond that contends for the interpreter lock: the SQLite driver
      releases and takes it back for every row it reads, so sixteen threads made a feed page cost twice the CPU
      time it costs on one, most of it spent in the kernel on that lock. Two keep the CPU busy while one waits on
      the database or Redis; add processes, not threads, to use more cores.
    - Each request still has one thread to itself while it runs, but the thread comes from an idle list and goes
      back to it (Django's stock handler makes a new thread for every request and joins it from yet another
      one), so its database connection lives on: ``CONN_MAX_AGE`` and the health checks decide when it is
      replaced, as under a threaded WSGI server. At most ``HTTP_IDLE_THREADS`` wait idle; the surplus is
      retired, closing its connections first. A thread runs its calls in order, so a call the client abandoned
      (Django sends ``request_finished`` after it) is over before the next request's first call starts there.
    """

    idle_threads = int(os.environ.get("HTTP_IDLE_THREADS", "16"))

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
            slots = asyncio.Semaphore(max(1, int(os.environ.get("HTTP_THREADS", "2"))))
            self._running = (loop, slots)
        return slots

    async def handle(self, scope, receive, send):
        """Django's ``ASGIHandler.handle``, with the request's synchronous steps in one call on its thread: the
        ``request_started`` signal, building the request, the middleware and the view (Django makes one call for
        the signal and another for the rest). A response whose body is in memory is also closed there
        (``request_finished``) before the event loop sends it; a streamed one (files) is closed after it is sent,
        as Django does. Django also watches for the client going away while the view runs,
        to cancel an asynchronous view; a synchronous one runs to its end either way, and sending to a client that
        left is a no-op."""
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
            async with self._slots():
                response = await sync_to_async(respond, thread_sensitive=True)()
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:
                    await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    async def get_response_async(self, request):
        async with self._slots():
            return await sync_to_async(self.get_response, thread_sensitive=True)(request)

    def retire_idle_threads(self) -> None:
        """End the idle request threads, closing their database connections (tests, before the test database
        is dropped)."""
        while self._idle:
            _retire(self._idle.pop(), wait=True)

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


def _retire(executor: ThreadPoolExecutor, *, wait: bool = False) -> None:
    """Close the thread's database connections after whatever it still runs, then let the thread end."""
    from django.db import connections

    executor.submit(connections.close_all)
    executor.shutdown(wait=wait)


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
