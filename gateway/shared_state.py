"""What the replicas share, in Redis when configured, else in process: the decision cache,
the rate limiters, the requests in flight and the sign-in throttles.

Without Redis each process keeps its own (the embedded default); with it, every replica counts
the same requests and attempts, and a limiter falls back to the process's own count while Redis
cannot be reached. The composition root (gateway/bootstrap.py) and the users' command wire
them; the client is closed with the stack it is given.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

from adapters.cache.in_flight import MemoryInFlight, RedisInFlight
from adapters.cache.memory import MemoryDecisionCache, MemoryRateLimiter
from adapters.cache.redis_async import (
    AsyncRedisDecisionCache,
    AsyncRedisRateLimiter,
    make_async_redis,
)
from adapters.crypto import BlindIndex
from domain.idempotency_ports import InFlight
from domain.ports import DecisionCache, RateLimiter
from gateway.settings import Settings


async def shared_state(
    settings: Settings, index: BlindIndex, stack: AsyncExitStack
) -> tuple[DecisionCache, RateLimiter, InFlight, MemoryDecisionCache | None]:
    """The decision cache, the rate limiter and the requests in flight: in Redis when
    configured, else in process."""
    rate, burst = settings.rate_limit_per_second, settings.rate_limit_burst
    lease = _lease_seconds(settings)
    if not settings.redis_url:
        cache = MemoryDecisionCache(ttl_seconds=settings.cache_ttl_seconds, index=index)
        limiter = MemoryRateLimiter(rate_per_second=rate, burst=burst)
        return cache, limiter, MemoryInFlight(ttl_seconds=lease), cache
    client = make_async_redis(settings.redis_url)  # bound to this event loop
    stack.push_async_callback(client.aclose)
    return (
        AsyncRedisDecisionCache(client, index=index, ttl_seconds=settings.cache_ttl_seconds),
        AsyncRedisRateLimiter(
            client,
            rate_per_second=rate,
            burst=burst,
            fallback=MemoryRateLimiter(rate_per_second=rate, burst=burst),
        ),
        RedisInFlight(client, ttl_seconds=lease),
        None,
    )


async def login_limiters(
    settings: Settings, stack: AsyncExitStack
) -> tuple[RateLimiter, RateLimiter]:
    """Sign-in attempts per account and per address: in Redis when configured (every replica
    counts the same attempts), else in process."""
    shapes = [settings.login_attempts_per_minute, settings.login_attempts_per_address_per_minute]
    local = [MemoryRateLimiter(rate_per_second=n / 60, burst=n) for n in shapes]
    if not settings.redis_url:
        return local[0], local[1]
    client = make_async_redis(settings.redis_url)
    stack.push_async_callback(client.aclose)
    shared = [
        AsyncRedisRateLimiter(client, rate_per_second=n / 60, burst=n, fallback=fallback,
                              prefix="amo:portal:")
        for n, fallback in zip(shapes, local, strict=True)
    ]  # fmt: skip
    return shared[0], shared[1]


def _lease_seconds(settings: Settings) -> float:
    """How long a request holds its Idempotency-Key at most: a few database deadlines (its
    reads, its decisions made again, its commit), past which a process that died holding it
    no longer keeps its retries waiting."""
    return 6 * settings.request_deadline_seconds
