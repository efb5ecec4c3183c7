"""The shared decision cache, rate limiter and invalidation, on a real Redis."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date

import pytest
import redis.asyncio as aioredis

from adapters.cache.memory import MemoryRateLimiter
from adapters.cache.redis import RedisCacheInvalidation, make_redis
from adapters.cache.redis_async import (
    AsyncRedisDecisionCache,
    AsyncRedisRateLimiter,
    make_async_redis,
)
from adapters.crypto import BlindIndex, new_key
from tests.integration.builders import CIN, IDCS, decision
from tests.integration.conftest import RedisTarget

pytestmark = [pytest.mark.redis, pytest.mark.anyio]
DAY = date(2026, 3, 2)
INDEX = BlindIndex(base64.b64decode(new_key()))
DOWN = "redis://127.0.0.1:1/0"


@pytest.fixture
async def client(redis_target: RedisTarget) -> AsyncIterator[aioredis.Redis]:
    """An event-loop client on the test database."""
    made = make_async_redis(redis_target.url)
    yield made
    await made.aclose()


@pytest.fixture
async def down() -> AsyncIterator[aioredis.Redis]:
    """An event-loop client of a Redis that is not there."""
    made = make_async_redis(DOWN)
    yield made
    await made.aclose()


def _cache(
    client: aioredis.Redis, target: RedisTarget, ttl_seconds: int = 300
) -> AsyncRedisDecisionCache:
    return AsyncRedisDecisionCache(
        client, index=INDEX, ttl_seconds=ttl_seconds, prefix=target.prefix
    )


def local(rate: float, burst: int) -> MemoryRateLimiter:
    """The in-process limiter that stands in while Redis is away."""
    return MemoryRateLimiter(rate_per_second=rate, burst=burst)


def _key(target: RedisTarget) -> str:
    return f"{target.prefix}elig:{INDEX.digest('cin', CIN.value)}"


class TestAsyncRedisDecisionCache:
    async def test_put_then_get(self, client: aioredis.Redis, redis_target: RedisTarget) -> None:
        cache = _cache(client, redis_target)
        await cache.put(CIN, decision(), "2026.1")
        assert await cache.get(CIN, DAY, "2026.1") == decision()
        assert await cache.get(CIN, DAY, "2026.2") is None
        assert await cache.get(IDCS, DAY, "2026.1") is None

    async def test_one_hash_per_person_keyed_by_blind_index(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        await _cache(client, redis_target).put(CIN, decision(), "2026.1")
        await _cache(client, redis_target).put(
            CIN, replace(decision(), date_of_care=date(2026, 3, 3)), "2026.1"
        )
        key = _key(redis_target)
        assert sorted(redis_target.client.hkeys(key)) == [
            b"2026-03-02|2026.1",
            b"2026-03-03|2026.1",
        ]
        keys = list(redis_target.client.scan_iter(match=f"{redis_target.prefix}*"))
        assert keys == [key.encode()] and CIN.value.encode() not in keys[0]

    async def test_put_sets_the_ttl(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        await _cache(client, redis_target, ttl_seconds=120).put(CIN, decision(), "2026.1")
        assert 0 < redis_target.client.ttl(_key(redis_target)) <= 120

    async def test_expired_field_is_a_miss_even_if_the_hash_lives_on(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        await _cache(client, redis_target, ttl_seconds=1).put(CIN, decision(), "2026.1")
        await _cache(client, redis_target).put(CIN, decision(), "x")
        time.sleep(1.1)
        assert await _cache(client, redis_target).get(CIN, DAY, "2026.1") is None
        assert await _cache(client, redis_target).get(CIN, DAY, "x") is not None

    async def test_an_import_s_invalidation_deletes_the_people(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        cache = _cache(client, redis_target)
        await cache.put(CIN, decision(), "2026.1")
        await cache.put(IDCS, decision(), "2026.1")
        invalidation = RedisCacheInvalidation(
            redis_target.client, index=INDEX, prefix=redis_target.prefix
        )
        invalidation.invalidate([CIN, IDCS])
        assert await cache.get(CIN, DAY, "2026.1") is None
        assert await cache.get(IDCS, DAY, "2026.1") is None

    async def test_unreadable_value_is_a_miss(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        redis_target.client.hset(_key(redis_target), "2026-03-02|2026.1", b"garbage")
        assert await _cache(client, redis_target).get(CIN, DAY, "2026.1") is None


class TestRedisDown:
    async def test_cache_misses_and_swallows_writes(
        self, down: aioredis.Redis, caplog: pytest.LogCaptureFixture
    ) -> None:
        cache = AsyncRedisDecisionCache(down, index=INDEX, prefix="amo-test-down:")
        with caplog.at_level(logging.WARNING):
            assert await cache.get(CIN, DAY, "2026.1") is None
            await cache.put(CIN, decision(), "2026.1")
            assert await cache.get(CIN, DAY, "2026.1") is None
        assert len([r for r in caplog.records if "redis unavailable" in r.message]) == 1

    async def test_invalidation_swallows_the_outage(self, caplog: pytest.LogCaptureFixture) -> None:
        blocking = make_redis(DOWN)
        try:
            with caplog.at_level(logging.WARNING):
                RedisCacheInvalidation(blocking, index=INDEX).invalidate([CIN])
        finally:
            blocking.close()
        assert any("not invalidated" in r.message for r in caplog.records)

    async def test_the_limit_holds_in_process_while_redis_is_away(
        self, down: aioredis.Redis
    ) -> None:
        limiter = AsyncRedisRateLimiter(
            down, rate_per_second=1, burst=2, prefix="amo-test-down:", fallback=local(1, 2)
        )
        waits = [await limiter.hit("client-1") for _ in range(3)]
        assert waits[:2] == [0.0, 0.0] and waits[2] > 0
        assert await limiter.hit("client-2") == 0.0


class TestAsyncRedisRateLimiter:
    async def test_allows_the_burst_then_asks_to_wait(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        limiter = AsyncRedisRateLimiter(
            client, rate_per_second=1, burst=3, prefix=redis_target.prefix, fallback=local(1, 3)
        )
        assert [await limiter.hit("client-1") for _ in range(3)] == [0.0, 0.0, 0.0]
        assert 0.9 < await limiter.hit("client-1") <= 1.0
        assert await limiter.hit("client-2") == 0.0

    async def test_refills_at_the_rate(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        limiter = AsyncRedisRateLimiter(
            client, rate_per_second=20, burst=1, prefix=redis_target.prefix, fallback=local(20, 1)
        )
        assert await limiter.hit("client-1") == 0.0
        assert await limiter.hit("client-1") > 0
        time.sleep(0.06)
        assert await limiter.hit("client-1") == 0.0

    async def test_replicas_share_one_budget(
        self, client: aioredis.Redis, redis_target: RedisTarget
    ) -> None:
        other = make_async_redis(redis_target.url)
        try:
            replicas = [
                AsyncRedisRateLimiter(
                    c, rate_per_second=1, burst=2, prefix=redis_target.prefix, fallback=local(1, 2)
                )
                for c in (client, other)
            ]
            assert await replicas[0].hit("client-1") == 0.0
            assert await replicas[1].hit("client-1") == 0.0
            assert await replicas[0].hit("client-1") > 0
            assert await replicas[1].hit("client-1") > 0
        finally:
            await other.aclose()
