"""The prior-authorization use case against the fakes of its ports: what is decided at once,
what is queued, and what reviewers and providers may then do (and may not)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import Conflict, InvalidRequest, NotFound
from domain.members import AldGrant, IdentifierKind, PersonIdentifier
from domain.money import Money
from domain.notifications import Topic
from domain.prior_auth import PaLine, PaStatus, TransitionRefused
from domain.records import (
    ExchangeQuery,
    IdempotencyKey,
    PersonName,
    QueueQuery,
    RegistryEntry,
    Rendered,
    Requester,
)
from domain.reference import ReferenceData
from domain.rules.prior_auth import PaRequest
from domain.services import prior_auth as service
from domain.services.exchanges import ExchangePorts, Stamp, Submission
from domain.services.prior_auth import (
    PaOutcome,
    PriorAuthPorts,
    RequestPriorAuth,
    ReviewDecision,
    Reviewer,
    ReviewVerdict,
)
from tests.fakes import FakeClock, FakeMemberRepository
from tests.pipeline_fakes import (
    FakeAuthorizations,
    FakeIds,
    FakeRateLimiter,
    FakeStore,
    patient_key,
    render_state,
)
from tests.unit.domain.builders import member, salarie

pytestmark = pytest.mark.anyio

CARE = date(2025, 6, 16)
NOW = datetime(2025, 6, 16, 9, tzinfo=UTC)
IDCS = PersonIdentifier(IdentifierKind.IDCS, "1234567890")
NOBODY = PersonIdentifier(IdentifierKind.IDCS, "9999999990")
PHARMACY = Requester(tenant="pharmacy-1", client_id="client-1")
OTHER = Requester(tenant="clinic-2", client_id="client-2")
TRASTUZUMAB = "6111000000014"  # costly, ALD38, at most 6 per 30 days, oncologists


class FakeForm:
    """A request already read: gives its command, renders what the test can check."""

    def __init__(self, cmd: RequestPriorAuth) -> None:
        self.cmd = cmd

    def read(self, today: date) -> RequestPriorAuth:
        return self.cmd

    def render(self, result: PaOutcome, stamp: Stamp) -> Rendered:
        pa = result.stamped(stamp)
        return Rendered(b"claim", f"{pa.id}|{pa.status.value}".encode(), "Patient/1")

    def identifiers(self) -> tuple[PersonIdentifier, ...]:
        return self.cmd.identifiers


@dataclasses.dataclass
class World:
    store: FakeStore
    authorizations: FakeAuthorizations
    clock: FakeClock
    ports: PriorAuthPorts


def world() -> World:
    """One salarié of CNSS holding ALD38 (cancer) since 2024."""
    cancer = (AldGrant("ALD38", date(2024, 1, 1)),)
    entry = RegistryEntry(
        member(salarie(CARE), ald=cancer), (IDCS,), PersonName("Alaoui", "Fatima"), "female"
    )
    store = FakeStore(FakeMemberRepository([entry]))
    clock = FakeClock(NOW)
    exchange = ExchangePorts(FakeRateLimiter(), store, store, store, store, clock, FakeIds())
    authorizations = FakeAuthorizations(store)
    return World(
        store,
        authorizations,
        clock,
        PriorAuthPorts(exchange, store, authorizations, render_state, patient_key),
    )


def drug(quantity: int = 6, who: PersonIdentifier = IDCS) -> RequestPriorAuth:
    line = PaLine(1, TRASTUZUMAB, "costly-drug", quantity, Money.mad("15200").times(quantity))
    request = PaRequest("costly-drug", (line,), CARE, prescriber_specialty="oncologie")
    return RequestPriorAuth((who,), request)


def stay(*, urgent: bool = False) -> RequestPriorAuth:
    line = PaLine(1, "hospitalisation", "hospitalisation", 3, Money.mad("9000"))
    return RequestPriorAuth((IDCS,), PaRequest("hospitalisation", (line,), CARE, urgent=urgent))


async def ask(
    w: World,
    ref: ReferenceData,
    cmd: RequestPriorAuth,
    *,
    who: Requester = PHARMACY,
    key: str | None = None,
) -> str:
    submission = Submission(who, FakeForm(cmd), IdempotencyKey(key, "h") if key else None)
    answer = await service.request_prior_auth(submission, ref=ref, ports=w.ports)
    return answer.body.decode()


def reviewer(payer: str = "CNSS") -> Reviewer:
    return Reviewer(payer=payer, client_id=f"reviewer-{payer}")


class TestSubmit:
    async def test_a_listed_costly_drug_is_granted_at_once_and_notified(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        assert await ask(w, ref, drug()) == "id-1|granted"
        pa, version = w.store.authorizations["id-1"]
        assert (pa.status, pa.tenant, pa.payer, version) == (
            PaStatus.GRANTED,
            "pharmacy-1",
            "CNSS",
            1,
        )
        assert (pa.valid_from, pa.valid_until) == (CARE, CARE + timedelta(days=29))
        assert pa.granted[0].quantity_left == 6 and pa.rules_version == ref.version
        assert pa.patient == patient_key("M1")  # the member's key, what claims are matched with
        [note] = w.store.outbox
        assert (note.tenant, note.topic, note.focus) == (
            "pharmacy-1",
            Topic.PA_DECIDED.value,
            "ClaimResponse/id-1",
        )
        assert w.store.exchanges.records[0].status == "granted"

    async def test_one_box_over_the_catalog_maximum_is_queued_not_notified(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        assert await ask(w, ref, drug(quantity=7)) == "id-1|requested"
        pa, _ = w.store.authorizations["id-1"]
        assert pa.reasons == ("quantite-au-dela-du-plafond",)
        assert pa.deadline == NOW + timedelta(hours=48)
        assert w.store.outbox == []

    async def test_a_person_not_covered_is_refused_never_granted(self, ref: ReferenceData) -> None:
        w = world()
        assert await ask(w, ref, drug(who=NOBODY)) == "id-1|refused"
        pa, _ = w.store.authorizations["id-1"]
        assert pa.reasons == ("droits-non-ouverts",) and pa.granted == ()
        assert pa.patient == ""  # nobody found: for no one
        assert [n.topic for n in w.store.outbox] == [Topic.PA_DECIDED.value]

    async def test_an_urgent_admission_is_granted_provisionally(self, ref: ReferenceData) -> None:
        w = world()
        assert await ask(w, ref, stay(urgent=True)) == "id-1|granted"
        assert w.store.authorizations["id-1"][0].provisional

    async def test_a_request_without_a_line_in_our_codes_goes_to_review(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        cmd = dataclasses.replace(
            drug(), request=dataclasses.replace(drug().request, lines=()), foreign=(1,)
        )
        assert await ask(w, ref, cmd) == "id-1|requested"
        assert w.store.authorizations["id-1"][0].foreign == (1,)

    async def test_a_retry_with_the_same_key_asks_nothing_twice(self, ref: ReferenceData) -> None:
        w = world()
        first = await ask(w, ref, drug(), key="k1")
        assert await ask(w, ref, drug(), key="k1") == first
        assert list(w.store.authorizations) == ["id-1"] and len(w.store.outbox) == 1


class TestReview:
    async def test_the_queue_is_the_payers_pending_requests_earliest_deadline_first(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        w.clock.set(NOW + timedelta(hours=1))
        await ask(w, ref, stay())  # id-1, due an hour after the next one
        w.clock.set(NOW)
        await ask(w, ref, drug(quantity=7))  # id-3, queued, due first
        records, total = await service.review_queue(
            reviewer(), QueueQuery("ignored"), ports=w.ports
        )
        assert total == 2 and [r.id for r in records] == ["id-3", "id-1"]
        _, none = await service.review_queue(reviewer("CNOPS"), QueueQuery("CNSS"), ports=w.ports)
        assert none == 0  # the payer comes from the reviewer, never from the query

    async def test_overdue_lists_only_those_past_their_deadline(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        late = QueueQuery("CNSS", overdue_at=NOW + timedelta(hours=48))
        assert (await service.review_queue(reviewer(), late, ports=w.ports))[1] == 0
        later = QueueQuery("CNSS", overdue_at=NOW + timedelta(hours=48, seconds=1))
        assert (await service.review_queue(reviewer(), later, ports=w.ports))[1] == 1

    async def test_a_grant_by_the_reviewer_is_recorded_rendered_and_notified(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, stay())
        decision = ReviewDecision(ReviewVerdict.GRANT, "accord-controle-medical")
        pa = await service.decide(reviewer(), "id-1", decision, ref=ref, ports=w.ports)
        assert pa.status is PaStatus.GRANTED and pa.valid_until == CARE + timedelta(days=29)
        assert w.store.authorizations["id-1"][1] == 2
        assert w.store.exchanges.records[0].response_body.startswith(b"id-1|granted|")
        assert [n.topic for n in w.store.outbox] == [Topic.PA_DECIDED.value]
        assert w.store.audit[-1].action == "preauthorization.decide"

    async def test_a_partial_grant_gives_less_than_asked(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        decision = ReviewDecision(
            ReviewVerdict.PARTIAL, "accord-partiel-controle-medical", ((1, 2, Money.mad("6000")),)
        )
        pa = await service.decide(reviewer(), "id-1", decision, ref=ref, ports=w.ports)
        assert pa.status is PaStatus.PARTIAL and pa.granted[0].quantity == 2

    async def test_partial_that_grants_everything_is_refused(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        decision = ReviewDecision(
            ReviewVerdict.PARTIAL, "accord-partiel-controle-medical", ((1, 3, Money.mad("9000")),)
        )
        with pytest.raises(InvalidRequest) as caught:
            await service.decide(reviewer(), "id-1", decision, ref=ref, ports=w.ports)
        assert caught.value.code == "accord-partiel-incoherent"

    async def test_another_payers_reviewer_cannot_see_nor_decide(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        decision = ReviewDecision(ReviewVerdict.REFUSE, "refus-non-justifie")
        with pytest.raises(NotFound):
            await service.decide(reviewer("CNOPS"), "id-1", decision, ref=ref, ports=w.ports)
        assert w.store.authorizations["id-1"][0].status is PaStatus.REQUESTED

    async def test_an_unknown_reason_is_refused_before_anything_changes(
        self, ref: ReferenceData
    ) -> None:
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
        assert caught.value.code == "motif-inconnu"

    async def test_deciding_twice_is_refused(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        refusal = ReviewDecision(ReviewVerdict.REFUSE, "refus-non-justifie")
        await service.decide(reviewer(), "id-1", refusal, ref=ref, ports=w.ports)
        with pytest.raises(TransitionRefused):
            await service.decide(reviewer(), "id-1", refusal, ref=ref, ports=w.ports)

    async def test_a_change_that_lost_to_a_concurrent_one_is_a_conflict(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, stay())
        w.authorizations.lose_next = True
        with pytest.raises(Conflict) as caught:
            await service.decide(
                reviewer(),
                "id-1",
                ReviewDecision(ReviewVerdict.GRANT, "accord-controle-medical"),
                ref=ref,
                ports=w.ports,
            )
        assert caught.value.code == "modification-concurrente"
        assert w.store.outbox == []


class TestProvider:
    async def test_the_owner_cancels_and_nothing_can_be_consumed(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, drug())
        await service.cancel(PHARMACY, "id-1", ports=w.ports)
        pa, _ = w.store.authorizations["id-1"]
        assert pa.status is PaStatus.CANCELLED and pa.reasons[-1] == "annulation-demandeur"

    async def test_another_provider_cannot_cancel_nor_read(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, drug())
        with pytest.raises(NotFound):
            await service.cancel(OTHER, "id-1", ports=w.ports)
        with pytest.raises(NotFound):
            await service.status(OTHER, "id-1", ports=w.ports)
        with pytest.raises(NotFound):
            await service.read_answer(OTHER, "id-1", ports=w.ports)
        assert w.store.authorizations["id-1"][0].status is PaStatus.GRANTED

    async def test_search_by_status_finds_only_the_callers(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, drug())
        await ask(w, ref, stay())
        await ask(w, ref, drug(), who=OTHER)
        query = ExchangeQuery(tenant="x", kind="y", statuses=("granted",))
        found, total = await service.search_answers(PHARMACY, query, ports=w.ports)
        assert total == 1 and found[0].id == "id-1"
