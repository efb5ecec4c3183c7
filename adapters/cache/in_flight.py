"""Requests being answered per (tenant, Idempotency-Key): domain.idempotency_ports.InFlight.

In this process (the embedded default: one process serves), or in Redis, shared by replicas:
`SET key token NX PX ttl` takes a lease, a compare-and-delete script gives it back, and the
TTL frees the key of a process that died holding it. Redis is never the only copy of
anything: while it is unreachable a lease is granted unheld, and the unique key of the stored
answers (adapters/sql/idempotency.py) alone refuses a second record, whose request then
answers the first's.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

import redis
import redis.asyncio as aioredis

from adapters.cache.redis import RedisOutage
from domain.idempotency_ports import Lease

# Give a lease back only if it is still ours: a lease that lapsed may be another's by now.
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""
SWEEP_ABOVE = 10_000  # leases held in process past which lapsed ones are forgotten


class MemoryInFlight:
    """InFlight in this process: leases in a dict, under a lock (threads and loops alike)."""

    def __init__(self, *, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._held: dict[tuple[str, str], tuple[str, float]] = {}  # -> (token, lapses at)

    async def begin(self, tenant: str, key: str) -> Lease | None:
        """A lease on the key, or None while another request holds it."""
        now = self._clock()
        with self._lock:
            held = self._held.get((tenant, key))
            if held is not None and held[1] > now:
                return None
            if len(self._held) >= SWEEP_ABOVE:
                self._held = {k: v for k, v in self._held.items() if v[1] > now}
            token = secrets.token_hex(8)
            self._held[(tenant, key)] = (token, now + self._ttl)
        return Lease(tenant, key, token)

    async def end(self, lease: Lease) -> None:
        """Give the lease back, if it is still the one held."""
        with self._lock:
            held = self._held.get((lease.tenant, lease.key))
            if held is not None and held[0] == lease.token:
                del self._held[(lease.tenant, lease.key)]


class RedisInFlight:
    """InFlight shared by replicas: one Redis key per lease, lapsing after `ttl_seconds`."""

    def __init__(self, client: aioredis.Redis, *, ttl_seconds: float, prefix: str = "amo:") -> None:
        self._client = client
        self._ttl_ms = max(1, round(ttl_seconds * 1000))
        self._prefix = prefix
        self._release = client.register_script(RELEASE_SCRIPT)
        self._outage = RedisOutage("idempotency keys kept once by SQL alone")

    def _key(self, tenant: str, key: str) -> str:
        return f"{self._prefix}inflight:{tenant}:{key}"

    async def begin(self, tenant: str, key: str) -> Lease | None:
        """A lease on the key, or None while another holds it; unheld when Redis is away."""
        if not self._outage.available():
            return Lease(tenant, key)
        token = secrets.token_hex(8)
        try:
            taken = await self._client.set(self._key(tenant, key), token, nx=True, px=self._ttl_ms)
        except (redis.RedisError, OSError) as error:
            self._outage.failed(redis.RedisError(str(error)))
            return Lease(tenant, key)
        return Lease(tenant, key, token) if taken else None

    async def end(self, lease: Lease) -> None:
        """Give the lease back if it is still ours (else, or Redis away, it lapses)."""
        if not lease.token:
            return
        try:
            await self._release(keys=[self._key(lease.tenant, lease.key)], args=[lease.token])
        except (redis.RedisError, OSError) as error:
            self._outage.failed(redis.RedisError(str(error)))
