"""The channel layer: channels_redis, with two repairs.

1. A connection pool that makes a burst wait for a connection. channels_redis builds a plain
   ``redis.asyncio.ConnectionPool`` per host, which refuses the 101st connection in use at once with
   ``MaxConnectionsError``. When hundreds of websocket clients connect together (every client reconnects after a
   restart or a network blip), each joins its groups at the same moment and the sockets past that count failed
   their handshake with a 500. A blocking pool of the same size makes them wait their turn for a connection (a few
   milliseconds each) instead.

2. Cleanup locks that forget a cancelled waiter. Every socket of a process receives through one process channel,
   guarded by a lock held until the previous message's backup copy is deleted. channels_redis counts waiters on
   that lock but does not uncount one that is cancelled while waiting (a socket closed at that moment), so the
   lock is never dropped; it stays tied to the event loop that first waited on it, and the next time two receives
   meet on it in another event loop (``async_to_sync`` calls, a restarted loop) the receive fails with "bound to a
   different event loop" and that socket stops getting events. Here a cancelled waiter is uncounted and locks are
   kept per event loop.
"""

from __future__ import annotations

import asyncio

import redis.asyncio
from channels_redis.core import ChannelLock
from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer

POOL_SIZE = 100  # redis-py's default ceiling for one process
POOL_WAIT_S = 10


class CleanupLocks(ChannelLock):
    """channels_redis' per-channel locks, kept per running event loop, uncounting a waiter that is cancelled.

    A lock exists while someone holds it or waits for it, and is dropped when the last of them is done, whether it
    released the lock or was cancelled before getting it.
    """

    @staticmethod
    def _key(channel: str) -> tuple[asyncio.AbstractEventLoop, str]:
        return asyncio.get_running_loop(), channel

    async def acquire(self, channel: str) -> bool:
        key = self._key(channel)
        try:
            return await super().acquire(key)
        except BaseException:
            self.wait_counts[key] -= 1
            if self.wait_counts[key] < 1:
                del self.locks[key], self.wait_counts[key]
            raise

    def release(self, channel: str) -> None:
        super().release(self._key(channel))


class RedisChannelLayer(BaseRedisChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.receive_clean_locks = CleanupLocks()

    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:  # sentinels or keyword hosts: as channels_redis builds them
            return super().create_pool(index)
        address = host.pop("address")
        host.setdefault("max_connections", POOL_SIZE)
        host.setdefault("timeout", POOL_WAIT_S)
        return redis.asyncio.BlockingConnectionPool.from_url(address, **host)
