"""The reads a request makes before it is decided, without a thread hop.

A claim reads its Idempotency-Key and the patient's history before it is decided. Through
the worker threads (adapters/sql/reads.py) each read costs a thread hop and a SQLAlchemy
session's transaction: on the pharmacy bench the read threads used about a third of a core,
some 0.45 ms of CPU a read, for statements SQLite answers in tens of microseconds. Here each
read is one statement, as the cold member lookup reads (adapters/sql/member_lookup.py):

- SQLite: a read-only connection of the event loop's own. A WAL reader never waits for the
  writer, and sees every commit made before it starts; a progress handler interrupts a
  statement past the request's deadline (`Unavailable`); a locked or unreadable database is
  read the threaded way, which waits and answers `Unavailable` as it always did.
- PostgreSQL: psycopg's async connections from a pool of their own, in autocommit (one
  statement, one snapshot), given up at the deadline by hanging up the connection.

Each answer is exactly the threaded reader's: tests/integration/test_direct_reads.py checks
both on the same data.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sqlite3
import time
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from psycopg import AsyncConnection, OperationalError
from psycopg import Error as PsycopgError
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy.engine import make_url

from adapters.crypto import BlindIndex
from adapters.sql.claim_lines import MEMBER_KIND, PRESCRIPTION_KIND
from domain.authorization_ports import ClaimHistoryReader
from domain.claim_history import HistoryLine
from domain.errors import Unavailable
from domain.ledger import EntryKind
from domain.money import Money
from domain.ports import IdempotencyStore
from domain.records import IdempotentAnswer

PROGRESS_STEPS = 100  # SQLite virtual machine steps between two looks at the clock (~1 µs)
SQLITE_BUSY_MS = 50  # past this a locked database is read through the threaded reader
APPLICATION = "amo-direct-reads"  # as pg_stat_activity shows the PostgreSQL pool's connections
HANG_UP_SECONDS = 1.0  # a statement hung up on ends at the next turn of the loop; at most this

_KEPT = (
    "SELECT request_hash, status, body, response_id, request_id FROM idempotency_key "
    'WHERE tenant = ? AND "key" = ?'
)
_KEPT_POSTGRES = _KEPT.replace("?", "%s")
# adapters/sql/claim_lines.py's history query: a member's lines since a day (and the lines of
# some prescriptions), but those of a claim the ledger reversed, in the same order.
_HISTORY = """
SELECT source, sequence, provider_id, member_index, code, category, service_date, quantity,
       prescription_index, benefit_centimes
FROM claim_line
WHERE ((member_index = ? AND service_date >= ?){prescriptions})
  AND NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.source = claim_line.source AND e.kind = ?)
ORDER BY service_date, source, sequence
"""
_HISTORY_POSTGRES = _HISTORY.format(prescriptions=" OR prescription_index = ANY(?)").replace(
    "?", "%s"
)


class SqliteDirect:
    """A read-only connection to a SQLite file, used from the event loop only."""

    def __init__(self, path: str, *, deadline: float) -> None:
        self._deadline = deadline
        self._connection = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        self._connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        self._connection.execute("PRAGMA query_only=ON")
        self._until = 0.0
        self._connection.set_progress_handler(self._past_deadline, PROGRESS_STEPS)
        self._histories: dict[int, str] = {}

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()

    def rows(self, sql: str, params: Sequence[Any]) -> list[Any] | None:
        """The statement's rows, or None when the database is locked or cannot be read (read
        it the threaded way); `Unavailable` past the deadline or on any other failure."""
        self._until = time.monotonic() + self._deadline
        try:
            return self._connection.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise Unavailable("Base de données trop lente : réessayez plus tard") from exc
            return None
        except sqlite3.Error as exc:
            raise Unavailable("Base de données indisponible") from exc

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Any] | None:
        """`rows`, for the readers that serve both backends."""
        return self.rows(sql, params)

    def kept_statement(self) -> str:
        return _KEPT

    def history_statement(
        self, member: str, since: date, prescriptions: list[str]
    ) -> tuple[str, list[Any]]:
        sql = self._histories.get(len(prescriptions))
        if sql is None:
            marks = ", ".join("?" * len(prescriptions))
            extra = f" OR prescription_index IN ({marks})" if prescriptions else ""
            sql = self._histories[len(prescriptions)] = _HISTORY.format(prescriptions=extra)
        return sql, [member, since.isoformat(), *prescriptions, EntryKind.REVERSAL.value]

    @staticmethod
    def day(stored: Any) -> date:
        return date.fromisoformat(stored)  # SQLAlchemy's SQLite DATE text

    def _past_deadline(self) -> int:
        return 1 if time.monotonic() > self._until else 0


class PostgresDirect:
    """Async connections to PostgreSQL from a pool of their own, used from the event loop."""

    def __init__(self, pool: AsyncConnectionPool[Any], *, deadline: float) -> None:
        self._pool, self._deadline = pool, deadline

    async def rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[Any]:
        """The statement's rows; `Unavailable` past the deadline or on a failure."""
        until = asyncio.get_running_loop().time() + self._deadline
        try:
            return await self._rows(sql, params, until)
        except TimeoutError as exc:
            raise Unavailable("Base de données trop lente : réessayez plus tard") from exc
        except (PsycopgError, PoolTimeout, OSError) as exc:
            raise Unavailable("Base de données indisponible") from exc

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Any] | None:
        """`rows`, for the readers that serve both backends (never None: no fallback)."""
        return await self.rows(sql, params)

    def kept_statement(self) -> str:
        return _KEPT_POSTGRES

    def history_statement(
        self, member: str, since: date, prescriptions: list[str]
    ) -> tuple[str, list[Any]]:
        return _HISTORY_POSTGRES, [member, since, prescriptions, EntryKind.REVERSAL.value]

    @staticmethod
    def day(stored: Any) -> date:
        return stored  # type: ignore[no-any-return]

    async def _rows(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any], until: float
    ) -> list[Any]:
        """The statement's rows. A pooled connection the server closed meanwhile (a restart,
        a failover) fails at once: the statement is sent again once on a new one, as a
        pre-ping would, without a round trip for every read."""
        for attempt in (1, 2):
            async with asyncio.timeout_at(until):
                held = await self._pool.getconn()
            try:
                rows = await _within(held, sql, params, until)
            except OperationalError:
                await self._discard(held)
                if attempt == 2:
                    raise
                continue
            except BaseException:  # given up (the deadline, the client gone) or failed
                await self._discard(held)
                raise
            await self._pool.putconn(held)
            return rows
        raise AssertionError("unreachable")

    async def _discard(self, held: AsyncConnection[Any]) -> None:
        """A connection whose statement failed or was given up is closed, never reused: a
        server that went silent would otherwise keep the pool's connections hanging (the
        pool opens new ones in the background)."""
        held.pgconn.finish()  # the socket closed at once: nothing waits for the server
        await self._pool.putconn(held)


class DirectIdempotencyLookup:
    """domain.ports.IdempotencyStore on a direct connection."""

    def __init__(
        self, direct: SqliteDirect | PostgresDirect, *, fallback: IdempotencyStore
    ) -> None:
        self._direct, self._fallback = direct, fallback
        self._sql = direct.kept_statement()

    async def kept(self, tenant: str, key: str) -> IdempotentAnswer | None:
        """The answer kept for that key of that tenant, if any."""
        rows = await self._direct.fetch(self._sql, (tenant, key))
        if rows is None:
            return await self._fallback.kept(tenant, key)
        if not rows:
            return None
        request_hash, status, body, response_id, request_id = rows[0]
        return IdempotentAnswer(
            tenant, key, request_hash, status, bytes(body), response_id, request_id
        )


class DirectClaimHistory:
    """domain.authorization_ports.ClaimHistoryReader on a direct connection."""

    def __init__(
        self,
        direct: SqliteDirect | PostgresDirect,
        *,
        index: BlindIndex,
        fallback: ClaimHistoryReader,
    ) -> None:
        self._direct, self._index, self._fallback = direct, index, fallback

    async def lines(
        self, member_id: str, since: date, prescriptions: Collection[str]
    ) -> list[HistoryLine]:
        """The member's lines since a day and the lines of these prescriptions, in one query."""
        member = self._index.digest(MEMBER_KIND, member_id)
        asked = {self._index.digest(PRESCRIPTION_KIND, p): p for p in prescriptions}
        sql, params = self._direct.history_statement(member, since, list(asked))
        rows = await self._direct.fetch(sql, params)
        if rows is None:
            return await self._fallback.lines(member_id, since, prescriptions)
        day = self._direct.day
        return [
            HistoryLine(
                source=source,
                sequence=sequence,
                provider_id=provider_id,
                member_id=member_id if member_index == member else None,
                code=code,
                category=category,
                service_date=day(service_date),
                quantity=quantity,
                prescription_id=None if prescription is None else asked.get(prescription),
                benefit=Money(int(benefit)),
            )
            for (source, sequence, provider_id, member_index, code, category, service_date,
                 quantity, prescription, benefit) in rows
        ]  # fmt: skip


async def _within(
    held: AsyncConnection[Any], sql: str, params: Sequence[Any] | Mapping[str, Any], until: float
) -> list[Any]:
    """The statement's rows on that connection, or TimeoutError at `until`.

    The statement runs as a task of its own, never cancelled while it waits for the server:
    psycopg answers the cancellation of a running statement by asking the server to cancel it
    and waiting for that, up to ten seconds more on a silent server. Past the deadline (or
    when the request itself is given up) the connection is hung up instead: the task wakes at
    once on a socket at its end and fails, nothing sent to the server."""
    task = asyncio.ensure_future(_fetch(held, sql, params))
    try:
        done, _ = await asyncio.wait((task,), timeout=until - asyncio.get_running_loop().time())
    except BaseException:
        await _hang_up(held, task)
        raise
    if not done:
        await _hang_up(held, task)
        raise TimeoutError
    return task.result()


async def _fetch(
    held: AsyncConnection[Any], sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> list[Any]:
    cursor = await held.execute(sql, params)
    return await cursor.fetchall()


async def _hang_up(held: AsyncConnection[Any], task: asyncio.Future[list[Any]]) -> None:
    """Shut the connection's socket down both ways, its descriptor left open: the statement
    waiting on it fails at once, and the descriptor, still the connection's until it is
    closed (`_discard`), cannot be taken by another socket while the task still watches it."""
    task.add_done_callback(_quiet)
    try:
        fd = os.dup(held.pgconn.socket)
    except (OSError, PsycopgError):  # no socket left: nothing to hang up
        return
    with socket.socket(fileno=fd) as hung, contextlib.suppress(OSError):
        hung.shutdown(socket.SHUT_RDWR)
    await asyncio.wait((task,), timeout=HANG_UP_SECONDS)


def _quiet(task: asyncio.Future[list[Any]]) -> None:
    """Read an abandoned statement's end, so that it is not reported as never retrieved."""
    if not task.cancelled():
        task.exception()


def postgres_pool(url: str, *, size: int, deadline: float) -> AsyncConnectionPool[Any]:
    """An async pool (not yet opened) on the database a SQLAlchemy URL names."""
    parsed = make_url(url).set(drivername="postgresql")
    conninfo = parsed.render_as_string(hide_password=False)
    kwargs = {
        "autocommit": True,  # one statement, one snapshot: no transaction to end
        "application_name": APPLICATION,
        "prepare_threshold": 2,
        "connect_timeout": max(1, int(deadline)),
        "options": f"-c statement_timeout={int(deadline * 1000)}",
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 2,
        "keepalives_count": 3,
    }
    return AsyncConnectionPool(
        conninfo, min_size=1, max_size=size, kwargs=kwargs, open=False, timeout=deadline,
        connection_class=AsyncConnection,
    )  # fmt: skip
