"""In-process decision cache and rate limiter."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date

import pytest

from adapters.cache.memory import MemoryDecisionCache, MemoryRateLimiter
from adapters.crypto import BlindIndex, new_key
from tests.integration.builders import CIN, IDCS, decision

pytestmark = pytest.mark.anyio
DAY = date(2026, 3, 2)


class Clock:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(clock: Clock) -> MemoryDecisionCache:
    index = BlindIndex(base64.b64decode(new_key()))
    return MemoryDecisionCache(max_entries=2, ttl_seconds=60, index=index, clock=clock)


class TestMemoryDecisionCache:
    async def test_put_then_get(self, cache: MemoryDecisionCache) -> None:
        await cache.put(CIN, decision(), "2026.1")
        assert await cache.get(CIN, DAY, "2026.1") == decision()

    async def test_other_day_or_rules_version_misses(self, cache: MemoryDecisionCache) -> None:
        await cache.put(CIN, decision(), "2026.1")
        assert await cache.get(CIN, date(2026, 3, 3), "2026.1") is None
        assert await cache.get(CIN, DAY, "2026.2") is None
        assert await cache.get(IDCS, DAY, "2026.1") is None

    async def test_entries_expire(self, cache: MemoryDecisionCache, clock: Clock) -> None:
        await cache.put(CIN, decision(), "2026.1")
        clock.now += 61
        assert await cache.get(CIN, DAY, "2026.1") is None

    async def test_invalidate_forgets_every_day(self, cache: MemoryDecisionCache) -> None:
        await cache.put(CIN, decision(), "2026.1")
        await cache.put(CIN, replace(decision(), date_of_care=date(2026, 3, 3)), "2026.1")
        cache.invalidate([CIN])
        assert await cache.get(CIN, DAY, "2026.1") is None
        assert await cache.get(CIN, date(2026, 3, 3), "2026.1") is None

    async def test_least_recently_used_person_is_evicted(self, cache: MemoryDecisionCache) -> None:
        other = replace(CIN, value="ZZ999")
        await cache.put(CIN, decision(), "2026.1")
        await cache.put(IDCS, decision(), "2026.1")
        await cache.get(CIN, DAY, "2026.1")
        await cache.put(other, decision(), "2026.1")
        assert await cache.get(IDCS, DAY, "2026.1") is None
        assert await cache.get(CIN, DAY, "2026.1") == decision()


class TestMemoryRateLimiter:
    async def test_allows_the_burst_then_asks_to_wait(self, clock: Clock) -> None:
        limiter = MemoryRateLimiter(rate_per_second=2, burst=3, clock=clock)
        assert [await limiter.hit("client-1") for _ in range(3)] == [0.0, 0.0, 0.0]
        assert await limiter.hit("client-1") == pytest.approx(0.5)

    async def test_refills_at_the_rate(self, clock: Clock) -> None:
        limiter = MemoryRateLimiter(rate_per_second=2, burst=1, clock=clock)
        await limiter.hit("client-1")
        clock.now += 0.5
        assert await limiter.hit("client-1") == 0.0

    async def test_keys_are_independent(self, clock: Clock) -> None:
        limiter = MemoryRateLimiter(rate_per_second=1, burst=1, clock=clock)
        await limiter.hit("client-1")
        assert await limiter.hit("client-2") == 0.0

    async def test_refused_requests_do_not_consume(self, clock: Clock) -> None:
        limiter = MemoryRateLimiter(rate_per_second=1, burst=1, clock=clock)
        await limiter.hit("client-1")
        for _ in range(5):
            await limiter.hit("client-1")
        clock.now += 1
        assert await limiter.hit("client-1") == 0.0

    def test_nonsense_settings_are_refused(self) -> None:
        with pytest.raises(ValueError):
            MemoryRateLimiter(rate_per_second=0, burst=1)
