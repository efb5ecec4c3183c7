"""The pipeline's SQL reads, awaited from the event loop: each runs in a worker thread.

The drivers block, so each read is one hop to a worker thread holding one short read-only
transaction. The threads are bounded by the connection pool: more threads than connections
would only queue on the pool, and on SQLite open and close overflow connections per request.
Each thread keeps one unit of work open and ends its transaction after every read (the
connection goes back to the pool): opening and closing a session per read cost a third of
a short read. A database that is down or too slow answers `Unavailable`, never a half answer.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import anyio
import anyio.to_thread

from adapters.sql.engine import is_database_error
from domain.errors import Unavailable
from domain.members import EligibilityFacts, PersonIdentifier
from domain.records import ExchangeQuery, ExchangeRecord, IdempotentAnswer
from domain.uow_ports import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")


async def in_thread(work: Callable[[], T], *, deadline: float) -> T:
    """`work()` in a worker thread, given up after `deadline` seconds (waiting for a thread
    included): the database is then Unavailable, as when it fails. A thread stuck on a silent
    server is left to finish on its own; the request does not wait for it."""
    with _as_unavailable(), anyio.fail_after(deadline):
        return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)


@contextmanager
def _as_unavailable() -> Iterator[None]:
    """A deadline passed or a database error raised inside: Unavailable."""
    try:
        yield
    except TimeoutError as exc:
        raise Unavailable("Base de données trop lente : réessayez plus tard") from exc
    except Exception as exc:
        if is_database_error(exc):
            raise Unavailable("Base de données indisponible") from exc
        raise


class SqlReads:
    """Runs read-only units of work in worker threads of its own, as many at once as
    `threads`, each given up after `deadline` seconds (waiting for a thread included).

    A plain executor: a hop through it costs half of one through anyio's threads (its
    cancel scope and capacity limiter), and a claim makes three. A read given up is left to
    finish in its thread; one still waiting for a thread never runs."""

    def __init__(self, uow: UnitOfWorkFactory, *, threads: int, deadline: float) -> None:
        self._uow = uow
        self._deadline = deadline
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="amo-sql-read")
        self._kept = threading.local()  # each worker thread's open unit of work

    async def run(self, work: Callable[[UnitOfWork], T]) -> T:
        """The result of `work` in a transaction of its own; Unavailable if the database fails."""
        loop = asyncio.get_running_loop()
        with _as_unavailable():
            async with asyncio.timeout(self._deadline):
                return await loop.run_in_executor(self._threads, self._in_thread, work)

    def _in_thread(self, work: Callable[[UnitOfWork], T]) -> T:
        uow: UnitOfWork | None = getattr(self._kept, "uow", None)
        if uow is None:
            uow = self._kept.uow = self._uow().__enter__()
        try:
            return work(uow)
        finally:
            self._end(uow)

    def _end(self, uow: UnitOfWork) -> None:
        """End the read's transaction; a unit of work that fails to is closed, not kept."""
        try:
            uow.rollback()
        except BaseException:
            self._kept.uow = None
            uow.__exit__(None, None, None)
            raise


class SqlMemberDirectory:
    """domain.ports.MemberDirectory over the member tables."""

    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def find(self, identifiers: Sequence[PersonIdentifier]) -> list[EligibilityFacts]:
        """The records of the first identifier that finds any, in one thread hop."""
        return await self._reads.run(lambda uow: _first_found(uow, identifiers))


def _first_found(
    uow: UnitOfWork, identifiers: Sequence[PersonIdentifier]
) -> list[EligibilityFacts]:
    for identifier in identifiers:
        found = uow.members.find(identifier)
        if found:
            return found
    return []


class SqlExchangeStore:
    """domain.ports.ExchangeStore over the exchange table."""

    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def get(self, tenant: str, kind: str, record_id: str) -> ExchangeRecord | None:
        """The tenant's exchange with that answer id."""
        return await self._reads.run(lambda uow: uow.exchanges.get(tenant, kind, record_id))

    async def get_by_request(
        self, tenant: str, kind: str, request_id: str
    ) -> ExchangeRecord | None:
        """The tenant's exchange with that request id."""
        return await self._reads.run(
            lambda uow: uow.exchanges.get_by_request(tenant, kind, request_id)
        )

    async def search(self, query: ExchangeQuery) -> tuple[list[ExchangeRecord], int]:
        """Matching exchanges, newest first, and the total before paging."""
        return await self._reads.run(lambda uow: uow.exchanges.search(query))


class SqlIdempotencyStore:
    """domain.ports.IdempotencyStore over the idempotency_key table."""

    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def kept(self, tenant: str, key: str) -> IdempotentAnswer | None:
        """The answer kept for that key of that tenant, if any."""
        return await self._reads.run(lambda uow: uow.idempotency.get(tenant, key))
