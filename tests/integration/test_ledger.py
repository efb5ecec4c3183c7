"""The ledger in SQL (SQLite and PostgreSQL): entries recorded with the exchange that makes
them, each id once, so a claim is made payable once and reversed once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from adapters.sql.recorder import record_all
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.ledger import (
    AlreadyRecorded,
    Entry,
    benefits,
    claim_accepted,
    payable,
    reversal,
)
from domain.money import ZERO, Money
from domain.records import (
    AuditEntry,
    Effects,
    ExchangeQuery,
    ExchangeRecord,
    IdempotentAnswer,
    Recording,
)

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
LATER = datetime(2026, 3, 3, 9, tzinfo=UTC)
PHARMACY = "org-111222333"
BENEFIT = Money.mad("14700")


def accepted(claim: str = "c-1") -> Entry:
    entry = claim_accepted(claim, payer="CNSS", provider=PHARMACY, benefit=BENEFIT, at=NOW)
    assert entry is not None
    return entry


def recording(exchange_id: str, *entries: Entry, key: str | None = None) -> Recording:
    record = ExchangeRecord(
        exchange_id, "claim", PHARMACY, NOW, f"req-{exchange_id}", "accepted", None, (),
        b"{}", b"{}",
    )  # fmt: skip
    answer = None if key is None else IdempotentAnswer(
        PHARMACY, key, "h", 200, b"{}", response_id=exchange_id, request_id=f"req-{exchange_id}"
    )  # fmt: skip
    audit = AuditEntry(NOW, "claim.check", 200, tenant=PHARMACY)
    return Recording(record, audit, answer, Effects(entries=entries))


def exchanges(uow_factory: SqlUnitOfWorkFactory) -> list[str]:
    with uow_factory() as uow:
        found, _ = uow.exchanges.search(ExchangeQuery(PHARMACY, "claim", limit=50))
        return sorted(r.id for r in found)


class TestRecordedOnce:
    def test_a_claim_is_made_payable_with_its_exchange(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        assert record_all([recording("x-1", accepted())], uow=uow_factory()) == [True]
        with uow_factory() as uow:
            assert uow.ledger.balance(payable("CNSS", PHARMACY)) == -BENEFIT
            assert uow.ledger.balance(benefits("CNSS")) == BENEFIT
            assert uow.ledger.by_source("c-1") == [accepted()]
        assert exchanges(uow_factory) == ["x-1"]

    def test_the_same_claim_again_leaves_nothing_of_its_exchange_and_the_batch_goes_on(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        record_all([recording("x-1", accepted())], uow=uow_factory())
        outcomes = record_all(
            [recording("x-2", accepted(), key="k-2"), recording("x-3", accepted("c-3"))],
            uow=uow_factory(),
        )
        assert isinstance(outcomes[0], AlreadyRecorded) and outcomes[1] is True
        assert outcomes[0].code == "deja-comptabilise"
        assert exchanges(uow_factory) == ["x-1", "x-3"]
        with uow_factory() as uow:
            assert uow.idempotency.get(PHARMACY, "k-2") is None  # its key was not taken
            assert uow.ledger.balance(payable("CNSS", PHARMACY)) == -BENEFIT - BENEFIT

    def test_a_reversal_undoes_the_claim_once(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        record_all([recording("x-1", accepted())], uow=uow_factory())
        undone = reversal(accepted(), at=LATER)
        assert record_all([recording("x-2", undone)], uow=uow_factory()) == [True]
        again = record_all([recording("x-3", undone)], uow=uow_factory())
        assert isinstance(again[0], AlreadyRecorded)
        with uow_factory() as uow:
            assert uow.ledger.balance(payable("CNSS", PHARMACY)) == ZERO
            assert [e.id for e in uow.ledger.by_source("c-1")] == [
                "claim:c-1",
                "reversal:claim:c-1",
            ]


class TestOneBatch:
    """What a batch takes is looked up first and inserted a table at a time; twins inside the
    batch and a twin committed by another writer meanwhile are refused like any other."""

    def test_two_retries_in_one_batch_store_the_first(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        outcomes = record_all(
            [recording("x-1", key="k-1"), recording("x-2", key="k-1"), recording("x-3")],
            uow=uow_factory(),
        )
        assert outcomes == [True, False, True]
        assert exchanges(uow_factory) == ["x-1", "x-3"]
        with uow_factory() as uow:
            kept = uow.idempotency.get(PHARMACY, "k-1")
            assert kept is not None and kept.response_id == "x-1"

    def test_the_same_claim_twice_in_one_batch_is_payable_once(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        outcomes = record_all(
            [recording("x-1", accepted(), key="k-1"), recording("x-2", accepted(), key="k-2")],
            uow=uow_factory(),
        )
        assert outcomes[0] is True and isinstance(outcomes[1], AlreadyRecorded)
        assert exchanges(uow_factory) == ["x-1"]
        with uow_factory() as uow:
            assert uow.idempotency.get(PHARMACY, "k-2") is None
            assert uow.ledger.balance(payable("CNSS", PHARMACY)) == -BENEFIT

    def test_a_key_kept_by_an_earlier_batch_is_refused(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        record_all([recording("x-1", key="k-1")], uow=uow_factory())
        outcomes = record_all(
            [recording("x-2", accepted(), key="k-1"), recording("x-3", key="k-3")],
            uow=uow_factory(),
        )
        assert outcomes == [False, True]
        with uow_factory() as uow:
            assert uow.ledger.by_source("c-1") == []  # the refused one did not act

    def test_a_twin_committed_by_another_writer_meanwhile_is_refused_alone(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        # Another writer takes k-1 and the claim's entry, and commits while this batch waits
        # for the write lock (SQLite) or for the rows (PostgreSQL): the look-up found them
        # free, the insert clashes, and the batch is recorded one by one.
        other = uow_factory()
        other.__enter__()
        try:
            other.idempotency.put(
                IdempotentAnswer(PHARMACY, "k-1", "h", 200, b"{}", response_id="y",
                                 request_id="req-y")
            )  # fmt: skip
            other.ledger.insert_many([accepted()])
            batch = [recording("x-1", key="k-1"), recording("x-2", accepted()),
                     recording("x-3", key="k-3")]  # fmt: skip
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
        assert outcomes[0] is False and isinstance(outcomes[1], AlreadyRecorded)
        assert outcomes[2] is True
        assert exchanges(uow_factory) == ["x-3"]
