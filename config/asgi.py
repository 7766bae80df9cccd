"""ASGI entry point: HTTP through Django, one websocket endpoint at /ws/."""

import logging
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

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
