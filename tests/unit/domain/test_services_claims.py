"""The claim use case against the fakes of its ports: rights, the cited prises en charge used
once, the benefit made payable once, a counter check holding its units."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

from domain.claims import ClaimLine, ClaimRequest, ClaimUse, CodeKind, LineStatus, StoredClaim
from domain.errors import InvalidRequest
from domain.ledger import AlreadyRecorded, EntryKind
from domain.members import AldGrant, IdentifierKind, PersonIdentifier
from domain.money import Money
from domain.prior_auth import PaLine, PaStatus, PriorAuthorization, Use, grant
from domain.records import (
    Admission,
    Convention,
    IdempotencyKey,
    IdempotentAnswer,
    PersonName,
    RegistryEntry,
    Rendered,
    Requester,
)
from domain.reference import ReferenceData
from domain.services import claims
from domain.services.claim_ports import ClaimPorts
from domain.services.claims import ClaimOutcome
from domain.services.exchanges import ExchangePorts, Stamp, Submission
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
TRASTUZUMAB = "6111000000014"
CNSS_PHARMACY = Admission(("CNSS",), Convention.ACTIVE)
PHARMACY = Requester("pharmacy-1", "client-1", CNSS_PHARMACY, "pharmacy")
OTHER = Requester("pharmacy-2", "client-2", CNSS_PHARMACY, "pharmacy")
DOCUMENTS = frozenset({"ordonnance", "vignettes"})
SUPPLY_DAYS = 365


class FakeForm:
    """A claim as a test wrote it: stored as what `stored_claim` reads back, answered with its
    answer's id, line statuses and payable centimes; the decision is kept in `outcome`."""

    def __init__(self, request: ClaimRequest) -> None:
        self.request = request
        self.outcome: ClaimOutcome | None = None

    def read(self, today: date) -> ClaimRequest:
        return self.request

    def render(self, result: ClaimOutcome, stamp: Stamp) -> Rendered:
        self.outcome = result
        statuses = ",".join(line.status.value for line in result.adjudication.lines)
        cited = sorted({line.pa_reference for line in self.request.lines if line.pa_reference})
        stored = {"id": self.request.claim_id, "pa": cited, "related": self.request.related_claim}
        return Rendered(
            orjson.dumps(stored),
            f"{stamp.response_id}|{statuses}|{result.adjudication.payable.centimes}".encode(),
        )

    def identifiers(self) -> tuple[PersonIdentifier, ...]:
        return self.request.identifiers


def stored_claim(request_body: bytes) -> StoredClaim:
    """domain.authorization_ports.StoredClaimReader of what FakeForm stores."""
    stored = orjson.loads(request_body)
    return StoredClaim(stored["id"], frozenset(stored["pa"]), stored["related"])


def world() -> tuple[FakeStore, ClaimPorts]:
    cancer = (AldGrant("ALD38", date(2024, 1, 1)),)
    entry = RegistryEntry(
        member(salarie(CARE), ald=cancer), (IDCS,), PersonName("A", "F"), "female"
    )
    store = FakeStore(FakeMemberRepository([entry]))
    exchange = ExchangePorts(
        FakeRateLimiter(), store, store, store, store, FakeClock(NOW), FakeIds()
    )
    return store, ClaimPorts(
        exchange,
        store,
        FakeAuthorizations(store),
        render_state,
        15,
        store,
        store,
        SUPPLY_DAYS,
        stored_claim,
        patient_key,
    )


def granted(
    store: FakeStore, tenant: str = "pharmacy-1", boxes: int = 2, patient: str = "M1"
) -> None:
    """PEC pa-1: `boxes` of trastuzumab granted to the tenant for a month, for the member
    `patient` (M1: the world's, IDCS)."""
    line = PaLine(1, TRASTUZUMAB, "costly-drug", boxes, Money.mad("15200").times(boxes))
    asked = PriorAuthorization(
        "pa-1", tenant, "CNSS", "costly-drug", (line,), NOW, NOW, patient=patient_key(patient)
    )
    store.authorizations["pa-1"] = (
        grant(asked, {1: (boxes, line.amount)}, valid_from=CARE,
              valid_until=CARE + timedelta(days=29), at=NOW),
        1,
    )  # fmt: skip


def line(quantity: int = 1, pa: str | None = "pa-1", day: date = CARE) -> ClaimLine:
    return ClaimLine(
        1, "costly-drug", CodeKind.DRUG, TRASTUZUMAB, Money.mad("15200").times(quantity), day,
        quantity=quantity, pa_reference=pa, documents=DOCUMENTS,
    )  # fmt: skip


def request(claim_id: str = "F-1", *lines: ClaimLine, use: ClaimUse = ClaimUse.CLAIM,
            who: PersonIdentifier = IDCS, related: str | None = None) -> ClaimRequest:  # fmt: skip
    return ClaimRequest(
        (who,), claim_id, use, "costly-drug", lines or (line(),), CARE, related_claim=related
    )


async def bill(ports: ClaimPorts, ref: ReferenceData, req: ClaimRequest,
               who: Requester = PHARMACY) -> list[str]:  # fmt: skip
    answer = await claims.submit_claim(Submission(who, FakeForm(req)), ref=ref, ports=ports)
    return answer.body.decode().split("|")


async def decided(ports: ClaimPorts, ref: ReferenceData, req: ClaimRequest,
                  who: Requester = PHARMACY) -> ClaimOutcome:  # fmt: skip
    """The decision a claim was answered with."""
    form = FakeForm(req)
    await claims.submit_claim(Submission(who, form), ref=ref, ports=ports)
    assert form.outcome is not None
    return form.outcome


class TestPaidOnce:
    async def test_the_line_uses_its_prise_en_charge_and_the_benefit_becomes_payable(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store)
        _, statuses, payable = await bill(ports, ref, request())
        assert statuses == LineStatus.ACCEPTED.value and int(payable) > 0
        pa, version = store.authorizations["pa-1"]
        assert (pa.left(1).quantity_left, version) == (1, 2)  # type: ignore[union-attr]
        assert pa.uses == (Use("F-1", 1, 1, Money.mad("15200")),)  # given back if cancelled
        [entry] = store.ledger
        assert (entry.id, entry.kind, entry.source) == (
            "claim:pharmacy-1:F-1", EntryKind.CLAIM, "pharmacy-1:F-1",
        )  # fmt: skip
        assert entry.postings[0].amount.centimes == int(payable)
        assert entry.postings[1].account == "payable:CNSS:pharmacy-1"

    async def test_the_same_claim_again_is_refused_before_anything(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store)
        await bill(ports, ref, request())
        with pytest.raises(AlreadyRecorded):
            await bill(ports, ref, request())
        assert store.authorizations["pa-1"][1] == 2 and len(store.ledger) == 1

    async def test_the_last_box_goes_to_one_claim(self, ref: ReferenceData) -> None:
        store, ports = world()
        granted(store, boxes=1)
        assert (await bill(ports, ref, request("F-1")))[1] == "accepted"
        # A week later (a box lasts 30 / 6 = 5 days): neither a duplicate nor a refill too early.
        later = line(day=CARE + timedelta(days=7))
        _, refused, payable = await bill(ports, ref, request("F-2", later))
        assert (refused, payable) == ("rejected", "0")
        assert len(store.ledger) == 1


class TestNotPaid:
    async def test_a_claim_holding_nothing_says_no_hold(self, ref: ReferenceData) -> None:
        _, ports = world()
        assert (await decided(ports, ref, request("F-1", line(pa=None)))).held_until is None
        check = await decided(ports, ref, request("CHK", use=ClaimUse.PREDETERMINATION))
        assert check.held_until is None  # its prise en charge is unknown: nothing held

    async def test_a_person_not_covered_has_every_line_rejected_and_nothing_payable(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store)
        _, statuses, payable = await bill(ports, ref, request(who=NOBODY))
        assert (statuses, payable) == ("rejected", "0")
        assert store.ledger == [] and store.authorizations["pa-1"][1] == 1

    async def test_another_provider_s_prise_en_charge_is_as_none(self, ref: ReferenceData) -> None:
        store, ports = world()
        granted(store, tenant="pharmacy-1")
        _, statuses, _ = await bill(ports, ref, request(), who=OTHER)
        assert statuses == "rejected"
        assert store.authorizations["pa-1"][1] == 1  # untouched

    async def test_a_claim_without_a_patient_is_refused(self, ref: ReferenceData) -> None:
        _, ports = world()
        empty = ClaimRequest((), "F-1", ClaimUse.CLAIM, "costly-drug", (line(),), CARE)
        with pytest.raises(InvalidRequest):
            await bill(ports, ref, empty)


class TestCounterCheck:
    async def test_a_check_holds_the_units_and_its_claim_uses_them(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store, boxes=1)
        check = await decided(ports, ref, request("CHK", use=ClaimUse.PREDETERMINATION))
        assert check.adjudication.lines[0].status is LineStatus.ACCEPTED and store.ledger == []
        pa, _ = store.authorizations["pa-1"]
        [held] = pa.reservations
        assert (held.id, held.until) == ("pharmacy-1:pa-1:1", NOW + timedelta(minutes=15))
        assert check.held_until == held.until and pa.uses == ()  # its answer says until when
        again = await decided(ports, ref, request("CHK", use=ClaimUse.PREDETERMINATION))
        assert again.held_until == held.until and again.used == ()  # holds nothing more
        _, other, _ = await bill(ports, ref, request("F-9"), who=OTHER)
        assert other == "rejected"  # not another's: it is held (and not theirs anyway)
        _, mine, _ = await bill(ports, ref, request("F-1"))
        assert mine == "accepted"
        used, _ = store.authorizations["pa-1"]
        assert used.reservations == () and used.status is PaStatus.CONSUMED


class TestOnceWithoutAuthorization:
    async def test_the_same_claim_again_is_refused_when_recorded(self, ref: ReferenceData) -> None:
        store, ports = world()
        insulin = ClaimLine(
            1, "pharmacy", CodeKind.DRUG, "6111000000069", Money.mad("100"), CARE,
            documents=frozenset({"feuille-de-soins"}),
        )  # fmt: skip
        plain = ClaimRequest((IDCS,), "F-7", ClaimUse.CLAIM, "ambulatory", (insulin,), CARE)
        _, statuses, payable = await bill(ports, ref, plain)
        assert statuses in ("accepted", "reduced") and int(payable) > 0
        with pytest.raises(AlreadyRecorded):
            await bill(ports, ref, plain)
        assert [e.id for e in store.ledger] == ["claim:pharmacy-1:F-7"]


class LateAnswers:
    """The store's kept answers, the first look missing them (a replica's answer, committed
    just after it): domain.ports.IdempotencyStore."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.looks = 0

    async def kept(self, tenant: str, key: str) -> IdempotentAnswer | None:
        self.looks += 1
        return None if self.looks == 1 else await self.store.kept(tenant, key)


class TestIdempotencyKey:
    async def test_a_claim_answered_meanwhile_under_its_key_is_replayed_not_refused(
        self, ref: ReferenceData
    ) -> None:
        """Its twin, sent to another replica with no in-flight lease to wait on (Redis
        away), was recorded first: the claim is paid already, and the answer kept for the
        key is this request's answer, not 409 deja-comptabilise."""
        store, ports = world()
        granted(store)
        key = IdempotencyKey("k1", "h1")
        first = await claims.submit_claim(
            Submission(PHARMACY, FakeForm(request()), key), ref=ref, ports=ports
        )
        late = replace(ports.exchange, idempotency=LateAnswers(store))
        again = await claims.submit_claim(
            Submission(PHARMACY, FakeForm(request()), key),
            ref=ref,
            ports=replace(ports, exchange=late),
        )
        assert again.replayed and again.body == first.body
        assert len(store.ledger) == 1 and store.authorizations["pa-1"][1] == 2

    async def test_a_claim_refused_with_no_answer_kept_stays_refused(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        granted(store)
        await bill(ports, ref, request())  # paid, without a key
        with pytest.raises(AlreadyRecorded):
            await claims.submit_claim(
                Submission(PHARMACY, FakeForm(request()), IdempotencyKey("k2", "h2")),
                ref=ref,
                ports=ports,
            )


class KeepingForm(FakeForm):
    """The fake form, keeping the outcome it renders."""

    outcome: ClaimOutcome | None = None

    def render(self, result: ClaimOutcome, stamp: Stamp) -> Rendered:
        self.outcome = result
        return super().render(result, stamp)


class TestComplementary:
    async def test_the_complementary_the_claim_names_pays_its_share(
        self, ref: ReferenceData
    ) -> None:
        """CNSS costly drug at 98 %: of the 304.00 left, MGPAP pays half [U]."""
        store, ports = world()
        granted(store)
        form = KeepingForm(replace(request(), complementary="MGPAP"))
        await claims.submit_claim(Submission(PHARMACY, form), ref=ref, ports=ports)
        assert form.outcome is not None
        [result] = form.outcome.adjudication.lines
        assert (result.benefit, result.complementary, result.patient) == (
            Money.mad(14896), Money.mad(152), Money.mad(152),
        )  # fmt: skip
        [entry] = store.ledger  # the RO's benefit alone is made payable by the payer
        assert entry.postings[0].amount == Money.mad(14896)
