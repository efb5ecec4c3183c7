"""What the payer console reads of the settlement, on each backend: the changes of account
awaiting a second approval, a payer's batches with their transfers counted by the bank's
answer, the transfers a statement answered, and the claims figures per provider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.bank_statements import read_statement
from adapters.sql.settlement_history import SqlSettlementHistoryQueries
from adapters.sql.statistics import SqlFiguresQueries
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.money import Money
from domain.payment_records import TransferStatus
from domain.prior_auth import refuse
from domain.services.bank_accounts import pending_changes, propose_account
from domain.services.settlement import import_statement, settle
from gateway.ids import new_id
from tests.bank_documents import Booked, camt054
from tests.integration.test_authorizations import NOW as PA_NOW
from tests.integration.test_authorizations import pending, store
from tests.settlement_world import AT, CYCLE, PAYER, accept, add_provider, ports, rib_for

NOW = datetime(2026, 11, 30, 20, tzinfo=UTC)


@pytest.fixture
def settled(uow_factory: SqlUnitOfWorkFactory, tmp_path: Path) -> SqlUnitOfWorkFactory:
    """Two providers paid by one cycle; the bank executed P1's transfer, returned P2's."""
    for provider in ("P1", "P2"):
        add_provider(uow_factory, provider)
    accept(uow_factory, "P1", "a", 10_000, CYCLE)
    accept(uow_factory, "P1", "b", 2_000, CYCLE)
    accept(uow_factory, "P2", "c", 4_000, CYCLE)
    settle(ports(uow_factory, tmp_path), PAYER, CYCLE, NOW)
    with uow_factory() as uow:
        ids = {t.provider: t.id for t in uow.settlement.transfers(f"{PAYER}-20261130-01")}
    statement = camt054([Booked(ids["P1"], 12_000), Booked(ids["P2"], 4_000, "AC04")], CYCLE)
    import_statement(uow_factory, read_statement(statement, NOW), NOW, new_id)
    return uow_factory


class TestSettlementHistory:
    def test_a_batch_counted_by_the_banks_answers(self, settled: SqlUnitOfWorkFactory) -> None:
        with settled() as uow:
            queries = SqlSettlementHistoryQueries(uow.session)
            found, total = queries.batches(PAYER, 10, 0)
            assert total == 1 and queries.batches("CNOPS", 10, 0) == ([], 0)
            [summary] = found
            assert (summary.transfers, summary.total) == (2, Money(16_000))
            assert (summary.executed, summary.rejected) == (1, 1)
            assert queries.batch(summary.batch.id) == summary
            transfers = queries.transfers(summary.batch.id)
            assert {t.status for t in transfers} == {
                TransferStatus.EXECUTED,
                TransferStatus.REJECTED,
            }
            answered = queries.answered(PAYER, 10)
            assert {t.reason for t in answered} == {None, "AC04"}

    def test_the_claims_figures_per_provider(self, settled: SqlUnitOfWorkFactory) -> None:
        start = AT - timedelta(days=1)
        with settled() as uow:
            figures = SqlFiguresQueries(uow.session).claims(PAYER, start, NOW + timedelta(days=1))
            by_provider = {f.provider: f for f in figures}
            assert (by_provider["P1"].claims, by_provider["P1"].accepted) == (2, Money(12_000))
            assert by_provider["P1"].paid == Money(12_000)  # executed
            assert by_provider["P2"].paid == Money(0)  # returned: not paid
            later = SqlFiguresQueries(uow.session).claims(
                PAYER, NOW + timedelta(days=1), NOW + timedelta(days=2)
            )
            assert later == []


class TestPendingChanges:
    def test_every_change_awaiting_a_second_approval(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        add_provider(uow_factory, "P1")
        add_provider(uow_factory, "P2", with_account=False)
        propose_account(uow_factory(), "P2", rib_for(22), by="finance@cnss", now=AT,
                        new_id=lambda: "change-p2")  # fmt: skip
        [change] = pending_changes(uow_factory())  # P1's was approved: not pending
        assert (change.id, change.provider, change.rib) == ("change-p2", "P2", rib_for(22))


class TestAuthorizationFigures:
    def test_the_payers_prises_en_charge_of_the_period(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        decided = refuse(
            pending("pa-refused"), "refus-non-justifie", at=PA_NOW + timedelta(hours=5)
        )
        store(uow_factory, pending("pa-waiting"), decided, pending("pa-cnops", payer="CNOPS"))
        start, end = PA_NOW - timedelta(hours=1), PA_NOW + timedelta(hours=1)
        with uow_factory() as uow:
            found = SqlFiguresQueries(uow.session).authorizations("CNSS", start, end)
            after = SqlFiguresQueries(uow.session).authorizations("CNSS", end, end + end.resolution)
        by_status = {f.status: f for f in found}
        assert set(by_status) == {"requested", "refused"} and after == []
        assert by_status["refused"].decided_at == PA_NOW + timedelta(hours=5)
        assert by_status["requested"].decided_at is None
