"""The channel layer: channels_redis, with a connection pool that makes a burst wait for a connection.

channels_redis builds a plain ``redis.asyncio.ConnectionPool`` per host, which refuses the 101st connection in use
at once with ``MaxConnectionsError``. When hundreds of websocket clients connect together (every client
reconnects after a restart or a network blip), each joins its groups at the same moment and the sockets past that
count failed their handshake with a 500. A blocking pool of the same size makes them wait their turn for a
connection (a few milliseconds each) instead.
"""

from __future__ import annotations

import redis.asyncio
from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer

POOL_SIZE = 100  # redis-py's default ceiling for one process
POOL_WAIT_S = 10


class RedisChannelLayer(BaseRedisChannelLayer):
    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:  # sentinels or keyword hosts: as channels_redis builds them
            return super().create_pool(index)
        address = host.pop("address")
        host.setdefault("max_connections", POOL_SIZE)
        host.setdefault("timeout", POOL_WAIT_S)
        return redis.asyncio.BlockingConnectionPool.from_url(address, **host)
