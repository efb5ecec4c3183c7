"""The claim history in SQL (SQLite and PostgreSQL): lines written with the ledger entry that
makes their claim payable, read back by member and date or by prescription in one query, a
reversed claim left out, and no patient identifier or prescription kept in clear."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select

from adapters.sql.claim_lines import LINE, SqlClaimHistoryReader
from adapters.sql.reads import SqlReads
from adapters.sql.recorder import record_all
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.claim_history import HistoryLine
from domain.ledger import AlreadyRecorded, Entry, claim_accepted, reversal
from domain.money import Money
from domain.records import AuditEntry, Effects, ExchangeRecord, Recording

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
PHARMACY = "org-111222333"
MEMBER = "CNSS-123456789"
DAY = date(2026, 3, 2)
INSULIN = "6111000000069"


def history_line(
    claim: str, sequence: int = 1, *, member: str = MEMBER, day: date = DAY,
    prescription: str | None = None, provider: str = PHARMACY,
) -> HistoryLine:  # fmt: skip
    return HistoryLine(
        source=f"{provider}:{claim}",
        sequence=sequence,
        provider_id=provider,
        member_id=member,
        code=INSULIN,
        category="pharmacy",
        service_date=day,
        quantity=2,
        prescription_id=prescription,
        benefit=Money(46400),
    )


def accepted(source: str) -> Entry:
    entry = claim_accepted(source, payer="CNSS", provider=PHARMACY, benefit=Money(46400), at=NOW)
    assert entry is not None
    return entry


def paid(exchange_id: str, *lines: HistoryLine) -> Recording:
    """A claim's exchange, its ledger entry and its payable lines."""
    record = ExchangeRecord(
        exchange_id, "claim", PHARMACY, NOW, f"req-{exchange_id}", "payable", None, (),
        b"{}", b"{}",
    )  # fmt: skip
    audit = AuditEntry(NOW, "claim.check", 200, tenant=PHARMACY)
    effects = Effects(entries=(accepted(lines[0].source),), history=lines)
    return Recording(record, audit, effects=effects)


def cancelled(source: str) -> Recording:
    audit = AuditEntry(NOW, "claim.cancel", 200, tenant=PHARMACY)
    return Recording(None, audit, effects=Effects(entries=(reversal(accepted(source), at=NOW),)))


def found(
    uow_factory: SqlUnitOfWorkFactory, since: date = DAY, *prescriptions: str
) -> list[HistoryLine]:
    with uow_factory() as uow:
        return uow.claim_lines.history(MEMBER, since, prescriptions)


class TestWritten:
    def test_a_claim_s_lines_are_stored_with_its_entry_and_read_back(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        lines = (history_line("F-1", 1), history_line("F-1", 2, prescription="RX-1"))
        assert record_all([paid("x-1", *lines)], uow=uow_factory()) == [True]
        unasked = replace(lines[1], prescription_id=None)  # an index, not the id, is kept
        assert found(uow_factory) == [lines[0], unasked]
        assert found(uow_factory, DAY, "RX-1") == list(lines)

    def test_the_same_claim_again_stores_none_of_its_lines_and_the_batch_goes_on(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        record_all([paid("x-1", history_line("F-1"))], uow=uow_factory())
        twin = paid("x-2", history_line("F-1"), history_line("F-1", 2))
        outcomes = record_all([twin, paid("x-3", history_line("F-3"))], uow=uow_factory())
        assert isinstance(outcomes[0], AlreadyRecorded) and outcomes[1] is True
        assert [(line.source, line.sequence) for line in found(uow_factory)] == [
            (f"{PHARMACY}:F-1", 1),
            (f"{PHARMACY}:F-3", 1),
        ]

    def test_the_same_claim_twice_in_one_batch_keeps_the_lines_of_the_first(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        first, twin = history_line("F-1"), history_line("F-1", day=date(2026, 3, 1))
        outcomes = record_all([paid("x-1", first), paid("x-2", twin)], uow=uow_factory())
        assert outcomes[0] is True and isinstance(outcomes[1], AlreadyRecorded)
        assert found(uow_factory, date(2026, 1, 1)) == [first]

    def test_a_twin_committed_meanwhile_leaves_the_others_lines_recorded_one_by_one(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        # Another writer makes F-1 payable while this batch waits: on PostgreSQL the look-up
        # found it free, the insert clashes, and the batch is recorded one by one (SQLite's
        # writer waits for the lock before its look-up, which then finds the twin).
        other = uow_factory()
        other.__enter__()
        try:
            other.ledger.insert_many([accepted(f"{PHARMACY}:F-1")])
            batch = [paid("x-1", history_line("F-1")), paid("x-2", history_line("F-2"))]
            outcomes: list[object] = []
            writer = threading.Thread(
                target=lambda: outcomes.extend(record_all(batch, uow=uow_factory()))
            )
            writer.start()
            writer.join(timeout=0.5)  # blocked behind the other writer's transaction
            other.commit()
        finally:
            other.__exit__(None, None, None)
        writer.join(timeout=10)
        assert isinstance(outcomes[0], AlreadyRecorded) and outcomes[1] is True
        assert [line.source for line in found(uow_factory)] == [f"{PHARMACY}:F-2"]

    def test_neither_the_patient_nor_the_prescription_is_kept_in_clear(
        self, uow_factory: SqlUnitOfWorkFactory, engine: Engine
    ) -> None:
        record_all([paid("x-1", history_line("F-1", prescription="RX-1"))], uow=uow_factory())
        with engine.connect() as connection:
            [row] = connection.execute(select(LINE)).all()
        kept = " ".join(str(value) for value in row)
        assert MEMBER not in kept and "RX-1" not in kept
        assert len(row.member_index) == len(row.prescription_index) == 32


class TestRead:
    def test_the_member_s_lines_since_the_day_only(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        old, new = history_line("F-1", day=date(2025, 3, 1)), history_line("F-2")
        other = history_line("F-3", member="CNSS-999999999")
        record_all([paid(f"x-{i}", line) for i, line in enumerate((old, new, other))],
                   uow=uow_factory())  # fmt: skip
        assert found(uow_factory, date(2025, 3, 2)) == [new]
        assert found(uow_factory, date(2025, 3, 1)) == [old, new]

    def test_a_prescription_s_lines_whoever_s_and_whenever(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        mine = history_line("F-1", day=date(2024, 1, 5), prescription="RX-1")
        theirs = history_line("F-2", member="CNSS-999999999", prescription="RX-1")
        elsewhere = history_line("F-3", member="CNSS-999999999", prescription="RX-2")
        record_all([paid(f"x-{i}", line) for i, line in enumerate((mine, theirs, elsewhere))],
                   uow=uow_factory())  # fmt: skip
        assert found(uow_factory, DAY, "RX-1") == [mine, replace(theirs, member_id=None)]
        assert found(uow_factory, DAY) == []

    def test_a_reversed_claim_no_longer_counts(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        kept, undone = history_line("F-1", prescription="RX-1"), history_line("F-2")
        record_all([paid("x-1", kept), paid("x-2", undone)], uow=uow_factory())
        assert record_all([cancelled(undone.source)], uow=uow_factory()) == [True]
        assert found(uow_factory, DAY, "RX-1") == [kept]
        assert record_all([cancelled(kept.source)], uow=uow_factory()) == [True]
        assert found(uow_factory, DAY, "RX-1") == []

    @pytest.mark.anyio
    async def test_the_use_case_reads_it_in_a_worker_thread(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        line = history_line("F-1", prescription="RX-1")
        record_all([paid("x-1", line)], uow=uow_factory())
        reader = SqlClaimHistoryReader(SqlReads(uow_factory, threads=2, deadline=5))
        assert await reader.lines(MEMBER, DAY, frozenset({"RX-1"})) == [line]
