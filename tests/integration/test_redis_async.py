"""The event loop's Redis reads: cached decisions and the shared rate limit."""

from __future__ import annotations

import asyncio
import secrets
from datetime import date

from adapters.cache.redis import RedisDecisionCache, RedisRateLimiter
from adapters.cache.redis_async import (
    AsyncRedisDecisionReader,
    AsyncRedisRateLimiter,
    make_async_redis,
)
from adapters.crypto import BlindIndex
from domain.eligibility import EligibilityDecision, EligibilityStatus
from domain.members import IdentifierKind, PersonIdentifier
from tests.e2e.services import REDIS_URL, redis_or_skip

INDEX = BlindIndex(b"k" * 32)
PERSON = PersonIdentifier(IdentifierKind.IDCS, "1234567890")
DAY = date(2026, 11, 25)


def decision() -> EligibilityDecision:
    return EligibilityDecision(
        status=EligibilityStatus.OPEN, date_of_care=DAY, rules_version="ref-1", scheme="AMO_TNS"
    )


class TestAsyncRedisDecisionReader:
    def test_reads_what_the_threads_cached(self) -> None:
        prefix = f"t{secrets.token_hex(4)}:"
        writer = RedisDecisionCache(redis_or_skip(), index=INDEX, prefix=prefix)
        writer.put(PERSON, decision())

        async def read() -> tuple[object, object]:
            client = make_async_redis(REDIS_URL)
            reader = AsyncRedisDecisionReader(client, index=INDEX, prefix=prefix)
            try:
                return (
                    await reader.get(PERSON, DAY, "ref-1"),
                    await reader.get(PERSON, DAY, "ref-2"),
                )
            finally:
                await client.aclose()

        hit, other_rules = asyncio.run(read())
        assert hit == decision()
        assert other_rules is None
        writer.invalidate([PERSON])

    def test_redis_down_is_a_miss_not_an_error(self) -> None:
        async def read() -> object:
            client = make_async_redis("redis://127.0.0.1:1/0")
            try:
                return await AsyncRedisDecisionReader(client, index=INDEX).get(PERSON, DAY, "r")
            finally:
                await client.aclose()

        assert asyncio.run(read()) is None


class TestAsyncRedisRateLimiter:
    def test_shares_the_limit_with_the_threads_limiter(self) -> None:
        prefix = f"t{secrets.token_hex(4)}:"
        sync = RedisRateLimiter(redis_or_skip(), rate_per_second=0.01, burst=2, prefix=prefix)
        assert sync.hit("c") == 0.0

        async def hits() -> list[float]:
            client = make_async_redis(REDIS_URL)
            limiter = AsyncRedisRateLimiter(client, rate_per_second=0.01, burst=2, prefix=prefix)
            try:
                return [await limiter.hit("c"), await limiter.hit("c")]
            finally:
                await client.aclose()

        second, third = asyncio.run(hits())
        assert second == 0.0
        assert third > 0

    def test_redis_down_lets_requests_through(self) -> None:
        async def hit() -> float:
            client = make_async_redis("redis://127.0.0.1:1/0")
            try:
                limiter = AsyncRedisRateLimiter(client, rate_per_second=1, burst=1)
                return await limiter.hit("c")
            finally:
                await client.aclose()

        assert asyncio.run(hit()) == 0.0
