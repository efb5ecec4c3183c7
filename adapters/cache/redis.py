"""Redis decision cache and rate limiter, shared by every gateway replica.

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

from adapters.cache.codec import decode_decision, encode_decision
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


class RedisDecisionCache:
    """domain.ports.DecisionCache: one Redis hash per person, one field per (day, rules)."""

    def __init__(
        self,
        client: redis.Redis,
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

    def _key(self, identifier: PersonIdentifier) -> str:
        return decision_key(self._index, self._prefix, identifier)

    def get(
        self, identifier: PersonIdentifier, day: date, rules_version: str
    ) -> EligibilityDecision | None:
        """A cached decision still fresh, or None (also when Redis is down)."""
        if not self._outage.available():
            return None
        try:
            value = self._client.hget(self._key(identifier), cache_field(day, rules_version))
        except redis.RedisError as error:
            self._outage.failed(error)
            return None
        return None if value is None else unpack_decision(value)

    def put(self, identifier: PersonIdentifier, decision: EligibilityDecision) -> None:
        """Cache a decision; the person's hash expires ttl_seconds after the last put."""
        key = self._key(identifier)
        field = cache_field(decision.date_of_care, decision.rules_version)
        value = _pack(time.time() + self._ttl, encode_decision(decision))
        self._run(lambda pipe: pipe.hset(key, field, value).expire(key, self._ttl))

    def invalidate(self, identifiers: Iterable[PersonIdentifier]) -> None:
        """Forget every decision cached for these identifiers (the member changed)."""
        keys = [self._key(identifier) for identifier in identifiers]
        if keys:
            self._run(lambda pipe: pipe.delete(*keys))

    def _run(self, commands: Callable[[redis.client.Pipeline], object]) -> None:
        if not self._outage.available():
            return
        try:
            pipe = self._client.pipeline(transaction=True)
            commands(pipe)
            pipe.execute()
        except redis.RedisError as error:
            self._outage.failed(error)


def decision_key(index: BlindIndex, prefix: str, identifier: PersonIdentifier) -> str:
    """The Redis hash holding a person's cached decisions (blind index: no identifier)."""
    return f"{prefix}elig:{index.digest(identifier.kind.value, identifier.value)}"


def cache_field(day: date, rules_version: str) -> str:
    """The hash field of one decision: the date of care and the rules version."""
    return f"{day.isoformat()}|{rules_version}"


def _pack(expires_at: float, data: bytes) -> bytes:
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


class RedisRateLimiter:
    """domain.ports.RateLimiter shared by replicas: one atomic script call per request."""

    def __init__(
        self, client: redis.Redis, *, rate_per_second: float, burst: int, prefix: str = "amo:"
    ) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least 1")
        self._script = client.register_script(GCRA_SCRIPT)  # EVALSHA, EVAL once if not loaded
        self._args = (repr(1.0 / rate_per_second), burst)
        self._prefix = prefix
        self._outage = RedisOutage("requests not rate limited")

    def hit(self, key: str) -> float:
        """Count one request; 0.0 if allowed, else the seconds to wait (0.0 if Redis is down)."""
        if not self._outage.available():
            return 0.0
        try:
            wait = self._script(keys=[f"{self._prefix}rl:{key}"], args=self._args)
        except redis.RedisError as error:
            self._outage.failed(error)  # fail open: limits protect us, they are not a service
            return 0.0
        return float(wait)
