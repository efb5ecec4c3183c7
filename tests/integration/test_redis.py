"""Redis decision cache and rate limiter, on a real Redis."""

from __future__ import annotations

import base64
import logging
import time
from dataclasses import replace
from datetime import date

import pytest

from adapters.cache.redis import RedisDecisionCache, RedisRateLimiter, make_redis
from adapters.crypto import BlindIndex, new_key
from tests.integration.builders import CIN, IDCS, decision
from tests.integration.conftest import RedisTarget

pytestmark = pytest.mark.redis
DAY = date(2026, 3, 2)
INDEX = BlindIndex(base64.b64decode(new_key()))


def _cache(target: RedisTarget, ttl_seconds: int = 300) -> RedisDecisionCache:
    return RedisDecisionCache(
        target.client, index=INDEX, ttl_seconds=ttl_seconds, prefix=target.prefix
    )


class TestRedisDecisionCache:
    def test_put_then_get(self, redis_target: RedisTarget) -> None:
        cache = _cache(redis_target)
        cache.put(CIN, decision())
        assert cache.get(CIN, DAY, "2026.1") == decision()
        assert cache.get(CIN, DAY, "2026.2") is None
        assert cache.get(IDCS, DAY, "2026.1") is None

    def test_one_hash_per_person_keyed_by_blind_index(self, redis_target: RedisTarget) -> None:
        _cache(redis_target).put(CIN, decision())
        _cache(redis_target).put(CIN, replace(decision(), date_of_care=date(2026, 3, 3)))
        key = f"{redis_target.prefix}elig:{INDEX.digest('cin', CIN.value)}"
        assert sorted(redis_target.client.hkeys(key)) == [
            b"2026-03-02|2026.1",
            b"2026-03-03|2026.1",
        ]
        keys = list(redis_target.client.scan_iter(match=f"{redis_target.prefix}*"))
        assert keys == [key.encode()] and CIN.value.encode() not in keys[0]

    def test_put_sets_the_ttl(self, redis_target: RedisTarget) -> None:
        _cache(redis_target, ttl_seconds=120).put(CIN, decision())
        key = f"{redis_target.prefix}elig:{INDEX.digest('cin', CIN.value)}"
        assert 0 < redis_target.client.ttl(key) <= 120

    def test_expired_field_is_a_miss_even_if_the_hash_lives_on(
        self, redis_target: RedisTarget
    ) -> None:
        _cache(redis_target, ttl_seconds=1).put(CIN, decision())
        _cache(redis_target, ttl_seconds=300).put(CIN, replace(decision(), rules_version="x"))
        time.sleep(1.1)
        assert _cache(redis_target).get(CIN, DAY, "2026.1") is None
        assert _cache(redis_target).get(CIN, DAY, "x") is not None

    def test_invalidate_deletes_the_people(self, redis_target: RedisTarget) -> None:
        cache = _cache(redis_target)
        cache.put(CIN, decision())
        cache.put(IDCS, decision())
        cache.invalidate([CIN, IDCS])
        assert cache.get(CIN, DAY, "2026.1") is None and cache.get(IDCS, DAY, "2026.1") is None

    def test_unreadable_value_is_a_miss(self, redis_target: RedisTarget) -> None:
        key = f"{redis_target.prefix}elig:{INDEX.digest('cin', CIN.value)}"
        redis_target.client.hset(key, "2026-03-02|2026.1", b"garbage")
        assert _cache(redis_target).get(CIN, DAY, "2026.1") is None


class TestRedisDown:
    @pytest.fixture
    def down(self) -> RedisTarget:
        client = make_redis("redis://127.0.0.1:1/0")
        yield RedisTarget(client, "amo-test-down:", "redis://127.0.0.1:1/0")
        client.close()

    def test_cache_misses_and_swallows_writes(
        self, down: RedisTarget, caplog: pytest.LogCaptureFixture
    ) -> None:
        cache = _cache(down)
        with caplog.at_level(logging.WARNING):
            assert cache.get(CIN, DAY, "2026.1") is None
            cache.put(CIN, decision())
            cache.invalidate([CIN])
            assert cache.get(CIN, DAY, "2026.1") is None
        assert len([r for r in caplog.records if "redis unavailable" in r.message]) == 1

    def test_limiter_fails_open(self, down: RedisTarget) -> None:
        limiter = RedisRateLimiter(down.client, rate_per_second=1, burst=1, prefix=down.prefix)
        assert [limiter.hit("client-1") for _ in range(3)] == [0.0, 0.0, 0.0]


class TestRedisRateLimiter:
    def test_allows_the_burst_then_asks_to_wait(self, redis_target: RedisTarget) -> None:
        limiter = RedisRateLimiter(
            redis_target.client, rate_per_second=1, burst=3, prefix=redis_target.prefix
        )
        assert [limiter.hit("client-1") for _ in range(3)] == [0.0, 0.0, 0.0]
        assert 0.9 < limiter.hit("client-1") <= 1.0
        assert limiter.hit("client-2") == 0.0

    def test_refills_at_the_rate(self, redis_target: RedisTarget) -> None:
        limiter = RedisRateLimiter(
            redis_target.client, rate_per_second=20, burst=1, prefix=redis_target.prefix
        )
        assert limiter.hit("client-1") == 0.0
        assert limiter.hit("client-1") > 0
        time.sleep(0.06)
        assert limiter.hit("client-1") == 0.0

    def test_replicas_share_one_budget(self, redis_target: RedisTarget) -> None:
        other = make_redis(redis_target.url)
        try:
            replicas = [
                RedisRateLimiter(client, rate_per_second=1, burst=2, prefix=redis_target.prefix)
                for client in (redis_target.client, other)
            ]
            assert replicas[0].hit("client-1") == 0.0
            assert replicas[1].hit("client-1") == 0.0
            assert replicas[0].hit("client-1") > 0 and replicas[1].hit("client-1") > 0
        finally:
            other.close()
