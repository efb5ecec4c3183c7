"""Backends for the adapter tests: SQLite always; PostgreSQL and Redis when reachable.

Without a server, its tests are skipped with the reason; with CI set, they fail instead,
so that CI never passes by skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, Table, create_engine, delete
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

from adapters.cache.redis import make_redis
from adapters.crypto import BlindIndex, FieldCipher, new_key, parse_keyring
from adapters.sql import (
    SqlUnitOfWorkFactory,
    account_tables,
    make_engine,
    migrate,
    reftables,
    settlement_tables,
    tables,
)

POSTGRES_URL = os.environ.get(
    "AMO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("AMO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def unavailable(reason: str) -> None:
    """Skip on a laptop without the server; fail under CI."""
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def our_tables() -> list[Table]:
    """The tables the migrations own, parents first."""
    ours = {
        value.__table__
        for module in (tables, reftables, settlement_tables, account_tables)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, SQLModel) and hasattr(value, "__table__")
    }
    ours |= {reftables.CATEGORY, *reftables.REF_TABLES.values()}  # derived from declarations
    return [table for table in SQLModel.metadata.sorted_tables if table in ours]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL server, dropped at the end of the session."""
    server = make_url(POSTGRES_URL)
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"amo_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as error:
        admin.dispose()
        unavailable(f"PostgreSQL unreachable at {server.render_as_string()}: {error.orig}")
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """A migrated engine on the session's PostgreSQL database."""
    engine = make_engine(postgres_url, pool_size=5)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated engine on a SQLite file."""
    path = tmp_path_factory.mktemp("sqlite") / "gateway.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each backend in turn, its tables emptied."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    with engine.begin() as connection:
        for table in reversed(our_tables()):
            connection.execute(delete(table))
    return engine


@pytest.fixture(scope="session")
def keyring() -> dict[str, bytes]:
    """Two encryption keys, k1 and k2, plus the blind index key."""
    return parse_keyring(f"k1:{new_key()},k2:{new_key()},idx:{new_key()}")


@pytest.fixture
def cipher(keyring: dict[str, bytes]) -> FieldCipher:
    """A cipher writing with k1."""
    return FieldCipher(keyring, "k1")


@pytest.fixture
def index(keyring: dict[str, bytes]) -> BlindIndex:
    """The blind index."""
    return BlindIndex(keyring["idx"])


@pytest.fixture
def uow_factory(engine: Engine, cipher: FieldCipher, index: BlindIndex) -> SqlUnitOfWorkFactory:
    """Units of work on the backend under test."""
    stream = f"test-{uuid.uuid4().hex[:8]}"
    return SqlUnitOfWorkFactory(engine, cipher=cipher, index=index, audit_stream_id=stream)


@dataclass(frozen=True)
class RedisTarget:
    """A Redis client and the key prefix this test owns."""

    client: redis.Redis
    prefix: str
    url: str


@pytest.fixture
def redis_target() -> Iterator[RedisTarget]:
    """The test Redis, with a prefix of its own; only that prefix's keys are removed."""
    client = make_redis(REDIS_URL, timeout=1.0)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        unavailable(f"Redis unreachable at {REDIS_URL}: {error}")
    prefix = f"amo-test-{uuid.uuid4().hex[:8]}:"
    yield RedisTarget(client, prefix, REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    """The URL of a SQLite file that does not exist yet, in a directory that does not either."""
    return f"sqlite:///{tmp_path / 'missing' / 'dir' / 'gateway.db'}"
