"""Engines for SQLite (embedded default) and PostgreSQL, and the migration entry point."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 3  # an unreachable database must turn into a 503 quickly
POOL_TIMEOUT_SECONDS = 3  # waiting longer for a pooled connection only delays the 503
# PostgreSQL cancels a statement running longer than this: no query of ours takes a tenth of
# it, so one that does is stuck behind a lock or an overloaded server; answering 503 beats
# holding a connection and a thread for as long as the client is willing to wait.
STATEMENT_TIMEOUT_MS = 4000
# A connection whose sent data goes unacknowledged this long (a server or route that went
# silent) is broken by the kernel instead of waiting out TCP's retransmissions (~15 min).
TCP_USER_TIMEOUT_MS = 5000
SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_OWN_CONNECTIONS = 2  # the group-commit writer and the registry poller
_MIGRATION_LOCK = 7_310_420_001  # pg advisory lock id: replicas starting together migrate once


# SQLite engines whose WAL checkpoints run in a thread of their own (adapters/sql/checkpoints.py)
BACKGROUND_CHECKPOINTS: weakref.WeakSet[Engine] = weakref.WeakSet()
READ_ONLY_OPTION = "amo_read_only"


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """An engine tuned for the backend the URL names."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo, pool_size=pool_size)
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,  # a statement's error must not quote what a caller sent
        pool_pre_ping=True,
        pool_size=pool_size,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args=_connect_args(parsed.get_backend_name()),
    )


def _connect_args(backend: str) -> dict[str, Any]:
    if backend != "postgresql":
        return {}
    return {
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
        "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
        "keepalives": 1,
        "keepalives_idle": 10,  # seconds idle before probing: a pooled connection that died
        "keepalives_interval": 2,
        "keepalives_count": 3,
    }


def _sqlite_engine(url: str, *, echo: bool, pool_size: int) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        connect_args={"check_same_thread": False},
        # The reading threads (as many as pool_size), the group-commit writer and the registry
        # poller each hold one: kept open, since an overflow connection is opened (four
        # PRAGMAs) and closed again on every request that needs it.
        pool_size=pool_size + SQLITE_OWN_CONNECTIONS,
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "connect", _sqlite_checkpoint_mode(engine))
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy emits BEGIN itself (below): sqlite3's legacy mode would skip it for SELECT
    # and SAVEPOINT, which breaks repeatable reads and nested transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process in WAL
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_checkpoint_mode(engine: Engine) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        if engine in BACKGROUND_CHECKPOINTS:  # a SqliteCheckpointer does it instead
            dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    return on_connect


def _sqlite_on_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front. A deferred transaction that reads, then
    # writes after another connection committed, fails at once with "database is locked"
    # (busy_timeout does not apply). Engines made by `reader_engine` only read: they begin
    # deferred, so that readers never wait for the writer (WAL lets both run at once).
    # Straight to the driver: through exec_driver_sql this costs as much as a query.
    deferred = connection.get_execution_options().get(READ_ONLY_OPTION, False)
    connection.connection.driver_connection.execute("BEGIN" if deferred else "BEGIN IMMEDIATE")


def reader_engine(engine: Engine) -> Engine:
    """The same engine and pool, for transactions that only read."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (idempotent); safe with replicas starting."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def alembic_config() -> Config:
    """The Alembic configuration of the package's migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


_UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError, exc.DisconnectionError)


def is_database_error(error: BaseException) -> bool:
    """Whether an error means the database is unreachable or busy (answer 503), not a bug."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _UNAVAILABLE)
