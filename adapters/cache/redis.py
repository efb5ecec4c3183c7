"""Redis: the shared decision cache's keys and values, the rate-limit script, invalidation.

The event loop's reads and writes are in adapters/cache/redis_async.py; this module holds
what they share and the blocking client that imports and commands use to invalidate.

Redis is never the only copy of anything: when it is down the cache misses, the limiter
lets requests through, and the gateway keeps answering from SQL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import date

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from adapters.cache.codec import decode_decision
from adapters.crypto import BlindIndex
from domain.eligibility import EligibilityDecision
from domain.members import PersonIdentifier

log = logging.getLogger(__name__)
REDIS_TIMEOUT_SECONDS = 0.25  # a cache slower than this is worse than no cache
PAUSE_AFTER_FAILURE_SECONDS = 1.0  # skip Redis this long after an error: no stall per request
WARN_EVERY_SECONDS = 60.0


def fail_fast(timeout: float, retry: object) -> dict[str, object]:
    """Client options: short timeouts and no retries (redis-py retries by default)."""
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": retry,
        "health_check_interval": 30,
    }


def make_redis(url: str, *, timeout: float = REDIS_TIMEOUT_SECONDS) -> redis.Redis:
    """A client for worker threads that fails fast."""
    return redis.Redis.from_url(url, **fail_fast(timeout, Retry(NoBackoff(), 0)))


class RedisOutage:
    """Remembers that Redis failed: callers skip it for a while; warns once in a while."""

    def __init__(self, what: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._what = what
        self._clock = clock
        self._paused_until = float("-inf")
        self._next_warning = float("-inf")

    def available(self) -> bool:
        """Whether Redis may be tried now."""
        return self._clock() >= self._paused_until

    def failed(self, error: redis.RedisError) -> None:
        """Record a failure; log it unless one was logged recently."""
        now = self._clock()
        self._paused_until = now + PAUSE_AFTER_FAILURE_SECONDS
        if now >= self._next_warning:
            self._next_warning = now + WARN_EVERY_SECONDS
            log.warning("redis unavailable, %s: %s", self._what, error)


class RedisCacheInvalidation:
    """domain.ports.CacheInvalidation of the shared cache, for imports and commands."""

    def __init__(self, client: redis.Redis, *, index: BlindIndex, prefix: str = "amo:") -> None:
        self._client = client
        self._index = index
        self._prefix = prefix
        self._outage = RedisOutage("cached decisions not invalidated")

    def invalidate(self, identifiers: Iterable[PersonIdentifier]) -> bool:
        """Forget every decision cached for these identifiers; False if Redis is unreachable."""
        keys = [decision_key(self._index, self._prefix, i) for i in identifiers]
        if not keys:
            return True
        if not self._outage.available():
            return False
        try:
            self._client.delete(*keys)
        except redis.RedisError as error:
            self._outage.failed(error)
            return False
        return True


def decision_key(index: BlindIndex, prefix: str, identifier: PersonIdentifier) -> str:
    """The Redis hash holding a person's cached decisions (blind index: no identifier)."""
    return f"{prefix}elig:{index.digest(identifier.kind.value, identifier.value)}"


def cache_field(day: date, version: str) -> str:
    """The hash field of one decision: the date of care and the version it was decided under."""
    return f"{day.isoformat()}|{version}"


def pack_decision(expires_at: float, data: bytes) -> bytes:
    """A cached value: its own expiry, then the encoded decision."""
    # Each field carries its own expiry: a later put refreshes the hash's TTL, which must
    # not keep an older decision alive past its own.
    return b"%d|%s" % (int(expires_at), data)


def unpack_decision(value: bytes) -> EligibilityDecision | None:
    """A stored decision, or None once past its own expiry (or unreadable)."""
    expires_at, _, data = value.partition(b"|")
    try:
        if int(expires_at) <= time.time():
            return None
        return decode_decision(data)
    except (ValueError, KeyError, TypeError):
        log.warning("unreadable cached decision ignored (written by another version?)")
        return None


# GCRA (generic cell rate algorithm): one key per client holding the theoretical arrival
# time of its next request; Redis' clock, so that every replica shares one notion of now.
GCRA_SCRIPT = """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1])) or t
if tat < t then tat = t end
local next_tat = tat + interval
local allow_at = next_tat - interval * burst
if allow_at > t then return tostring(allow_at - t) end
redis.call('SET', KEYS[1], tostring(next_tat), 'PX', math.ceil((next_tat - t) * 1000))
return '0'
"""
