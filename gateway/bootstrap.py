"""The composition root: turns Settings into adapters, once, in the app's lifespan."""

from __future__ import annotations

import logging
from base64 import b64decode
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio as aioredis
from sqlalchemy import Engine

from adapters.cache.memory import MemoryDecisionCache, MemoryRateLimiter
from adapters.cache.redis import RedisDecisionCache, RedisRateLimiter, make_redis
from adapters.cache.redis_async import (
    AsyncRedisDecisionReader,
    AsyncRedisRateLimiter,
    make_async_redis,
)
from adapters.clock import SystemClock
from adapters.crypto import BlindIndex, FieldCipher, parse_keyring
from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from adapters.sql.checkpoints import SqliteCheckpointer
from adapters.sql.engine import make_engine, reader_engine
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.ports import Clock, DecisionCache, RateLimiter, UnitOfWorkFactory
from domain.reference import ReferenceData
from gateway.auth import TokenService
from gateway.recorder import GroupCommitRecorder
from gateway.settings import Settings

log = logging.getLogger("amo.bootstrap")


@dataclass
class Container:
    """Everything a request needs, built from Settings and closed with the app."""

    settings: Settings
    engine: Engine
    uow: UnitOfWorkFactory
    cache: DecisionCache
    limiter: RateLimiter
    tokens: TokenService
    clock: Clock
    index: BlindIndex
    reader: UnitOfWorkFactory  # transactions that only read (they never wait for writers)
    recorder: GroupCommitRecorder
    redis: redis.Redis | None = None
    checkpointer: SqliteCheckpointer | None = None
    # The hot path's Redis reads, from the event loop (None without Redis).
    async_redis: aioredis.Redis | None = None
    async_cache: AsyncRedisDecisionReader | None = None
    async_limiter: AsyncRedisRateLimiter | None = None
    reference: ReferenceData | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def local(self) -> bool:
        """Whether the cache and the limiter are in process (calling them never blocks)."""
        return self.redis is None

    @property
    def ref(self) -> ReferenceData:
        """The reference dataset in force (loaded once at start)."""
        if self.reference is None:
            self.reference = load_reference(self.uow)
        return self.reference

    async def aclose(self) -> None:
        """Close, the event loop's Redis client included."""
        self.close()
        if self.async_redis is not None:
            await self.async_redis.aclose()

    def close(self) -> None:
        """Commit what is queued, then release pools and connections."""
        self.recorder.close()
        if self.checkpointer is not None:
            self.checkpointer.stop()
        if self.redis is not None:
            self.redis.close()
        self.engine.dispose()


def build_storage(settings: Settings) -> tuple[Engine, SqlUnitOfWorkFactory, BlindIndex]:
    """The SQL engine and the unit-of-work factory, with the personal-data keys."""
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    return (
        engine,
        _uow_factory(engine, settings),
        BlindIndex(b64decode(settings.index_key.get_secret_value())),
    )


def data_cipher(settings: Settings) -> FieldCipher:
    """The personal-data cipher: every key of the keyring, writing with the current one."""
    keys = parse_keyring(settings.data_keys.get_secret_value())
    return FieldCipher(keys, settings.data_key_current or next(iter(keys)))


def _uow_factory(engine: Engine, settings: Settings) -> SqlUnitOfWorkFactory:
    cipher = data_cipher(settings)
    index = BlindIndex(b64decode(settings.index_key.get_secret_value()))
    return SqlUnitOfWorkFactory(
        engine, cipher=cipher, index=index, audit_stream_id=settings.instance_id
    )


def build_container(settings: Settings) -> Container:
    """Wire every adapter; Redis when configured, in-process equivalents otherwise."""
    settings = settings.with_secrets()
    engine, uow, index = build_storage(settings)
    checkpointer = SqliteCheckpointer.start_for(engine)
    clock = SystemClock()
    client = make_redis(settings.redis_url) if settings.redis_url else None
    cache, limiter = _caches(settings, client, index)
    tokens = TokenService(
        key=b64decode(settings.token_key.get_secret_value()),
        issuer=settings.public_url,
        audience=settings.fhir_base,
        token_url=settings.token_url,
        uow=uow,
        clock=clock,
        token_seconds=settings.access_token_seconds,
        assertion_max_seconds=settings.assertion_max_seconds,
    )
    reader = _uow_factory(reader_engine(engine), settings)
    recorder = GroupCommitRecorder(uow)
    container = Container(
        settings,
        engine,
        uow,
        cache,
        limiter,
        tokens,
        clock,
        index,
        reader,
        recorder,
        client,
        checkpointer=checkpointer,
    )
    if settings.redis_url:  # built here, in the lifespan: the client binds to this loop
        _async_redis(container, settings.redis_url)
    return container


def _async_redis(container: Container, url: str) -> None:
    settings = container.settings
    client = container.async_redis = make_async_redis(url)
    container.async_cache = AsyncRedisDecisionReader(client, index=container.index)
    container.async_limiter = AsyncRedisRateLimiter(
        client, rate_per_second=settings.rate_limit_per_second, burst=settings.rate_limit_burst
    )


def _caches(
    settings: Settings, client: redis.Redis | None, index: BlindIndex
) -> tuple[DecisionCache, RateLimiter]:
    if client is None:
        return (
            MemoryDecisionCache(ttl_seconds=settings.cache_ttl_seconds, index=index),
            MemoryRateLimiter(
                rate_per_second=settings.rate_limit_per_second, burst=settings.rate_limit_burst
            ),
        )
    return (
        RedisDecisionCache(client, index=index, ttl_seconds=settings.cache_ttl_seconds),
        RedisRateLimiter(
            client, rate_per_second=settings.rate_limit_per_second, burst=settings.rate_limit_burst
        ),
    )


def load_reference(uow: UnitOfWorkFactory) -> ReferenceData:
    """The current reference dataset; the repository's files are loaded on first start."""
    with uow() as work:
        current = work.reference.current()
        if current is not None:
            return current
        data = load_reference_files(DEFAULT_REFDATA_DIR)
        work.reference.store(data)
        work.commit()
        log.info("reference data %s loaded from %s", data.version, DEFAULT_REFDATA_DIR)
        return data
