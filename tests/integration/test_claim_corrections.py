"""A claim corrected, then its correction cancelled, on SQLite and PostgreSQL: the reversal,
the new claim's entry and the prise en charge given back and used again recorded in one
write; the old claim found again by the instant its entry and its exchange share, to the
microsecond."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.cache.memory import MemoryRateLimiter
from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from adapters.sql.authorizations import SqlAuthorizationStore
from adapters.sql.ledger import SqlLedgerReader
from adapters.sql.reads import SqlExchangeStore, SqlIdempotencyStore, SqlReads
from adapters.sql.recorder import GroupCommitRecorder
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain import ledger
from domain.ledger import AlreadyReversed, EntryKind
from domain.money import Money
from domain.prior_auth import PaLine, PaStatus, PriorAuthorization, Use, grant
from domain.records import ExchangeQuery, ExchangeRecord
from domain.reference import ReferenceData
from domain.services.claim_corrections import Cancelled, cancel_claim, claim_state
from domain.services.claim_ports import ClaimPorts
from domain.services.exchanges import ExchangePorts
from gateway.ids import new_id
from tests.fakes import FakeClock
from tests.pipeline_fakes import patient_key
from tests.unit.domain.test_services_claims import (
    CARE,
    NOW,
    PHARMACY,
    TRASTUZUMAB,
    bill,
    decided,
    line,
    request,
    stored_claim,
    world,
)

pytestmark = pytest.mark.anyio
START = NOW + timedelta(microseconds=123_457)  # an instant SQL must give back exactly


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    """The dataset of the repository's refdata/ files."""
    return load_reference_files(DEFAULT_REFDATA_DIR)


@pytest.fixture
def sql(uow_factory: SqlUnitOfWorkFactory) -> Iterator[tuple[ClaimPorts, FakeClock]]:
    """The claim ports over SQL (the member directory and renderers stay the unit world's)."""
    reads = SqlReads(uow_factory, threads=2, deadline=20.0)
    recorder = GroupCommitRecorder(uow_factory, deadline=20.0)
    clock = FakeClock(START)
    exchange = ExchangePorts(
        limiter=MemoryRateLimiter(rate_per_second=1000, burst=1000),
        idempotency=SqlIdempotencyStore(reads),
        recorder=recorder,
        audit=recorder,
        store=SqlExchangeStore(reads),
        clock=clock,
        new_id=new_id,
    )
    _, unit = world()
    authorizations = SqlAuthorizationStore(reads, uow_factory, deadline=20.0)
    yield replace(
        unit, exchange=exchange, authorizations=authorizations, ledger=SqlLedgerReader(reads),
        stored=stored_claim,
    ), clock  # fmt: skip
    recorder.close()


def seed(uow_factory: SqlUnitOfWorkFactory) -> None:
    """pa-1: one box of trastuzumab granted to the pharmacy for a month, for the unit
    world's member (M1)."""
    asked = PriorAuthorization(
        "pa-1", PHARMACY.tenant, "CNSS", "costly-drug",
        (PaLine(1, TRASTUZUMAB, "costly-drug", 1, Money.mad("15200")),), NOW, NOW,
        patient=patient_key("M1"),
    )  # fmt: skip
    pa = grant(asked, {1: (1, Money.mad("15200"))}, valid_from=CARE,
               valid_until=CARE + timedelta(days=29), at=NOW)  # fmt: skip
    record = ExchangeRecord("pa-1", "preauthorization", PHARMACY.tenant, NOW, "claim-pa-1",
                            "granted", None, (), b"{}", b"{}")  # fmt: skip
    with uow_factory() as uow:
        uow.exchanges.add(record)
        uow.authorizations.add_many([pa])
        uow.commit()


def claim(uow_factory: SqlUnitOfWorkFactory, claim_id: str) -> ExchangeRecord:
    with uow_factory() as uow:
        found, _ = uow.exchanges.search(ExchangeQuery(PHARMACY.tenant, "claim", limit=50))
    return next(r for r in found if stored_claim(r.request_body).claim_id == claim_id)


def entries(uow_factory: SqlUnitOfWorkFactory, *claims: str) -> list[str]:
    with uow_factory() as uow:
        return [e.id for c in claims for e in uow.ledger.by_source(f"{PHARMACY.tenant}:{c}")]


def owed(uow_factory: SqlUnitOfWorkFactory) -> Money:
    with uow_factory() as uow:
        return -uow.ledger.balance(ledger.payable("CNSS", PHARMACY.tenant))


def authorization(uow_factory: SqlUnitOfWorkFactory) -> tuple[PriorAuthorization, int]:
    with uow_factory() as uow:
        stored = uow.authorizations.get("pa-1")
    assert stored is not None
    return stored.authorization, stored.version


class TestCorrectedThenCancelled:
    async def test_one_write_each_and_the_states_read_back(
        self,
        uow_factory: SqlUnitOfWorkFactory,
        sql: tuple[ClaimPorts, FakeClock],
        ref: ReferenceData,
    ) -> None:
        ports, clock = sql
        seed(uow_factory)
        assert (await bill(ports, ref, request("F-1", line(1))))[1] == "accepted"
        benefit = owed(uow_factory)
        old = claim(uow_factory, "F-1")
        clock.advance(timedelta(minutes=3, microseconds=7))
        outcome = await decided(ports, ref, request("F-1b", line(1), related="F-1"))
        assert outcome.corrects is not None  # its exchange found by its entry's instant:
        assert outcome.corrects.request_id == old.request_id
        assert entries(uow_factory, "F-1", "F-1b") == [
            "claim:pharmacy-1:F-1", "reversal:claim:pharmacy-1:F-1", "claim:pharmacy-1:F-1b",
        ]  # fmt: skip
        assert owed(uow_factory) == benefit
        pa, version = authorization(uow_factory)
        assert (pa.status, pa.uses, version) == (
            PaStatus.CONSUMED, (Use("F-1b", 1, 1, Money.mad("15200")),), 3,
        )  # fmt: skip
        assert await claim_state(PHARMACY, old, ports=ports) == "corrected"
        with pytest.raises(AlreadyReversed):
            await bill(ports, ref, request("F-1c", line(1), related="F-1"))

        clock.advance(timedelta(minutes=1))
        new = claim(uow_factory, "F-1b")
        assert await cancel_claim(PHARMACY, new.request_id, ports=ports) is Cancelled.REVERSED
        assert await cancel_claim(PHARMACY, new.request_id, ports=ports) is Cancelled.ALREADY
        assert await claim_state(PHARMACY, new, ports=ports) == "cancelled"
        assert owed(uow_factory) == Money(0)
        pa, version = authorization(uow_factory)
        assert (pa.status, pa.left(1).quantity_left, pa.uses, version) == (  # type: ignore[union-attr]
            PaStatus.GRANTED, 1, (), 4,
        )  # fmt: skip
        with uow_factory() as uow:
            kinds = [e.kind for e in uow.ledger.by_source(f"{PHARMACY.tenant}:F-1b")]
        assert kinds == [EntryKind.CLAIM, EntryKind.REVERSAL]
