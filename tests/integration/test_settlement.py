"""Settlement cycles on SQLite and PostgreSQL: transfers, files, statements, rejections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import text

from adapters.bank_files import pain001_schema, totals
from adapters.bank_statements import read_statement
from adapters.sql.payment_clock import ClaimClockQueries
from adapters.sql.transfers import SqlTransferQueries
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.bank_accounts import NoPendingChange, SameApprover
from domain.ledger import AlreadySettled, reversal
from domain.money import Money
from domain.payment_clock import ClaimState, ClockQuery, clock
from domain.payment_records import TransferStatus
from domain.services.bank_accounts import approve_account, propose_account
from domain.services.settlement import import_statement, settle
from domain.settlement import AlreadyPaid
from domain.transfer_ports import TransferQuery
from gateway.ids import new_id
from tests.bank_documents import Booked, camt053, camt054
from tests.settlement_world import (
    AT,
    CYCLE,
    PAYER,
    accept,
    add_provider,
    assert_settled,
    cancel,
    ledger,
    ports,
    rib_for,
)

NOW = datetime(2026, 11, 30, 20, tzinfo=UTC)


@pytest.fixture
def world(uow_factory: SqlUnitOfWorkFactory) -> SqlUnitOfWorkFactory:
    for provider in ("P1", "P2", "P3"):
        add_provider(uow_factory, provider)
    return uow_factory


class TestCycle:
    def test_due_claims_paid_once_per_provider(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        accept(world, "P1", "a", 10_000, CYCLE)
        accept(world, "P1", "b", 2_550, CYCLE - timedelta(days=3))
        accept(world, "P2", "c", 7_000, CYCLE)
        accept(world, "P2", "later", 9_999, CYCLE + timedelta(days=1))  # not yet due
        gone = accept(world, "P3", "cancelled", 5_000, CYCLE)
        cancel(world, gone)
        report = settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        assert (report.transfers, report.total) == (2, Money(19_550))
        book = assert_settled(world, tmp_path, ["P1:a", "P1:b", "P2:c"])
        assert "P2:later" not in book.live_paid() and "P3:cancelled" not in book.live_paid()
        document = Path(report.file or "").read_bytes()
        assert pain001_schema().validate(etree.fromstring(document))
        found = totals(document)
        assert (found.count, found.centimes) == (2, 19_550)
        assert b'Ccy="MAD"' in document and rib_for(1).iban.encode() in document
        assert not list(tmp_path.glob(".*.tmp"))

    def test_second_cycle_pays_nothing_again(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        accept(world, "P1", "a", 10_000, CYCLE)
        settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        again = settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        assert again.batch is None and again.transfers == 0
        accept(world, "P1", "b", 500, CYCLE)
        third = settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        assert third.batch == f"{PAYER}-20261130-02" and third.total == Money(500)
        assert_settled(world, tmp_path, ["P1:a", "P1:b"])

    def test_a_stopped_batch_is_finished_then_new_claims_paid(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        accept(world, "P1", "a", 10_000, CYCLE)
        with pytest.raises(_Stopped):
            settle(ports(world, tmp_path, checkpoint=_stop_at("ledger-posted")), PAYER, CYCLE, NOW)
        accept(world, "P2", "b", 300, CYCLE)
        report = settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        assert (report.batch, report.total) == (f"{PAYER}-20261130-02", Money(300))
        assert len(list(tmp_path.glob("*.xml"))) == 2
        assert_settled(world, tmp_path, ["P1:a", "P2:b"])

    def test_provider_without_account_waits(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        add_provider(world, "P9", with_account=False)
        accept(world, "P9", "x", 1_000, CYCLE)
        report = settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        assert report.batch is None and report.without_account == ("P9",)

    def test_a_claim_is_never_in_two_live_transfers(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        accept(world, "P1", "a", 10_000, CYCLE)
        settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        with world() as uow:
            batch = uow.settlement.open_batch(PAYER)
            assert batch is None
            twin = next(iter(uow.settlement.transfers(f"{PAYER}-20261130-01")))
            with pytest.raises(AlreadyPaid):
                uow.settlement.add_transfers([replace(twin, id="OTHER")], NOW)


class TestStatement:
    def _settled(self, world: SqlUnitOfWorkFactory, tmp_path: Path) -> dict[str, str]:
        accept(world, "P1", "a", 10_000, CYCLE)
        accept(world, "P2", "b", 4_000, CYCLE)
        settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        with world() as uow:
            return {t.provider: t.id for t in uow.settlement.transfers(f"{PAYER}-20261130-01")}

    def test_executed_and_rejected(self, world: SqlUnitOfWorkFactory, tmp_path: Path) -> None:
        ids = self._settled(world, tmp_path)
        day = date(2026, 12, 1)
        statement = camt054([Booked(ids["P1"], 10_000), Booked(ids["P2"], 4_000, "AC04")], day)
        lines = read_statement(statement, NOW)
        report = import_statement(world, lines, NOW, new_id)
        assert (report.executed, report.rejected, report.unknown) == (1, 1, ())
        with world() as uow:
            executed = uow.settlement.transfer(ids["P1"])
            rejected = uow.settlement.transfer(ids["P2"])
        assert executed is not None and executed.status is TransferStatus.EXECUTED
        assert rejected is not None and rejected.status is TransferStatus.REJECTED
        assert rejected.reason == "AC04" and [c.identifier for c in rejected.claims] == ["b"]
        book = ledger(world)
        assert book.live_paid() == {"P1:a": 1}
        # The rejected claim is payable again, in a new batch under a new id.
        again = settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        assert again.transfers == 1 and again.total == Money(4_000)
        assert_settled(world, tmp_path, ["P1:a", "P2:b"])
        with world() as uow:
            new = next(iter(uow.settlement.transfers(again.batch or "")))
        assert new.id != ids["P2"]

    def test_another_amount_is_left_for_a_person(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        ids = self._settled(world, tmp_path)
        statement = camt054([Booked(ids["P1"], 9_999), Booked(ids["P2"], 4_001, "AC04")], CYCLE)
        report = import_statement(world, read_statement(statement, NOW), NOW, new_id)
        assert (report.executed, report.rejected) == (0, 0)
        assert report.mismatched == (ids["P1"], ids["P2"])
        with world() as uow:
            record = uow.settlement.transfer(ids["P1"])
        assert record is not None and record.status is TransferStatus.SENT

    def test_same_statement_twice_changes_nothing(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        ids = self._settled(world, tmp_path)
        statement = camt053([Booked(ids["P2"], 4_000, "AC01"), Booked("NOPE", 1)], CYCLE)
        first = import_statement(world, read_statement(statement, NOW), NOW, new_id)
        before = ledger(world).entries
        second = import_statement(world, read_statement(statement, NOW), NOW, new_id)
        assert (first.rejected, first.unknown) == (1, ("NOPE",))
        assert (second.rejected, second.unchanged) == (0, 1)
        assert ledger(world).entries == before


class TestAccounts:
    def test_change_takes_effect_on_second_approval(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        add_provider(uow_factory, "P5", with_account=False)
        propose_account(uow_factory(), "P5", rib_for(5), by="alice", now=AT, new_id=lambda: "c5")
        with uow_factory() as uow:
            assert uow.bank_accounts.active("P5") is None
        with pytest.raises(SameApprover):
            approve_account(uow_factory(), "P5", by="alice", now=AT)
        approve_account(uow_factory(), "P5", by="bob", now=AT)
        with uow_factory() as uow:
            assert uow.bank_accounts.active("P5") == rib_for(5)
        with pytest.raises(NoPendingChange):
            approve_account(uow_factory(), "P5", by="carol", now=AT)

    def test_both_steps_are_audited(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        add_provider(uow_factory, "P6")
        with uow_factory() as uow:
            rows = uow.session.execute(
                text(
                    "SELECT action, client_id, detail FROM audit_event "
                    "WHERE tenant = 'P6' ORDER BY seq"
                )
            ).all()
        assert [(r[0], r[1]) for r in rows] == [
            ("bank_account.propose", "alice"),
            ("bank_account.approve", "bob"),
        ]
        assert rib_for(6).account not in rows[0][2]  # the account number is masked


class TestWithTheRestOfTheLedger:
    def test_a_claim_in_a_transfer_is_not_cancelled(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        entry = accept(world, "P1", "a", 10_000, CYCLE)
        with pytest.raises(_Stopped):
            settle(ports(world, tmp_path, checkpoint=_stop_at("batch-created")), PAYER, CYCLE, NOW)
        # Planned, not yet posted: the claim is already promised to the provider.
        with world() as uow, pytest.raises(AlreadySettled):
            reversal(entry, at=NOW, settled=uow.ledger.by_source("P1:a"))

    def test_the_clock_sees_a_returned_transfer_as_unpaid(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        accept(world, "P1", "a", 10_000, CYCLE)
        settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        assert _states(world) == {"P1:a": ClaimState.PAID}
        with world() as uow:
            e2e = next(iter(uow.settlement.transfers(f"{PAYER}-20261130-01"))).id
        returned = read_statement(camt054([Booked(e2e, 10_000, "AC04")], CYCLE), NOW)
        import_statement(world, returned, NOW, new_id)
        assert _states(world) == {"P1:a": ClaimState.OVERDUE}


class _Stopped(Exception):
    pass


def _stop_at(step: str) -> Callable[[str], None]:
    def checkpoint(point: str) -> None:
        if point == step:
            raise _Stopped(point)

    return checkpoint


def _states(world: SqlUnitOfWorkFactory) -> dict[str, ClaimState]:
    with world() as uow:
        claims = ClaimClockQueries(uow.session).page(ClockQuery(payer=PAYER, limit=10))
    return {c.source: clock(c, date(2026, 12, 5)).state for c in claims}


class TestTransferReader:
    def test_sent_transfers_as_providers_are_told(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        accept(world, "P1", "a", 10_000, CYCLE)
        accept(world, "P1", "b", 500, CYCLE)
        with pytest.raises(_Stopped):  # planned only: nobody is told yet
            settle(ports(world, tmp_path, checkpoint=_stop_at("batch-created")), PAYER, CYCLE, NOW)
        with world() as uow:
            assert SqlTransferQueries(uow.session).search(TransferQuery("P1")).records == ()
        settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        accept(world, "P1", "c", 700, CYCLE)
        settle(ports(world, tmp_path), PAYER, CYCLE, NOW + timedelta(hours=1))
        with world() as uow:
            reader = SqlTransferQueries(uow.session)
            first = reader.search(TransferQuery("P1", limit=1))
            (newest,) = first.records
            (oldest,) = reader.search(TransferQuery("P1", limit=1, after=first.next)).records
            assert reader.get("P1", oldest.id) == oldest and reader.get("P2", oldest.id) is None
        assert (oldest.amount, oldest.status, oldest.cycle) == (
            Money(10_500),
            TransferStatus.SENT,
            f"{PAYER}-20261130-01",
        )
        assert [(c.identifier, c.claim_id, c.response_id, c.amount) for c in oldest.claims] == [
            ("a", "rq-a", "rs-a", Money(10_000)),
            ("b", "rq-b", "rs-b", Money(500)),
        ]  # each claim traced to the Claim and ClaimResponse it was recorded with
        assert newest.cycle == f"{PAYER}-20261130-02"

    def test_an_executed_transfer_is_announced_once(
        self, world: SqlUnitOfWorkFactory, tmp_path: Path
    ) -> None:
        accept(world, "P1", "a", 10_000, CYCLE)
        settle(ports(world, tmp_path), PAYER, CYCLE, NOW)
        with world() as uow:
            e2e = next(iter(uow.settlement.transfers(f"{PAYER}-20261130-01"))).id
        statement = read_statement(camt054([Booked(e2e, 10_000)], CYCLE), NOW)
        import_statement(world, statement, NOW, new_id)
        import_statement(world, statement, NOW, new_id)
        with world() as uow:
            events = uow.session.execute(
                text("SELECT tenant, topic, focus FROM outbox_event")
            ).all()
        assert [tuple(e) for e in events] == [("P1", "payment-notified", f"PaymentNotice/{e2e}")]
