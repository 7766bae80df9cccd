"""The one websocket endpoint, /ws/.

An authenticated socket joins ``user.<id>``; it may subscribe to ``post.<id>`` groups for posts it is allowed to
see. Anonymous sockets are closed with code 4401. Events arrive as ``{"type": "riff.event", "event": {...}}`` from
the channel layer and are forwarded as the plain event dict.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.events import post_group, user_group

from .selectors import post_visible_to

CLOSE_UNAUTHENTICATED = 4401
MAX_SUBSCRIPTIONS = 50


class EventsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        self.groups_joined: set[str] = set()
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.send_json({"type": "error", "code": "unauthenticated", "detail": "Log in to receive live updates."})
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        group = user_group(user.pk)
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.pk})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return await self.send_json({"type": "error", "code": "invalid", "detail": "Messages are JSON objects."})
        kind = content.get("type")
        if kind in ("subscribe", "unsubscribe"):
            post_id = content.get("post")
            if not isinstance(post_id, int) or isinstance(post_id, bool):
                return await self.send_json({"type": "error", "code": "invalid", "detail": "'post' must be a post id."})
            group = post_group(post_id)
            if kind == "unsubscribe":
                if group in self.groups_joined:
                    await self.channel_layer.group_discard(group, self.channel_name)
                    self.groups_joined.discard(group)
                return await self.send_json({"type": "unsubscribed", "post": post_id})
            if len(self.groups_joined) > MAX_SUBSCRIPTIONS:
                return await self.send_json({"type": "error", "code": "too_many", "detail": "Too many subscriptions."})
            if not await self._can_see_post(post_id):
                return await self.send_json({"type": "error", "code": "not_found", "detail": "No such post.", "post": post_id})
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.add(group)
            return await self.send_json({"type": "subscribed", "post": post_id})
        if kind == "ping":
            return await self.send_json({"type": "pong"})
        return await self.send_json({"type": "error", "code": "invalid", "detail": f"Unknown message type {kind!r}."})

    async def riff_event(self, message):
        await self.send_json(message["event"])

    async def riff_revoke(self, message):
        """The credential this socket was opened with was revoked (a session or token ended, a password changed,
        the account closed): close at once. ``credentials`` None means every socket of the member but ``keep``."""
        mine = self.scope.get("auth_credential")
        event = message.get("event") or {}
        credentials, keep = event.get("credentials"), event.get("keep")
        if (credentials is None and (keep is None or mine != keep)) or (credentials and mine in credentials):
            await self.send_json({"type": "signed_out"})
            await self.close(code=CLOSE_UNAUTHENTICATED)

    @database_sync_to_async
    def _can_see_post(self, post_id: int) -> bool:
        return post_visible_to(post_id=post_id, user=self.scope["user"])
