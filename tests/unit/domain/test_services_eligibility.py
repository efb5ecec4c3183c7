"""The eligibility use cases against the fakes of the ports."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from domain.eligibility import CheckEligibility, Purpose, RequestedItem
from domain.eligibility import EligibilityStatus as S
from domain.errors import InvalidRequest
from domain.members import IdentifierKind, PersonIdentifier
from domain.ports import (
    AuditEntry,
    ExchangeRecord,
    IdempotentAnswer,
    PersonName,
    Recording,
    RegistryEntry,
)
from domain.reference import ReferenceData
from domain.services.eligibility import check_eligibility, record_exchange, record_exchanges
from tests.fakes import FakeDecisionCache, FakeMemberRepository, FakeUnitOfWork
from tests.unit.domain.builders import member, salarie

CARE = date(2025, 6, 16)
IDCS = PersonIdentifier(IdentifierKind.IDCS, "1234567890")
CIN = PersonIdentifier(IdentifierKind.CIN, "BK123456")
NOW = datetime(2025, 6, 16, 9, tzinfo=UTC)


def registered(*identifiers: PersonIdentifier) -> FakeUnitOfWork:
    """A unit of work whose registry holds one open salarié with these identifiers."""
    entry = RegistryEntry(
        member(salarie(CARE)), identifiers, PersonName("Alaoui", "Fatima"), "female"
    )
    return FakeUnitOfWork(members=FakeMemberRepository([entry]))


def command(
    *identifiers: PersonIdentifier, items: tuple[RequestedItem, ...] = ()
) -> CheckEligibility:
    """A validation request for CARE."""
    return CheckEligibility(identifiers, CARE, frozenset({Purpose.VALIDATION}), items)


class TestCheckEligibility:
    def test_found_member_is_decided_and_cached(self, ref: ReferenceData) -> None:
        cache = FakeDecisionCache()
        outcome = check_eligibility(command(IDCS), uow=registered(IDCS), cache=cache, ref=ref)
        assert outcome.decision.status is S.OPEN and not outcome.from_cache
        assert cache.decisions[IDCS, CARE, ref.version] == outcome.decision

    def test_second_check_comes_from_the_cache(self, ref: ReferenceData) -> None:
        uow, cache = registered(IDCS), FakeDecisionCache()
        check_eligibility(command(IDCS), uow=uow, cache=cache, ref=ref)
        outcome = check_eligibility(command(IDCS), uow=uow, cache=cache, ref=ref)
        assert outcome.from_cache
        assert uow.entered == 1

    def test_cache_of_another_rules_version_is_not_used(self, ref: ReferenceData) -> None:
        uow, cache = registered(IDCS), FakeDecisionCache()
        check_eligibility(command(IDCS), uow=uow, cache=cache, ref=ref)
        newer = dataclasses.replace(ref, version="ref-new")
        assert not check_eligibility(command(IDCS), uow=uow, cache=cache, ref=newer).from_cache

    def test_not_found_is_not_cached(self, ref: ReferenceData) -> None:
        cache = FakeDecisionCache()
        outcome = check_eligibility(command(IDCS), uow=FakeUnitOfWork(), cache=cache, ref=ref)
        assert outcome.decision.status is S.NOT_FOUND
        assert cache.decisions == {}

    def test_next_identifier_is_tried_when_the_first_finds_nobody(self, ref: ReferenceData) -> None:
        outcome = check_eligibility(
            command(IDCS, CIN), uow=registered(CIN), cache=FakeDecisionCache(), ref=ref
        )
        assert outcome.decision.status is S.OPEN

    def test_items_are_answered(self, ref: ReferenceData) -> None:
        items = (RequestedItem("hospitalisation"),)
        outcome = check_eligibility(
            command(IDCS, items=items), uow=registered(IDCS), cache=FakeDecisionCache(), ref=ref
        )
        assert outcome.items[0].covered and outcome.items[0].needs_prior_authorization

    def test_items_are_answered_from_a_cached_decision(self, ref: ReferenceData) -> None:
        uow, cache = registered(IDCS), FakeDecisionCache()
        check_eligibility(command(IDCS), uow=uow, cache=cache, ref=ref)
        items = (RequestedItem("consultation"),)
        outcome = check_eligibility(command(IDCS, items=items), uow=uow, cache=cache, ref=ref)
        assert outcome.from_cache and outcome.items[0].covered

    def test_the_check_commits_nothing(self, ref: ReferenceData) -> None:
        uow = registered(IDCS)
        check_eligibility(command(IDCS), uow=uow, cache=FakeDecisionCache(), ref=ref)
        assert uow.commits == 0

    def test_no_identifier_is_refused(self, ref: ReferenceData) -> None:
        with pytest.raises(InvalidRequest):
            check_eligibility(command(), uow=FakeUnitOfWork(), cache=FakeDecisionCache(), ref=ref)


def exchange() -> ExchangeRecord:
    """A stored eligibility exchange."""
    return ExchangeRecord(
        "r1", "eligibility", "prov-1", NOW, "q1", "open", None, (IDCS,), b"{}", b"{}"
    )


class TestRecordExchange:
    def test_exchange_and_audit_are_committed_together(self) -> None:
        uow = FakeUnitOfWork()
        record_exchange(exchange(), AuditEntry(NOW, "eligibility.check", 200), uow=uow)
        assert uow.committed
        assert uow.exchanges.get("prov-1", "eligibility", "r1") == exchange()
        assert [e.action for e in uow.audit.entries] == ["eligibility.check"]

    def test_another_tenant_does_not_see_the_exchange(self) -> None:
        uow = FakeUnitOfWork()
        record_exchange(exchange(), AuditEntry(NOW, "eligibility.check", 200), uow=uow)
        assert uow.exchanges.get("prov-2", "eligibility", "r1") is None


class TestRecordExchanges:
    def test_an_exchange_whose_key_is_taken_is_not_stored(self) -> None:
        uow = FakeUnitOfWork()
        first = IdempotentAnswer("prov-1", "key-1", "h", 200, b"{}")
        retry = IdempotentAnswer("prov-1", "key-1", "h", 200, b"{}")
        second = dataclasses.replace(exchange(), id="r2", request_id="q2")
        stored = record_exchanges(
            [
                Recording(exchange(), AuditEntry(NOW, "eligibility.check", 200), first),
                Recording(second, AuditEntry(NOW, "eligibility.check", 200), retry),
            ],
            uow=uow,
        )
        assert stored == [True, False]
        assert [r.id for r in uow.exchanges.records] == ["r1"]
        assert len(uow.audit.entries) == 1
        assert uow.idempotency.get("prov-1", "key-1") == first

    def test_the_same_key_of_another_tenant_is_its_own(self) -> None:
        uow = FakeUnitOfWork()
        mine = IdempotentAnswer("prov-1", "key-1", "h", 200, b"{}")
        theirs = IdempotentAnswer("prov-2", "key-1", "h", 200, b"{}")
        other = dataclasses.replace(exchange(), id="r2", tenant="prov-2")
        stored = record_exchanges(
            [
                Recording(exchange(), AuditEntry(NOW, "x", 200), mine),
                Recording(other, AuditEntry(NOW, "x", 200), theirs),
            ],
            uow=uow,
        )
        assert stored == [True, True]

    def test_audit_only_recordings_store_no_exchange(self) -> None:
        uow = FakeUnitOfWork()
        assert record_exchanges([Recording(None, AuditEntry(NOW, "read", 200))], uow=uow) == [True]
        assert uow.exchanges.records == []
        assert len(uow.audit.entries) == 1


class TestFakeUnitOfWork:
    def test_leaving_without_commit_rolls_back(self) -> None:
        uow = FakeUnitOfWork()
        with uow:
            uow.audit.append(AuditEntry(NOW, "x", 200))
        assert uow.audit.entries == []
        assert not uow.committed

    def test_an_error_inside_rolls_back(self) -> None:
        uow = FakeUnitOfWork()
        with pytest.raises(RuntimeError), uow:
            uow.exchanges.add(exchange())
            raise RuntimeError
        assert uow.exchanges.records == []
