"""The reviewer's worklist and a payer's settlement history against fakes of their ports:
only the reviewer's payer's requests, the most urgent first; another payer's batch is not
found."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.bank_accounts import AccountChange, parse_rib, propose, rib_key
from domain.errors import NotFound
from domain.money import Money
from domain.payment_records import TransferRecord, TransferStatus
from domain.records import AuditEntry, QueueQuery
from domain.reference import ReferenceData
from domain.services import bank_accounts, information, review_desk, settlement_history
from domain.services.settlement_history import HistoryPorts, Officer
from domain.settlement import Batch, BatchStatus
from domain.settlement_ports import BatchSummary
from tests.fakes import FakeClock
from tests.unit.domain.test_services_information import Composer
from tests.unit.domain.test_services_prior_auth import NOW, PHARMACY, ask, reviewer, stay, world

pytestmark = pytest.mark.anyio


class TestWorklist:
    async def test_the_payers_pending_requests_with_their_state(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        found, total = await review_desk.worklist(reviewer(), QueueQuery("CNSS"), ports=w.ports)
        assert total == 1
        [stored] = found
        assert stored.authorization.pa_type == "hospitalisation"
        assert stored.authorization.payer == "CNSS" and stored.authorization.status.pending

    async def test_another_payers_reviewer_sees_none(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        found, total = await review_desk.worklist(
            reviewer("CNOPS"), QueueQuery("CNSS"), ports=w.ports
        )
        assert (found, total) == ([], 0)

    async def test_overdue_first(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        w.clock.set(NOW + timedelta(hours=1))
        await ask(w, ref, stay(), key="second")
        found, _ = await review_desk.worklist(reviewer(), QueueQuery("CNSS"), ports=w.ports)
        deadlines = [s.authorization.deadline for s in found]
        assert deadlines == sorted(deadlines) and len(deadlines) == 2


AT = datetime(2026, 11, 30, 9, tzinfo=UTC)


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

    async def batches(self, payer: str, limit: int, offset: int) -> tuple[list[BatchSummary], int]:
        found = [s for s in self.summaries.values() if s.batch.payer == payer]
        return found[offset : offset + limit], len(found)

    async def batch(self, batch_id: str) -> BatchSummary | None:
        return next((s for s in self.summaries.values() if s.batch.id == batch_id), None)

    async def transfers(self, batch_id: str) -> list[TransferRecord]:
        record = TransferRecord("e2e-1", "CNSS", "p-1", batch_id, Money(1000),
                                TransferStatus.SENT, AT, ())  # fmt: skip
        return [record]


class FakeTrail:
    """domain.ports.AuditTrail: keeps what it is given."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


def history() -> HistoryPorts:
    return HistoryPorts(FakeHistory(), FakeTrail(), FakeClock(AT))


OFFICER = Officer("CNSS", "staff:finance-1")


class TestSettlementHistory:
    async def test_the_payers_batches_only_the_read_audited(self) -> None:
        ports = history()
        found, total = await settlement_history.payer_batches(OFFICER, 10, 0, ports=ports)
        assert total == 1 and [s.batch.id for s in found] == ["CNSS-1"]
        [entry] = ports.audit.entries  # type: ignore[attr-defined]
        assert (entry.client_id, entry.tenant) == ("staff:finance-1", "payer:CNSS")

    async def test_a_batch_with_its_transfers(self) -> None:
        ports = history()
        detail = await settlement_history.payer_batch(OFFICER, "CNSS-1", ports=ports)
        assert [t.id for t in detail.transfers] == ["e2e-1"]
        assert ports.audit.entries[0].resource == "Batch/CNSS-1"  # type: ignore[attr-defined]

    async def test_another_payers_batch_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            await settlement_history.payer_batch(OFFICER, "CNOPS-1", ports=history())


class FakeAccountsUow:
    """Just what pending_changes reads of a settlement unit of work."""

    def __init__(self, pending: list[AccountChange]) -> None:
        self.bank_accounts = self
        self._pending = pending
        self.entered = 0

    def every_pending(self) -> list[AccountChange]:
        return list(self._pending)

    def __enter__(self) -> FakeAccountsUow:
        self.entered += 1
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class TestPendingChanges:
    def test_every_change_waiting_for_a_second_approval(self) -> None:
        rib = parse_rib(f"011780{'7' * 16}{rib_key('011', '780', '7' * 16)}")
        change = propose("c-1", "p-1", rib, by="finance@cnss", at=AT)
        uow = FakeAccountsUow([change])
        assert bank_accounts.pending_changes(uow) == [change]  # type: ignore[arg-type]
        assert uow.entered == 1
        assert bank_accounts.masked(rib).endswith(f"{'7' * 4} {rib.value[-2:]}")


class TestReviewThread:
    async def test_questions_and_answers_oldest_first(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        asked = await information.ask_information(
            reviewer(), "id-1", "complement-compte-rendu", "Le compte rendu", Composer("q"),
            ports=w.ports,
        )  # fmt: skip
        given = await information.information_given(
            PHARMACY, asked.id, Composer("a"), ports=w.ports
        )
        thread = await review_desk.review_thread(reviewer(), "id-1", ports=w.ports)
        assert [m.id for m in thread.messages] == [asked.id, given.id]
        assert w.store.audit[-1].resource == "ClaimResponse/id-1"

    async def test_another_payers_is_not_found(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        with pytest.raises(NotFound):
            await review_desk.review_thread(reviewer("CNOPS"), "id-1", ports=w.ports)


class TestStatementDays:
    def test_the_banks_answers_counted_and_summed_by_day(self) -> None:
        def answered(tid: str, status: TransferStatus, day: int, cents: int) -> TransferRecord:
            at = datetime(2026, 11, day, 10, tzinfo=UTC)
            return TransferRecord(tid, "CNSS", "p", "b", Money(cents), status, AT, (), at)

        days = settlement_history.by_day([
            answered("a", TransferStatus.EXECUTED, 3, 1000),
            answered("b", TransferStatus.REJECTED, 3, 500),
            answered("c", TransferStatus.EXECUTED, 3, 250),
            answered("d", TransferStatus.EXECUTED, 5, 100),
        ])  # fmt: skip
        assert [(d.day.day, d.executed, d.rejected) for d in days] == [(5, 1, 0), (3, 2, 1)]
        assert (days[1].paid, days[1].returned) == (Money(1250), Money(500))


class TestReviewRights:
    async def test_the_patients_rights_on_the_date_of_care(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        outcome = await review_desk.review_rights(reviewer(), "id-1", ref=ref, ports=w.ports)
        assert outcome is not None and outcome.decision.status.in_force
        assert "ALD38" in outcome.decision.ald_conditions
        assert w.store.audit[-1].action.endswith("review-rights")

    async def test_another_payers_reviewer_reads_none(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        with pytest.raises(NotFound):
            await review_desk.review_rights(reviewer("CNOPS"), "id-1", ref=ref, ports=w.ports)

    async def test_not_the_requests_patient_reads_none(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        pa, version = w.store.authorizations["id-1"]
        w.store.authorizations["id-1"] = (dataclasses.replace(pa, patient="another"), version)
        assert await review_desk.review_rights(reviewer(), "id-1", ref=ref, ports=w.ports) is None
