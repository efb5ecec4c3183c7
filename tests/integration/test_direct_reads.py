"""The reads a claim makes before it is decided, without a thread hop (adapters/sql/
direct_reads.py: the event loop's own SQLite connection, an async pool on PostgreSQL), answer
exactly what the threaded readers answer on the same data: the kept answer of an
Idempotency-Key, and the patient's history (the day boundary, another patient's lines of the
same prescription, a reversed claim left out). On SQLite a statement past its deadline is
`Unavailable`, and a database the connection cannot read is read the threaded way (PostgreSQL's
faults are those of the member lookup's, tests/integration/test_member_lookup.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Collection, Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine

from adapters.crypto import BlindIndex
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.claim_lines import SqlClaimHistoryReader
from adapters.sql.direct_reads import (
    DirectClaimHistory,
    DirectIdempotencyLookup,
    PostgresDirect,
    SqliteDirect,
    postgres_pool,
)
from adapters.sql.reads import SqlIdempotencyStore, SqlReads
from adapters.sql.recorder import record_all
from domain.claim_history import HistoryLine
from domain.errors import Unavailable
from domain.records import IdempotentAnswer
from tests.integration.test_claim_lines import DAY, MEMBER, cancelled, history_line, paid

T = TypeVar("T")

OTHER = "CNSS-999999999"
SQLITE_ONLY = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

Direct = SqliteDirect | PostgresDirect
OnDirect = Callable[[Callable[[Direct], Awaitable[T]]], T]


@pytest.fixture
def on_direct(engine: Engine) -> Iterator[OnDirect[object]]:
    """Runs a read on the direct connection of the backend under test, in an event loop of
    its own (on PostgreSQL a pool opened in that loop)."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        assert path
        sqlite = SqliteDirect(path, deadline=5)
        yield lambda read: asyncio.run(read(sqlite))  # type: ignore[arg-type]
        sqlite.close()
        return
    url = engine.url.render_as_string(hide_password=False)

    async def pooled(read: Callable[[Direct], Awaitable[object]]) -> object:
        pool = postgres_pool(url, size=2, deadline=5)
        await pool.open(wait=True)
        try:
            return await read(PostgresDirect(pool, deadline=5))
        finally:
            await pool.close()

    yield lambda read: asyncio.run(pooled(read))  # type: ignore[arg-type]


@pytest.fixture
def reads(uow_factory: SqlUnitOfWorkFactory) -> SqlReads:
    return SqlReads(uow_factory, threads=2, deadline=5)


class TestHistory:
    @pytest.fixture
    def direct_lines(
        self, on_direct: OnDirect[list[HistoryLine]], reads: SqlReads, index: BlindIndex
    ) -> Callable[[date, frozenset[str]], list[HistoryLine]]:
        threaded = SqlClaimHistoryReader(reads)

        def lines(since: date, prescriptions: frozenset[str]) -> list[HistoryLine]:
            return on_direct(
                lambda direct: DirectClaimHistory(direct, index=index, fallback=threaded).lines(
                    MEMBER, since, prescriptions
                )
            )

        return lines

    def test_the_same_lines_as_the_threaded_reader(
        self, uow_factory: SqlUnitOfWorkFactory, direct_lines, reads: SqlReads
    ) -> None:
        old = history_line("F-1", day=DAY - timedelta(days=1))
        today = history_line("F-2", 1, prescription="RX-1")
        second = history_line("F-2", 2, prescription="RX-1")
        theirs = history_line("F-3", member=OTHER, prescription="RX-1")
        elsewhere = history_line("F-4", member=OTHER, prescription="RX-2")
        undone = history_line("F-5", prescription="RX-2")
        record_all(
            [paid("x-1", old), paid("x-2", today, second), paid("x-3", theirs),
             paid("x-4", elsewhere), paid("x-5", undone)],
            uow=uow_factory(),
        )  # fmt: skip
        assert record_all([cancelled(undone.source)], uow=uow_factory()) == [True]
        unasked = [replace(line, prescription_id=None) for line in (today, second)]
        expected: dict[tuple[date, frozenset[str]], list[HistoryLine]] = {
            (DAY, frozenset()): unasked,
            (DAY - timedelta(days=1), frozenset()): [old, *unasked],
            (DAY + timedelta(days=1), frozenset()): [],
            (DAY, frozenset({"RX-1"})): [today, second, replace(theirs, member_id=None)],
            (DAY, frozenset({"RX-2"})): [*unasked, replace(elsewhere, member_id=None)],
            (DAY, frozenset({"RX-1", "RX-2", "RX-9"})): [
                today, second, replace(theirs, member_id=None),
                replace(elsewhere, member_id=None),
            ],
        }  # fmt: skip
        threaded = SqlClaimHistoryReader(reads)
        for (since, prescriptions), lines in expected.items():
            assert direct_lines(since, prescriptions) == lines, (since, prescriptions)
            assert _lines(threaded, since, prescriptions) == lines, (since, prescriptions)

    def test_another_member_s_lines_are_not_read(
        self, uow_factory: SqlUnitOfWorkFactory, direct_lines
    ) -> None:
        record_all([paid("x-1", history_line("F-1", member=OTHER))], uow=uow_factory())
        assert direct_lines(DAY, frozenset()) == []

    @SQLITE_ONLY
    def test_a_statement_past_its_deadline_is_unavailable(
        self, engine: Engine, index: BlindIndex, reads: SqlReads, uow_factory
    ) -> None:
        record_all([paid("x-1", history_line("F-1"))], uow=uow_factory())
        path = engine.url.database
        assert path
        late = SqliteDirect(path, deadline=0)
        try:
            reader = DirectClaimHistory(late, index=index, fallback=SqlClaimHistoryReader(reads))
            with pytest.raises(Unavailable):
                _lines(reader, DAY, frozenset())
        finally:
            late.close()

    @SQLITE_ONLY
    def test_a_database_it_cannot_read_is_read_the_threaded_way(
        self, index: BlindIndex, reads: SqlReads, uow_factory, tmp_path: Path
    ) -> None:
        line = history_line("F-1")
        record_all([paid("x-1", line)], uow=uow_factory())
        empty = tmp_path / "empty.db"
        sqlite3.connect(empty).close()
        unreadable = SqliteDirect(str(empty), deadline=5)
        try:
            reader = DirectClaimHistory(
                unreadable, index=index, fallback=SqlClaimHistoryReader(reads)
            )
            assert _lines(reader, DAY, frozenset()) == [line]
        finally:
            unreadable.close()


class TestIdempotency:
    ANSWER = IdempotentAnswer(
        "org-111222333", "idem-1", "sha-of-request", 201, b'{"resourceType":"ClaimResponse"}',
        "resp-1", "req-1",
    )  # fmt: skip

    @pytest.fixture
    def kept(self, uow_factory: SqlUnitOfWorkFactory) -> IdempotentAnswer:
        with uow_factory() as uow:
            uow.idempotency.put(self.ANSWER)
            uow.commit()
        return self.ANSWER

    def test_the_kept_answer_as_the_threaded_store_reads_it(
        self, kept: IdempotentAnswer, on_direct, reads: SqlReads
    ) -> None:
        threaded = SqlIdempotencyStore(reads)
        found = on_direct(
            lambda direct: DirectIdempotencyLookup(direct, fallback=threaded).kept(
                kept.tenant, kept.key
            )
        )
        assert found == kept == asyncio.run(threaded.kept(kept.tenant, kept.key))
        assert isinstance(found.body, bytes)

    def test_another_key_or_another_tenant_s_key_is_not_kept(
        self, kept: IdempotentAnswer, on_direct, reads: SqlReads
    ) -> None:
        async def both(direct: Direct) -> list[IdempotentAnswer | None]:
            lookup = DirectIdempotencyLookup(direct, fallback=SqlIdempotencyStore(reads))
            return [await lookup.kept(kept.tenant, "idem-2"),
                    await lookup.kept("org-999999999", kept.key)]  # fmt: skip

        assert on_direct(both) == [None, None]

    @SQLITE_ONLY
    def test_a_database_it_cannot_read_is_read_the_threaded_way(
        self, kept: IdempotentAnswer, reads: SqlReads, tmp_path: Path
    ) -> None:
        empty = tmp_path / "empty.db"
        sqlite3.connect(empty).close()
        unreadable = SqliteDirect(str(empty), deadline=5)
        try:
            lookup = DirectIdempotencyLookup(unreadable, fallback=SqlIdempotencyStore(reads))
            assert asyncio.run(lookup.kept(kept.tenant, kept.key)) == kept
        finally:
            unreadable.close()


def _lines(
    reader: DirectClaimHistory | SqlClaimHistoryReader, since: date, prescriptions: Collection[str]
) -> list[HistoryLine]:
    return asyncio.run(reader.lines(MEMBER, since, prescriptions))
