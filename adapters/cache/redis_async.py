"""The Redis reads of the hot path, for the event loop (redis.asyncio): the cached decision
and the rate limit. Same keys, values and script as adapters/cache/redis.py, which the
worker threads and imports keep using to write and invalidate.
"""

from __future__ import annotations

from datetime import date

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from adapters.cache.redis import (
    GCRA_SCRIPT,
    REDIS_TIMEOUT_SECONDS,
    RedisOutage,
    cache_field,
    decision_key,
    fail_fast,
    unpack_decision,
)
from adapters.crypto import BlindIndex
from domain.eligibility import EligibilityDecision
from domain.members import PersonIdentifier


def make_async_redis(url: str, *, timeout: float = REDIS_TIMEOUT_SECONDS) -> aioredis.Redis:
    """An event-loop client that fails fast (create it inside the loop that will use it)."""
    return aioredis.Redis.from_url(url, **fail_fast(timeout, Retry(NoBackoff(), 0)))


class AsyncRedisDecisionReader:
    """Reads cached decisions without blocking the event loop; None when Redis is down."""

    def __init__(self, client: aioredis.Redis, *, index: BlindIndex, prefix: str = "amo:") -> None:
        self._client = client
        self._index = index
        self._prefix = prefix
        self._outage = RedisOutage("eligibility answered without cache")

    async def get(
        self, identifier: PersonIdentifier, day: date, rules_version: str
    ) -> EligibilityDecision | None:
        """A cached decision still fresh, or None."""
        if not self._outage.available():
            return None
        key = decision_key(self._index, self._prefix, identifier)
        try:
            value = await self._client.hget(key, cache_field(day, rules_version))  # type: ignore[misc]
        except (redis.RedisError, OSError) as error:
            self._outage.failed(redis.RedisError(str(error)))
            return None
        return None if value is None else unpack_decision(value)


class AsyncRedisRateLimiter:
    """The shared GCRA limit, checked from the event loop; lets requests through if Redis fails."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        rate_per_second: float,
        burst: int,
        prefix: str = "amo:",
    ) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least 1")
        self._script = client.register_script(GCRA_SCRIPT)
        self._args = (repr(1.0 / rate_per_second), burst)
        self._prefix = prefix
        self._outage = RedisOutage("requests not rate limited")

    async def hit(self, key: str) -> float:
        """Count one request; 0.0 if allowed, else the seconds to wait."""
        if not self._outage.available():
            return 0.0
        try:
            wait = await self._script(keys=[f"{self._prefix}rl:{key}"], args=self._args)
        except (redis.RedisError, OSError) as error:
            self._outage.failed(redis.RedisError(str(error)))
            return 0.0
        return float(wait)
