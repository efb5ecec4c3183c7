"""A payer's settlement history against a fake of its port: its own batches only, each
batch's transfers, the bank's answers day by day; every read audited under the officer."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.errors import NotFound
from domain.money import Money
from domain.payment_records import TransferRecord, TransferStatus
from domain.records import AuditEntry
from domain.services import settlement_history
from domain.services.settlement_history import HistoryPorts, Officer, StatementDay
from domain.settlement import Batch, BatchStatus
from domain.settlement_ports import BatchSummary
from tests.account_fakes import ListAudit
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio
AT = datetime(2026, 11, 30, 9, tzinfo=UTC)
OFFICER = Officer("CNSS", "staff:finance-1")


def answered(tid: str, status: TransferStatus, day: int | None, cents: int) -> TransferRecord:
    """A transfer the bank answered on that day of November (None: not answered yet)."""
    at = None if day is None else datetime(2026, 11, day, 10, tzinfo=UTC)
    return TransferRecord(tid, "CNSS", "p", "b", Money(cents), status, AT, (), at)


class FakeHistory:
    """domain.settlement_ports.SettlementHistory over two payers' batches."""

    def __init__(self) -> None:
        self.summaries = {
            payer: BatchSummary(
                Batch(f"{payer}-1", payer, date(2026, 11, 30), BatchStatus.FILED, AT),
                1,
                Money(1000),
            )
            for payer in ("CNSS", "CNOPS")
        }
        self.asked: list[tuple[str, int]] = []

    async def batches(self, payer: str, limit: int, offset: int) -> tuple[list[BatchSummary], int]:
        found = [s for s in self.summaries.values() if s.batch.payer == payer]
        return found[offset : offset + limit], len(found)

    async def batch(self, batch_id: str) -> BatchSummary | None:
        return next((s for s in self.summaries.values() if s.batch.id == batch_id), None)

    async def transfers(self, batch_id: str) -> list[TransferRecord]:
        record = TransferRecord("e2e-1", "CNSS", "p-1", batch_id, Money(1000),
                                TransferStatus.SENT, AT, ())  # fmt: skip
        return [record]

    async def answered(self, payer: str, limit: int) -> list[TransferRecord]:
        self.asked.append((payer, limit))
        return [answered("a", TransferStatus.EXECUTED, 3, 1000)]


def history() -> HistoryPorts:
    return HistoryPorts(FakeHistory(), ListAudit(), FakeClock(AT))


def read(action: str, resource: str | None = None, detail: str = "") -> AuditEntry:
    """The audit entry of the officer's read."""
    return AuditEntry(AT, action, 200, "payer:CNSS", "staff:finance-1", resource, detail)


class TestSettlementHistory:
    async def test_the_payers_batches_only_the_read_audited(self) -> None:
        ports = history()
        found, total = await settlement_history.payer_batches(OFFICER, 10, 0, ports=ports)
        assert total == 1 and [s.batch.id for s in found] == ["CNSS-1"]
        assert ports.audit.entries == [read("settlement.batches", detail="1 lot(s)")]  # type: ignore[attr-defined]

    async def test_a_batch_with_its_transfers(self) -> None:
        ports = history()
        detail = await settlement_history.payer_batch(OFFICER, "CNSS-1", ports=ports)
        assert detail.summary.batch.id == "CNSS-1"
        assert [(t.id, t.cycle) for t in detail.transfers] == [("e2e-1", "CNSS-1")]
        assert ports.audit.entries == [read("settlement.batch", "Batch/CNSS-1")]  # type: ignore[attr-defined]

    async def test_another_payers_batch_is_not_found(self) -> None:
        with pytest.raises(NotFound, match=r"^Aucun lot de règlement CNOPS-1 pour ce payeur$"):
            await settlement_history.payer_batch(OFFICER, "CNOPS-1", ports=history())

    async def test_an_unknown_batch_s_id_is_told_in_its_first_64_characters(self) -> None:
        with pytest.raises(NotFound) as refused:
            await settlement_history.payer_batch(OFFICER, "x" * 65, ports=history())
        assert str(refused.value) == f"Aucun lot de règlement {'x' * 64} pour ce payeur"


class TestStatementDays:
    async def test_the_payers_latest_answers_by_day_the_read_audited(self) -> None:
        ports = history()
        days = await settlement_history.statement_days(OFFICER, 50, ports=ports)
        assert days == [StatementDay(date(2026, 11, 3), 1, 0, Money(1000))]
        assert ports.history.asked == [("CNSS", 50)]  # type: ignore[attr-defined]
        assert ports.audit.entries == [read("settlement.statements")]  # type: ignore[attr-defined]

    def test_the_banks_answers_counted_and_summed_by_day(self) -> None:
        days = settlement_history.by_day([
            answered("a", TransferStatus.EXECUTED, 3, 1000),
            answered("b", TransferStatus.REJECTED, 3, 500),
            answered("c", TransferStatus.EXECUTED, 3, 250),
            answered("d", TransferStatus.EXECUTED, 5, 100),
        ])  # fmt: skip
        assert [(d.day.day, d.executed, d.rejected) for d in days] == [(5, 1, 0), (3, 2, 1)]
        assert (days[1].paid, days[1].returned) == (Money(1250), Money(500))

    def test_a_transfer_not_answered_yet_is_skipped_not_the_rest(self) -> None:
        days = settlement_history.by_day([
            answered("a", TransferStatus.SENT, None, 1000),
            answered("b", TransferStatus.EXECUTED, 4, 500),
        ])  # fmt: skip
        assert days == [StatementDay(date(2026, 11, 4), 1, 0, Money(500))]
