"""The pipeline's SQL adapters, awaited from an event loop, on each backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine

from adapters.crypto import BlindIndex, FieldCipher
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.reads import SqlExchangeStore, SqlIdempotencyStore, SqlMemberDirectory, SqlReads
from adapters.sql.recorder import GroupCommitRecorder
from domain.errors import Unavailable
from domain.records import AuditEntry, ExchangeQuery, IdempotentAnswer, Recording
from tests.integration.builders import CIN, IDCS, entry, exchange, insured

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def audit(action: str = "eligibility.check") -> AuditEntry:
    """An audit entry of a tenant's."""
    return AuditEntry(NOW, action, 200, tenant="P-1", client_id="client-1")


def answer(key: str = "key-1", tenant: str = "P-1") -> IdempotentAnswer:
    """An answer kept for an Idempotency-Key."""
    return IdempotentAnswer(tenant, key, "h", 200, b"{}", "r1", "q1")


class TestGroupCommitRecorder:
    async def test_exchange_audit_and_answer_are_stored_together(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        recorder, record = GroupCommitRecorder(uow_factory), exchange()
        try:
            assert await recorder.record(Recording(record, audit(), answer()))
        finally:
            recorder.close()
        with uow_factory() as uow:
            assert uow.exchanges.get("P-1", "eligibility", record.id) == record
            assert uow.idempotency.get("P-1", "key-1") == answer()

    async def test_a_taken_key_stores_nothing_of_the_late_exchange(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        first, late = exchange(), exchange()
        recorder = GroupCommitRecorder(uow_factory)
        try:
            assert await recorder.record(Recording(first, audit(), answer()))
            assert not await recorder.record(Recording(late, audit(), answer()))
            theirs = exchange("P-2")
            assert await recorder.record(Recording(theirs, audit(), answer(tenant="P-2")))
        finally:
            recorder.close()
        with uow_factory() as uow:
            query = ExchangeQuery(tenant="P-1", kind="eligibility")
            assert [r.id for r in uow.exchanges.search(query)[0]] == [first.id]

    async def test_its_hook_between_batches_runs_after_each_and_never_stops_it(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        """The SQLite checkpointer's WAL restart runs there: a hook that fails is logged,
        and the writer goes on committing."""
        calls: list[int] = []

        def failing() -> None:
            calls.append(1)
            raise RuntimeError("a bug in the hook")

        recorder = GroupCommitRecorder(uow_factory, between_batches=failing)
        try:
            first, second = exchange(), exchange()
            assert await recorder.record(Recording(first, audit()))
            assert await recorder.record(Recording(second, audit()))
        finally:
            recorder.close()
        assert len(calls) == 2
        with uow_factory() as uow:
            assert uow.exchanges.get("P-1", "eligibility", second.id) == second

    async def test_an_unreachable_database_is_unavailable(
        self, cipher: FieldCipher, index: BlindIndex
    ) -> None:
        gone = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                             connect_args={"connect_timeout": 1})  # fmt: skip
        recorder = GroupCommitRecorder(
            SqlUnitOfWorkFactory(gone, cipher=cipher, index=index, audit_stream_id="t")
        )
        try:
            with pytest.raises(Unavailable):
                await recorder.append(audit("eligibility.read"))
        finally:
            recorder.close()
            gone.dispose()


class TestSqlReads:
    async def test_members_are_found_by_the_first_identifier_that_finds_any(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.members.save(entry(insured(), CIN))
            uow.commit()
        directory = SqlMemberDirectory(SqlReads(uow_factory, threads=2, deadline=5))
        [found] = await directory.find([IDCS, CIN])
        assert found.member.member_id == "M-1"
        assert await directory.find([IDCS]) == []

    async def test_stored_exchanges_and_answers_are_read_back(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        record = exchange()
        with uow_factory() as uow:
            uow.exchanges.add(record)
            uow.idempotency.claim(answer())
            uow.commit()
        reads = SqlReads(uow_factory, threads=2, deadline=5)
        store = SqlExchangeStore(reads)
        assert (await store.get("P-1", "eligibility", record.id)) == record
        assert (await store.get("P-2", "eligibility", record.id)) is None
        assert (await store.get_by_request("P-1", "eligibility", record.request_id)) == record
        assert (await SqlIdempotencyStore(reads).kept("P-1", "key-1")) == answer()
        assert (await SqlIdempotencyStore(reads).kept("P-2", "key-1")) is None

    async def test_an_unreachable_database_is_unavailable(
        self, cipher: FieldCipher, index: BlindIndex
    ) -> None:
        gone = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                             connect_args={"connect_timeout": 1})  # fmt: skip
        factory = SqlUnitOfWorkFactory(gone, cipher=cipher, index=index, audit_stream_id="t")
        try:
            with pytest.raises(Unavailable):
                await SqlMemberDirectory(SqlReads(factory, threads=1, deadline=5)).find([IDCS])
        finally:
            gone.dispose()
