"""The member lookup of a cold eligibility check: one statement, no thread hop.

`SqlMemberDirectory` reads through a worker thread and SQLAlchemy's session, in two queries
(the members an identifier names, then the insureds their affiliations go through): most of
the time of a cold check. Here one statement finds both, run where the driver allows it
without leaving the event loop:

- SQLite: the read-only connection of the event loop's own (adapters/sql/direct_reads.py). A
  WAL reader never waits for the writer, and an indexed lookup takes tens of microseconds,
  less than the hop it saves. A statement past the deadline is `Unavailable`; a locked or
  failing database falls back to the threaded directory, which waits and answers
  `Unavailable` as it always did.
- PostgreSQL: psycopg's async connections from a pool of their own (psycopg_pool), the
  statement prepared by the server after its first uses, given up after the deadline.

Only the facts eligibility needs are read; the encrypted names are not touched. The answer
is exactly the threaded directory's (tests/integration/test_member_lookup.py checks both).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Iterable, Sequence
from typing import Any

from psycopg import AsyncConnection, OperationalError
from psycopg import Error as PsycopgError
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy.engine import make_url

from adapters.crypto import BlindIndex
from adapters.sql.direct_reads import SqliteDirect
from adapters.sql.member_codec import decode_member
from adapters.sql.members import identifier_index, insured_ids, insureds_of
from domain.errors import Unavailable
from domain.members import EligibilityFacts, PersonIdentifier
from domain.ports import MemberDirectory

# The members the identifiers name (tagged with the index that found them), then every
# insured their affiliations go through (tagged NULL).
_SQLITE = """
WITH found AS (
    SELECT i."index" AS via, m.member_id, m.version, m.facts
    FROM member_identifier i JOIN member m ON m.member_id = i.member_id
    WHERE i."index" IN ({marks})
)
SELECT via, member_id, version, facts FROM found
UNION ALL
SELECT NULL, m.member_id, m.version, m.facts FROM member m
WHERE m.member_id IN (
    SELECT json_extract(a.value, '$.insured_id')
    FROM found, json_each(found.facts, '$.affiliations') AS a
)
"""
_POSTGRES = """
WITH found AS (
    SELECT i."index" AS via, m.member_id, m.version, m.facts
    FROM member_identifier i JOIN member m ON m.member_id = i.member_id
    WHERE i."index" = ANY(%(indexes)s)
)
SELECT via, member_id, version, facts FROM found
UNION ALL
SELECT NULL, m.member_id, m.version, m.facts FROM member m
WHERE m.member_id IN (
    SELECT a ->> 'insured_id'
    FROM found, jsonb_array_elements(found.facts::jsonb -> 'affiliations') AS a
)
"""
APPLICATION = "amo-member-lookup"  # as pg_stat_activity shows its connections
HANG_UP_SECONDS = 1.0  # a statement hung up on ends at the next turn of the loop; at most this


def facts_of(
    rows: Iterable[tuple[str | None, str, int, str]], indexes: Sequence[str]
) -> list[EligibilityFacts]:
    """The members of the first index that found any, in member-id order, each with the
    insureds it depends on: what `SqlMemberDirectory.find` answers."""
    found: dict[str, list[tuple[str, int, str]]] = {}
    insureds: dict[str, tuple[str, int, str]] = {}
    for via, member_id, version, facts in rows:
        if via is None:
            insureds[member_id] = (member_id, version, facts)
        else:
            found.setdefault(via, []).append((member_id, version, facts))
    chosen = next((found[index] for index in indexes if index in found), [])
    members = [decode_member(*row) for row in sorted(chosen)]
    wanted = insured_ids(members)
    loaded = {member_id: decode_member(*insureds[member_id])
              for member_id in sorted(wanted) if member_id in insureds}  # fmt: skip
    return [EligibilityFacts(member, insureds_of(member, loaded)) for member in members]


class SqliteMemberLookup:
    """domain.ports.MemberDirectory on the event loop's SQLite connection."""

    def __init__(
        self, direct: SqliteDirect, *, index: BlindIndex, fallback: MemberDirectory
    ) -> None:
        self._direct, self._index, self._fallback = direct, index, fallback
        self._statements: dict[int, str] = {}

    async def find(self, identifiers: Sequence[PersonIdentifier]) -> list[EligibilityFacts]:
        """The records of the first identifier that finds any, in one statement."""
        indexes = [identifier_index(self._index, identifier) for identifier in identifiers]
        if not indexes:
            return []
        rows = self._direct.rows(self._statement(len(indexes)), indexes)
        if rows is None:
            return await self._fallback.find(identifiers)  # locked, or gone: the careful way
        return facts_of(rows, indexes)

    def _statement(self, count: int) -> str:
        found = self._statements.get(count)
        if found is None:
            found = self._statements[count] = _SQLITE.format(marks=", ".join("?" * count))
        return found


class PostgresMemberLookup:
    """domain.ports.MemberDirectory on PostgreSQL, over async connections."""

    def __init__(self, pool: AsyncConnectionPool[Any], *, index: BlindIndex, deadline: float):
        self._pool, self._index, self._deadline = pool, index, deadline

    async def find(self, identifiers: Sequence[PersonIdentifier]) -> list[EligibilityFacts]:
        """The records of the first identifier that finds any, in one round trip."""
        indexes = [identifier_index(self._index, identifier) for identifier in identifiers]
        if not indexes:
            return []
        until = asyncio.get_running_loop().time() + self._deadline
        try:
            rows = await self._rows(indexes, until)
        except TimeoutError as exc:
            raise Unavailable("Base de données trop lente : réessayez plus tard") from exc
        except (PsycopgError, PoolTimeout, OSError) as exc:
            raise Unavailable("Base de données indisponible") from exc
        return facts_of(rows, indexes)

    async def _rows(self, indexes: list[str], until: float) -> list[Any]:
        """The statement's rows. A pooled connection the server closed meanwhile (a restart,
        a failover) fails at once: the statement is sent again once on a new one, as a
        pre-ping would, without a round trip for every lookup."""
        for attempt in (1, 2):
            async with asyncio.timeout_at(until):
                held = await self._pool.getconn()
            try:
                rows = await _within(held, indexes, until)
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


async def _within(held: AsyncConnection[Any], indexes: list[str], until: float) -> list[Any]:
    """The statement's rows on that connection, or TimeoutError at `until`.

    The statement runs as a task of its own, never cancelled while it waits for the server:
    psycopg answers the cancellation of a running statement by asking the server to cancel it
    and waiting for that, up to ten seconds more on a silent server. Past the deadline (or
    when the request itself is given up) the connection is hung up instead: the task wakes at
    once on a socket at its end and fails, nothing sent to the server."""
    task = asyncio.ensure_future(_fetch(held, indexes))
    try:
        done, _ = await asyncio.wait((task,), timeout=until - asyncio.get_running_loop().time())
    except BaseException:
        await _hang_up(held, task)
        raise
    if not done:
        await _hang_up(held, task)
        raise TimeoutError
    return task.result()


async def _fetch(held: AsyncConnection[Any], indexes: list[str]) -> list[Any]:
    cursor = await held.execute(_POSTGRES, {"indexes": indexes})
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
