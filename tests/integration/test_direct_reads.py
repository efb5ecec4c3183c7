"""The reads a claim makes before it is decided, on the event loop's own SQLite connection
(adapters/sql/direct_reads.py), answer exactly what the threaded readers answer on the same
data: the kept answer of an Idempotency-Key, and the patient's history (the day boundary,
another patient's lines of the same prescription, a reversed claim left out). A statement past
its deadline is `Unavailable`; a database the connection cannot read is read the threaded way."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Collection, Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from adapters.crypto import BlindIndex
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.claim_lines import SqlClaimHistoryReader
from adapters.sql.direct_reads import SqliteClaimHistory, SqliteDirect, SqliteIdempotencyLookup
from adapters.sql.reads import SqlIdempotencyStore, SqlReads
from adapters.sql.recorder import record_all
from domain.claim_history import HistoryLine
from domain.errors import Unavailable
from domain.records import IdempotentAnswer
from tests.integration.test_claim_lines import DAY, MEMBER, cancelled, history_line, paid

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

OTHER = "CNSS-999999999"


@pytest.fixture
def direct(engine: Engine) -> Iterator[SqliteDirect]:
    path = engine.url.database
    assert path
    connection = SqliteDirect(path, deadline=5)
    yield connection
    connection.close()


@pytest.fixture
def reads(uow_factory: SqlUnitOfWorkFactory) -> SqlReads:
    return SqlReads(uow_factory, threads=2, deadline=5)


class TestHistory:
    @pytest.fixture
    def readers(
        self, direct: SqliteDirect, reads: SqlReads, index: BlindIndex
    ) -> tuple[SqliteClaimHistory, SqlClaimHistoryReader]:
        threaded = SqlClaimHistoryReader(reads)
        return SqliteClaimHistory(direct, index=index, fallback=threaded), threaded

    def test_the_same_lines_as_the_threaded_reader(
        self, uow_factory: SqlUnitOfWorkFactory, readers
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
        direct, threaded = readers
        for (since, prescriptions), lines in expected.items():
            assert _lines(direct, since, prescriptions) == lines, (since, prescriptions)
            assert _lines(threaded, since, prescriptions) == lines, (since, prescriptions)

    def test_another_member_s_lines_are_not_read(
        self, uow_factory: SqlUnitOfWorkFactory, readers
    ) -> None:
        record_all([paid("x-1", history_line("F-1", member=OTHER))], uow=uow_factory())
        assert _lines(readers[0], DAY, frozenset()) == []

    def test_a_statement_past_its_deadline_is_unavailable(
        self, engine: Engine, index: BlindIndex, reads: SqlReads, uow_factory
    ) -> None:
        record_all([paid("x-1", history_line("F-1"))], uow=uow_factory())
        path = engine.url.database
        assert path
        late = SqliteDirect(path, deadline=0)
        try:
            reader = SqliteClaimHistory(late, index=index, fallback=SqlClaimHistoryReader(reads))
            with pytest.raises(Unavailable):
                _lines(reader, DAY, frozenset())
        finally:
            late.close()

    def test_a_database_it_cannot_read_is_read_the_threaded_way(
        self, index: BlindIndex, reads: SqlReads, uow_factory, tmp_path: Path
    ) -> None:
        line = history_line("F-1")
        record_all([paid("x-1", line)], uow=uow_factory())
        empty = tmp_path / "empty.db"
        sqlite3.connect(empty).close()
        unreadable = SqliteDirect(str(empty), deadline=5)
        try:
            reader = SqliteClaimHistory(
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
        self, kept: IdempotentAnswer, direct: SqliteDirect, reads: SqlReads
    ) -> None:
        threaded = SqlIdempotencyStore(reads)
        lookup = SqliteIdempotencyLookup(direct, fallback=threaded)
        found = asyncio.run(lookup.kept(kept.tenant, kept.key))
        assert found == kept == asyncio.run(threaded.kept(kept.tenant, kept.key))
        assert isinstance(found.body, bytes)

    def test_another_key_or_another_tenant_s_key_is_not_kept(
        self, kept: IdempotentAnswer, direct: SqliteDirect, reads: SqlReads
    ) -> None:
        lookup = SqliteIdempotencyLookup(direct, fallback=SqlIdempotencyStore(reads))
        assert asyncio.run(lookup.kept(kept.tenant, "idem-2")) is None
        assert asyncio.run(lookup.kept("org-999999999", kept.key)) is None

    def test_a_database_it_cannot_read_is_read_the_threaded_way(
        self, kept: IdempotentAnswer, reads: SqlReads, tmp_path: Path
    ) -> None:
        empty = tmp_path / "empty.db"
        sqlite3.connect(empty).close()
        unreadable = SqliteDirect(str(empty), deadline=5)
        try:
            lookup = SqliteIdempotencyLookup(unreadable, fallback=SqlIdempotencyStore(reads))
            assert asyncio.run(lookup.kept(kept.tenant, kept.key)) == kept
        finally:
            unreadable.close()


def _lines(
    reader: SqliteClaimHistory | SqlClaimHistoryReader, since: date, prescriptions: Collection[str]
) -> list[HistoryLine]:
    return asyncio.run(reader.lines(MEMBER, since, prescriptions))
