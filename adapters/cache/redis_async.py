"""The shared decision cache and rate limit, from the event loop (redis.asyncio).

Same keys, values and script as adapters/cache/redis.py, whose blocking client imports and
commands use to invalidate. Redis is never the only copy of anything: when it is down the
cache misses and the gateway answers from SQL.
"""

from __future__ import annotations

import time
from datetime import date

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from adapters.cache.codec import encode_decision
from adapters.cache.redis import (
    GCRA_SCRIPT,
    REDIS_TIMEOUT_SECONDS,
    RedisOutage,
    cache_field,
    decision_key,
    fail_fast,
    pack_decision,
    unpack_decision,
)
from adapters.crypto import BlindIndex
from domain.eligibility import EligibilityDecision
from domain.members import PersonIdentifier
from domain.ports import RateLimiter


def make_async_redis(url: str, *, timeout: float = REDIS_TIMEOUT_SECONDS) -> aioredis.Redis:
    """An event-loop client that fails fast (create it inside the loop that will use it)."""
    return aioredis.Redis.from_url(url, **fail_fast(timeout, Retry(NoBackoff(), 0)))


class AsyncRedisDecisionCache:
    """domain.ports.DecisionCache: one Redis hash per person, one field per (day, rules)."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        index: BlindIndex,
        ttl_seconds: int = 300,
        prefix: str = "amo:",
    ) -> None:
        self._client = client
        self._index = index
        self._ttl = ttl_seconds
        self._prefix = prefix
        self._outage = RedisOutage("eligibility answered without cache")

    async def get(
        self, identifier: PersonIdentifier, day: date, version: str
    ) -> EligibilityDecision | None:
        """A cached decision still fresh, or None (also when Redis is down)."""
        if not self._outage.available():
            return None
        key = decision_key(self._index, self._prefix, identifier)
        try:
            value = await self._client.hget(key, cache_field(day, version))  # type: ignore[misc]
        except (redis.RedisError, OSError) as error:
            self._outage.failed(redis.RedisError(str(error)))
            return None
        return None if value is None else unpack_decision(value)

    async def put(
        self, identifier: PersonIdentifier, decision: EligibilityDecision, version: str
    ) -> None:
        """Cache a decision; the person's hash expires ttl_seconds after the last put."""
        if not self._outage.available():
            return
        key = decision_key(self._index, self._prefix, identifier)
        field = cache_field(decision.date_of_care, version)
        value = pack_decision(time.time() + self._ttl, encode_decision(decision))
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.hset(key, field, value).expire(key, self._ttl)
                await pipe.execute()
        except (redis.RedisError, OSError) as error:
            self._outage.failed(redis.RedisError(str(error)))


class AsyncRedisRateLimiter:
    """domain.ports.RateLimiter shared by replicas: one atomic script call per request.

    While Redis is unreachable the limit is still applied, by `fallback` (in this process):
    an outage must not open a way round the limit."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        rate_per_second: float,
        burst: int,
        fallback: RateLimiter,
        prefix: str = "amo:",
    ) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least 1")
        self._script = client.register_script(GCRA_SCRIPT)  # EVALSHA, EVAL once if not loaded
        self._args = (repr(1.0 / rate_per_second), burst)
        self._prefix = prefix
        self._fallback = fallback
        self._outage = RedisOutage("requests rate limited per process")

    async def hit(self, key: str) -> float:
        """Count one request; 0.0 if allowed, else the seconds to wait."""
        if not self._outage.available():
            return await self._fallback.hit(key)
        try:
            wait = await self._script(keys=[f"{self._prefix}rl:{key}"], args=self._args)
        except (redis.RedisError, OSError) as error:
            self._outage.failed(redis.RedisError(str(error)))
            return await self._fallback.hit(key)
        return float(wait)
