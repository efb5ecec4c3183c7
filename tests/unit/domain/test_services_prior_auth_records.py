"""What the prior-authorization use case records of each decision (instant, rules, reason,
auditor), and how a decision whose grounds moved before it was recorded is made again."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from domain.eligibility import EligibilityStatus
from domain.errors import InvalidRequest, ReferenceDataError, StaleState
from domain.money import Money
from domain.prior_auth import PaStatus, consume
from domain.records import (
    AuditEntry,
    AuthorizationChange,
    Effects,
    QueueQuery,
)
from domain.reference import ReferenceData
from domain.services import exchanges
from domain.services import prior_auth as service
from domain.services.exchanges import Stamp, Submission
from domain.services.prior_auth import (
    PRIOR_AUTH,
    PaOutcome,
    RequestPriorAuth,
    ReviewDecision,
    ReviewVerdict,
)
from tests.unit.domain.test_services_prior_auth import (
    CARE,
    NOBODY,
    NOW,
    PHARMACY,
    FakeForm,
    World,
    ask,
    drug,
    reviewer,
    stay,
    world,
)

pytestmark = pytest.mark.anyio


class TestWhatIsRecorded:
    """Every fact a decision leaves: who, when, under which rules, why."""

    async def test_a_grant_at_once_says_when_under_which_rules_and_why(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, drug())
        pa, _ = w.store.authorizations["id-1"]
        assert (pa.pa_type, pa.requested_at, pa.decided_at) == ("costly-drug", NOW, NOW)
        assert (pa.date_of_care, pa.rules_version) == (CARE, ref.version)
        assert pa.reasons == ("accord-automatique",) and not pa.provisional
        [note] = w.store.outbox
        assert (note.id, note.at) == ("id-3", NOW)

    async def test_a_refusal_at_once_keeps_every_reason_and_its_instant(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, drug(who=NOBODY))
        pa, _ = w.store.authorizations["id-1"]
        assert (pa.status, pa.decided_at, pa.payer) == (PaStatus.REFUSED, NOW, "")

    async def test_a_reviewer_s_refusal_says_why_when_and_under_which_rules(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, stay())
        w.clock.advance(timedelta(hours=3))
        refusal = ReviewDecision(ReviewVerdict.REFUSE, "refus-non-justifie")
        pa = await service.decide(reviewer(), "id-1", refusal, ref=ref, ports=w.ports)
        assert pa.reasons[-1] == "refus-non-justifie"
        assert (pa.decided_at, pa.rules_version) == (NOW + timedelta(hours=3), ref.version)
        entry = w.store.audit[-1]
        assert (entry.client_id, entry.tenant, entry.resource) == (
            "reviewer-CNSS",
            None,
            "ClaimResponse/id-1",
        )
        assert w.store.outbox[-1].at == NOW + timedelta(hours=3)

    async def test_a_reviewer_s_grant_runs_from_the_date_of_care_with_its_reason(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, stay())
        w.clock.advance(timedelta(days=2))
        until = CARE + timedelta(days=9)
        decision = ReviewDecision(ReviewVerdict.GRANT, "accord-controle-medical", valid_until=until)
        pa = await service.decide(reviewer(), "id-1", decision, ref=ref, ports=w.ports)
        assert (pa.valid_from, pa.valid_until, pa.decided_at) == (
            CARE,
            until,
            NOW + timedelta(days=2),
        )
        assert pa.reasons[-1] == "accord-controle-medical"

    async def test_the_validity_of_the_kind_applies_when_the_reviewer_names_none(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, stay())
        decision = ReviewDecision(ReviewVerdict.GRANT, "accord-controle-medical")
        pa = await service.decide(reviewer(), "id-1", decision, ref=ref, ports=w.ports)
        days = ref.pa_type("hospitalisation", CARE).validity_days  # type: ignore[union-attr]
        assert pa.valid_until == CARE + timedelta(days=days - 1)

    async def test_the_status_of_one_s_own_is_read_and_audited(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, drug())
        stored = await service.status(PHARMACY, "id-1", ports=w.ports)
        assert (stored.authorization.status, stored.version) == (PaStatus.GRANTED, 1)
        entry = w.store.audit[-1]
        assert (entry.action, entry.tenant, entry.client_id, entry.resource) == (
            "preauthorization.status",
            "pharmacy-1",
            "client-1",
            "ClaimResponse/id-1",
        )

    async def test_the_queue_is_audited_with_its_count_and_counted_against_the_limit(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, stay())
        await service.review_queue(reviewer(), QueueQuery("CNSS"), ports=w.ports)
        entry = w.store.audit[-1]
        assert (entry.action, entry.client_id, entry.detail) == (
            "preauthorization.queue",
            "reviewer-CNSS",
            "1 en attente",
        )
        limiter = w.ports.exchange.limiter
        assert limiter.counts["reviewer-CNSS"] == 1  # type: ignore[attr-defined]

    async def test_an_unknown_reason_names_itself(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        with pytest.raises(InvalidRequest) as caught:
            await service.decide(
                reviewer(),
                "id-1",
                ReviewDecision(ReviewVerdict.REFUSE, "parce-que"),
                ref=ref,
                ports=w.ports,
            )
        assert "parce-que" in caught.value.detail

    async def test_a_kind_no_longer_in_force_needs_the_reviewer_s_validity(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, stay())
        kinds = tuple(k for k in ref.pa_types if k.code != "hospitalisation")
        without = dataclasses.replace(ref, version="no-hospitalisation", pa_types=kinds)
        decision = ReviewDecision(ReviewVerdict.GRANT, "accord-controle-medical")
        with pytest.raises(ReferenceDataError):
            await service.decide(reviewer(), "id-1", decision, ref=without, ports=w.ports)
        until = CARE + timedelta(days=4)
        named = dataclasses.replace(decision, valid_until=until)
        pa = await service.decide(reviewer(), "id-1", named, ref=without, ports=w.ports)
        assert pa.valid_until == until


class TestDecidedAgainWhenItsGroundsMoved:
    """An exchange whose decision changes a prise en charge (a claim line using one) is
    recorded only if the prise en charge is still as it was read; else decided again."""

    async def consumer(self, w: World, moves: int) -> int:
        """Submit an exchange that uses one unit of id-1 while `moves` other changes of id-1
        get in first; how many times it was decided."""
        read: list[int] = []  # the version each decision was made from

        async def decide(cmd: RequestPriorAuth) -> PaOutcome:
            stored = await w.authorizations.get("id-1")
            assert stored is not None
            read.append(stored.version)
            used = consume(stored.authorization, 1, 1, Money.mad("1250"), day=CARE, now=NOW)
            return PaOutcome(used, EligibilityStatus.OPEN)

        def effects(outcome: PaOutcome, stamp: Stamp) -> Effects:
            audit = AuditEntry(NOW, "claim.consume", 200)
            return Effects(
                changes=(AuthorizationChange(outcome.authorization, read[-1], b"", audit),)
            )

        def another_gets_in_first() -> None:
            if len(read) <= moves:
                pa, version = w.store.authorizations["id-1"]
                w.store.authorizations["id-1"] = (pa, version + 1)

        w.store.before_record = another_gets_in_first
        submission = Submission(PHARMACY, FakeForm(drug()))
        await exchanges.submit(PRIOR_AUTH, submission, decide, w.ports.exchange, effects)
        return len(read)

    async def test_decided_again_from_the_new_state(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, drug())
        assert await self.consumer(w, moves=2) == 3
        pa, _ = w.store.authorizations["id-1"]
        assert pa.left(1).quantity_left == 5  # type: ignore[union-attr]  # once, of six

    async def test_given_up_after_five_decisions_with_nothing_recorded(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, drug())
        records = len(w.store.exchanges.records)
        with pytest.raises(StaleState):
            await self.consumer(w, moves=5)
        assert len(w.store.exchanges.records) == records
        untouched = w.store.authorizations["id-1"][0].left(1)
        assert untouched is not None and untouched.quantity_left == 6
