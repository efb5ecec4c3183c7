"""Requests being answered per Idempotency-Key: in process, and in a real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from adapters.cache.in_flight import MemoryInFlight, RedisInFlight
from adapters.cache.redis_async import make_async_redis
from domain.idempotency_ports import Lease
from tests.integration.conftest import RedisTarget

pytestmark = pytest.mark.anyio
DOWN = "redis://127.0.0.1:1/0"


class Ticking:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TestMemoryInFlight:
    async def test_a_held_key_is_refused_until_given_back(self) -> None:
        in_flight = MemoryInFlight(ttl_seconds=30)
        lease = await in_flight.begin("t1", "k1")
        assert lease is not None and lease.token
        assert await in_flight.begin("t1", "k1") is None
        assert await in_flight.begin("t2", "k1") is not None  # another tenant's key
        await in_flight.end(lease)
        assert await in_flight.begin("t1", "k1") is not None

    async def test_a_lease_lapses_after_its_time(self) -> None:
        clock = Ticking()
        in_flight = MemoryInFlight(ttl_seconds=30, clock=clock)
        stale = await in_flight.begin("t1", "k1")
        clock.now += 31
        fresh = await in_flight.begin("t1", "k1")
        assert stale is not None and fresh is not None
        await in_flight.end(stale)  # the lapsed holder does not free the new one's key
        assert await in_flight.begin("t1", "k1") is None

    async def test_of_many_at_once_one_gets_the_key(self) -> None:
        in_flight = MemoryInFlight(ttl_seconds=30)
        leases = await asyncio.gather(*(in_flight.begin("t1", "k1") for _ in range(20)))
        assert sum(lease is not None for lease in leases) == 1


@pytest.fixture
async def client(redis_target: RedisTarget) -> AsyncIterator[aioredis.Redis]:
    """An event-loop client on the test database."""
    made = make_async_redis(redis_target.url)
    yield made
    await made.aclose()


@pytest.mark.redis
class TestRedisInFlight:
    async def test_a_held_key_is_refused_until_given_back(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        in_flight = RedisInFlight(client, ttl_seconds=30, prefix=redis_target.prefix)
        lease = await in_flight.begin("t1", "k1")
        assert lease is not None and lease.token
        other = RedisInFlight(client, ttl_seconds=30, prefix=redis_target.prefix)  # a replica
        assert await other.begin("t1", "k1") is None
        assert await other.begin("t2", "k1") is not None
        ttl = redis_target.client.pttl(f"{redis_target.prefix}inflight:t1:k1")
        assert 0 < int(ttl) <= 30_000  # type: ignore[arg-type]
        await in_flight.end(lease)
        assert await other.begin("t1", "k1") is not None

    async def test_a_lease_lapses_and_its_holder_cannot_free_the_next(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        in_flight = RedisInFlight(client, ttl_seconds=0.2, prefix=redis_target.prefix)
        stale = await in_flight.begin("t1", "k1")
        await asyncio.sleep(0.3)
        fresh = await in_flight.begin("t1", "k1")
        assert stale is not None and fresh is not None
        await in_flight.end(stale)
        assert await in_flight.begin("t1", "k1") is None  # still the fresh one's

    async def test_of_many_at_once_one_gets_the_key(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        in_flight = RedisInFlight(client, ttl_seconds=30, prefix=redis_target.prefix)
        leases = await asyncio.gather(*(in_flight.begin("t1", "k9") for _ in range(20)))
        assert sum(lease is not None for lease in leases) == 1


class TestRedisAway:
    async def test_redis_away_lets_the_request_go_on_unheld(self) -> None:
        """The stored answers' unique key is then the guard: never a refusal for Redis."""
        down = make_async_redis(DOWN)
        try:
            in_flight = RedisInFlight(down, ttl_seconds=30)
            first = await in_flight.begin("t1", "k1")
            second = await in_flight.begin("t1", "k1")
            assert first == second == Lease("t1", "k1")
            await in_flight.end(Lease("t1", "k1", "lost"))  # no error either
        finally:
            await down.aclose()
