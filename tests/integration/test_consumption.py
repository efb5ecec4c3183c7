"""A prise en charge used by claims: recorded with the exchange that uses it, exactly once,
on SQLite and PostgreSQL; twenty claims racing for the last unit leave one accepted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.cache.memory import MemoryRateLimiter
from adapters.sql.authorizations import SqlAuthorizationStore
from adapters.sql.reads import SqlExchangeStore, SqlIdempotencyStore, SqlReads
from adapters.sql.recorder import GroupCommitRecorder, record_all
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.errors import StaleState
from domain.members import PersonIdentifier
from domain.money import Money
from domain.prior_auth import (
    NotEnoughLeft,
    PaLine,
    PriorAuthorization,
    TransitionRefused,
    consume,
    grant,
)
from domain.records import (
    AuditEntry,
    AuthorizationChange,
    Effects,
    ExchangeQuery,
    ExchangeRecord,
    Recording,
    Rendered,
    Requester,
)
from domain.services import exchanges
from domain.services.exchanges import Exchange, ExchangePorts, Stamp, Submission
from gateway.ids import new_id
from tests.fakes import FakeClock

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY = NOW.date()
CLAIM = Exchange("claim", "Claim", "ClaimResponse")
PHARMACY = Requester("org-111222333", "client-pharmacy")


def seed(uow_factory: SqlUnitOfWorkFactory, units: int) -> None:
    """pa-1: `units` boxes granted to the pharmacy, with the exchange that asked for it."""
    line = PaLine(1, "6111000000045", "costly-drug", units, Money.mad("1250").times(units))
    asked = PriorAuthorization(
        "pa-1", PHARMACY.tenant, "CNSS", "costly-drug", (line,), NOW, NOW + timedelta(hours=48)
    )
    pa = grant(asked, {1: (units, line.amount)}, valid_from=DAY,
               valid_until=DAY + timedelta(days=29), at=NOW)  # fmt: skip
    record = ExchangeRecord(
        "pa-1", "preauthorization", PHARMACY.tenant, NOW, "claim-pa-1", "granted", None, (),
        b"{}", b"{}",
    )  # fmt: skip
    with uow_factory() as uow:
        uow.exchanges.add(record)
        uow.authorizations.add_many([pa])
        uow.commit()


@dataclass(frozen=True)
class Used:
    """What a claim decided: the prise en charge after its line, or None (nothing left)."""

    authorization: PriorAuthorization | None
    version: int

    @property
    def status(self) -> str:
        return "accepted" if self.authorization is not None else "rejected"


class ClaimForm:
    """A claim for one box on pa-1 (the form's reading is not what is tested here)."""

    def read(self, today: date) -> str:
        return "pa-1"

    def render(self, result: Used, stamp: Stamp) -> Rendered:
        return Rendered(b"claim", result.status.encode())

    def identifiers(self) -> tuple[PersonIdentifier, ...]:
        return ()


def ports(uow_factory: SqlUnitOfWorkFactory, recorder: GroupCommitRecorder) -> ExchangePorts:
    reads = SqlReads(uow_factory, threads=4, deadline=20.0)
    return ExchangePorts(
        limiter=MemoryRateLimiter(rate_per_second=1000, burst=1000),
        idempotency=SqlIdempotencyStore(reads),
        recorder=recorder,
        audit=recorder,
        store=SqlExchangeStore(reads),
        clock=FakeClock(NOW),
        new_id=new_id,
    )


async def claim_one_box(uow_factory: SqlUnitOfWorkFactory, pipeline: ExchangePorts) -> str:
    """One claim using one box of pa-1, through the pipeline; what it was answered."""
    store = SqlAuthorizationStore(SqlReads(uow_factory, threads=2, deadline=20.0), uow_factory,
                                  deadline=20.0)  # fmt: skip

    async def decide(authorization_id: str) -> Used:
        stored = await store.get(authorization_id)
        assert stored is not None
        try:
            used = consume(stored.authorization, 1, 1, Money.mad("1250"), day=DAY, now=NOW)
        except (NotEnoughLeft, TransitionRefused):  # nothing left, or used up
            return Used(None, stored.version)
        return Used(used, stored.version)

    def effects(result: Used, stamp: Stamp) -> Effects:
        if result.authorization is None:
            return Effects()
        audit = AuditEntry(NOW, "claim.consume", 200, tenant=PHARMACY.tenant)
        change = AuthorizationChange(result.authorization, result.version, b"{}", audit)
        return Effects(changes=(change,))

    submission = Submission(PHARMACY, ClaimForm())
    answer = await exchanges.submit(CLAIM, submission, decide, pipeline, effects)
    return answer.body.decode()


def left(uow_factory: SqlUnitOfWorkFactory) -> int:
    with uow_factory() as uow:
        stored = uow.authorizations.get("pa-1")
        assert stored is not None
        line = stored.authorization.left(1)
        assert line is not None
        return line.quantity_left


def recorded_claims(uow_factory: SqlUnitOfWorkFactory) -> list[str]:
    with uow_factory() as uow:
        found, _ = uow.exchanges.search(ExchangeQuery(PHARMACY.tenant, "claim", limit=100))
        return sorted(r.status for r in found)


class TestRecordedWithTheExchange:
    def test_a_stale_change_leaves_nothing_of_its_exchange_and_the_batch_goes_on(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        seed(uow_factory, 1)
        with uow_factory() as uow:
            stored = uow.authorizations.get("pa-1")
        assert stored is not None
        used = consume(stored.authorization, 1, 1, Money.mad("1250"), day=DAY, now=NOW)
        audit = AuditEntry(NOW, "claim.check", 200, tenant=PHARMACY.tenant)

        def claim(rid: str, version: int) -> Recording:
            record = ExchangeRecord(
                rid, "claim", PHARMACY.tenant, NOW, f"req-{rid}", "accepted", None, (), b"", b""
            )
            change = AuthorizationChange(used, version, b"{}", audit)
            return Recording(record, audit, effects=Effects(changes=(change,)))

        outcomes = record_all([claim("c-1", 1), claim("c-2", 1)], uow=uow_factory())
        assert outcomes[0] is True and isinstance(outcomes[1], StaleState)
        assert recorded_claims(uow_factory) == ["accepted"]
        assert left(uow_factory) == 0


@pytest.mark.anyio
class TestRacingForTheLastUnit:
    async def test_twenty_claims_for_one_box_one_accepted(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        seed(uow_factory, 1)
        # Two writers, as two replicas would be: their transactions race on the same row.
        recorders = [GroupCommitRecorder(uow_factory, deadline=20.0) for _ in range(2)]
        try:
            pipelines = [ports(uow_factory, r) for r in recorders]
            answers = await asyncio.gather(
                *(claim_one_box(uow_factory, pipelines[i % 2]) for i in range(20))
            )
        finally:
            for recorder in recorders:
                recorder.close()
        assert sorted(answers) == ["accepted"] + ["rejected"] * 19
        assert recorded_claims(uow_factory) == ["accepted"] + ["rejected"] * 19
        assert left(uow_factory) == 0
