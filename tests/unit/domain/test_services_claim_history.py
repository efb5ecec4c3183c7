"""The claim use case reads the patient's history, against the fakes of its ports: a line
billed twice, a prescription served at another pharmacy, a refill before the supply ran out,
a cap used up by an earlier claim; a claim cancelled, or corrected, no longer counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.claims import ClaimLine, ClaimRequest, ClaimUse, CodeKind, CorrectedClaimUnknown
from domain.ledger import AlreadyRecorded, EntryKind
from domain.money import Money
from domain.records import Rendered, Requester
from domain.reference import ReferenceData
from domain.reference_rows import Provenance, Tariff, Validity
from domain.services import claims
from domain.services.claim_corrections import Cancelled, cancel_claim
from domain.services.claim_ports import ClaimPorts
from domain.services.claims import ClaimOutcome
from domain.services.exchanges import Stamp, Submission
from tests.unit.domain.test_services_claims import (
    CARE,
    IDCS,
    OTHER,
    PHARMACY,
    FakeForm,
    world,
)

pytestmark = pytest.mark.anyio

INSULIN = "6111000000069"  # 580 MAD a box, at most 3 boxes per 30 days: a box lasts 10 days
FEUILLE = frozenset({"feuille-de-soins"})
FRAME = Tariff(
    "*", "*", "frame", "flat", 30000, "Monture", Validity(date(2015, 1, 1)),
    Provenance("essai", "U"),
)  # fmt: skip
OPTICIAN = replace(PHARMACY, tenant="optician-1", client_id="client-o", category="optician")


class ReasonsForm(FakeForm):
    """Answers `status:reason` per line, and what is payable."""

    def render(self, result: ClaimOutcome, stamp: Stamp) -> Rendered:
        lines = ",".join(
            ":".join((line.status.value, *line.reasons)) for line in result.adjudication.lines
        )
        stored = super().render(result, stamp).request_body  # what stored_claim reads back
        return Rendered(stored, f"{lines}|{result.adjudication.payable.centimes}".encode())


def insulin(day: date = CARE, prescription: str | None = None, boxes: int = 1) -> ClaimLine:
    return ClaimLine(
        1, "pharmacy", CodeKind.DRUG, INSULIN, Money.mad("580").times(boxes), day,
        quantity=boxes, prescription_id=prescription, documents=FEUILLE,
    )  # fmt: skip


def frame(day: date) -> ClaimLine:
    return ClaimLine(1, "optics", CodeKind.FLAT, "frame", Money.mad("300"), day, documents=FEUILLE)


def bill_of(claim_id: str, line: ClaimLine, related: str | None = None) -> ClaimRequest:
    return ClaimRequest(
        (IDCS,), claim_id, ClaimUse.CLAIM, "ambulatory", (line,), line.service_date,
        related_claim=related,
    )  # fmt: skip


async def decided(
    ports: ClaimPorts, ref: ReferenceData, request: ClaimRequest, who: Requester = PHARMACY
) -> tuple[str, int]:
    """The line's status and reasons, and the benefit made payable."""
    submission = Submission(who, ReasonsForm(request))
    answer = await claims.submit_claim(submission, ref=ref, ports=ports)
    line, payable = answer.body.decode().split("|")
    return line, int(payable)


class TestDuplicate:
    async def test_the_same_line_on_another_claim_is_rejected(self, ref: ReferenceData) -> None:
        store, ports = world()
        assert (await decided(ports, ref, bill_of("F-1", insulin())))[0] == "accepted"
        assert await decided(ports, ref, bill_of("F-2", insulin())) == ("rejected:doublon", 0)
        assert [line.source for line in store.claim_lines] == ["pharmacy-1:F-1"]

    async def test_each_claim_reads_the_history_once(self, ref: ReferenceData) -> None:
        store, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin(prescription="RX-1")))
        assert store.history_reads == 1

    async def test_the_same_claim_again_is_still_refused_as_paid(self, ref: ReferenceData) -> None:
        store, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin()))
        with pytest.raises(AlreadyRecorded):
            await decided(ports, ref, bill_of("F-1", insulin()))  # not answered "doublon"
        assert len(store.claim_lines) == 1

    async def test_a_claim_that_pays_nothing_is_no_history(self, ref: ReferenceData) -> None:
        store, ports = world()
        nothing = replace(insulin(), documents=frozenset())  # incomplete: not payable
        assert (await decided(ports, ref, bill_of("F-1", nothing)))[1] == 0
        assert store.claim_lines == []
        assert (await decided(ports, ref, bill_of("F-2", insulin())))[0] == "accepted"

    async def test_a_predetermination_is_no_history(self, ref: ReferenceData) -> None:
        store, ports = world()
        check = replace(bill_of("CHK", insulin()), use=ClaimUse.PREDETERMINATION)
        assert (await decided(ports, ref, check))[0] == "accepted"
        assert store.claim_lines == []
        assert (await decided(ports, ref, bill_of("F-1", insulin())))[0] == "accepted"


class TestPrescription:
    async def test_served_at_another_pharmacy_it_is_rejected(self, ref: ReferenceData) -> None:
        _, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin(prescription="RX-1")))
        later = insulin(CARE + timedelta(days=10), prescription="RX-1")
        answer = await decided(ports, ref, bill_of("F-9", later), OTHER)
        assert answer == ("rejected:ordonnance-deja-servie", 0)

    async def test_another_prescription_at_another_pharmacy_is_paid(
        self, ref: ReferenceData
    ) -> None:
        _, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin(prescription="RX-1")))
        later = insulin(CARE + timedelta(days=10), prescription="RX-2")
        assert (await decided(ports, ref, bill_of("F-9", later), OTHER))[0] == "accepted"

    async def test_another_patient_s_line_never_counts_towards_the_caps(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin(prescription="RX-1")))
        [found] = await store.lines("someone-else", CARE, {"RX-1"})
        assert found.member_id is None and found.prescription_id == "RX-1"


class TestRefill:
    """One box of insulin lasts 30 / 3 = 10 days: the next may be dispensed on day 10."""

    @pytest.mark.parametrize(
        ("after", "answer"),
        [(9, "rejected:renouvellement-premature"), (10, "accepted")],
    )
    async def test_on_the_supply_s_last_day_and_the_day_after(
        self, ref: ReferenceData, after: int, answer: str
    ) -> None:
        _, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin()))
        refill = bill_of("F-2", insulin(CARE + timedelta(days=after)))
        assert (await decided(ports, ref, refill))[0] == answer

    async def test_three_boxes_last_thirty_days(self, ref: ReferenceData) -> None:
        _, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin(boxes=3)))
        early = bill_of("F-2", insulin(CARE + timedelta(days=29)))
        assert (await decided(ports, ref, early))[0] == "rejected:renouvellement-premature"


class TestCap:
    """Frames: 400 MAD per 24 months (caps.csv), here 80 % of a 300 MAD flat fee."""

    async def test_the_second_claim_gets_what_the_first_left(self, ref: ReferenceData) -> None:
        data = replace(ref, tariffs=(*ref.tariffs, FRAME))
        _, ports = world()
        first = await decided(ports, data, bill_of("O-1", frame(CARE)), OPTICIAN)
        assert first == ("accepted", 24000)
        second = bill_of("O-2", frame(CARE + timedelta(days=5)))
        assert await decided(ports, data, second, OPTICIAN) == ("reduced:plafond-atteint", 16000)
        third = bill_of("O-3", frame(CARE + timedelta(days=6)))
        assert (await decided(ports, data, third, OPTICIAN))[1] == 0


class TestReversed:
    async def test_a_cancelled_claim_no_longer_counts(self, ref: ReferenceData) -> None:
        store, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin()))
        [record] = [r for r in store.exchanges.records if r.kind == "claim"]
        done = await cancel_claim(PHARMACY, record.request_id, ports=ports)
        assert done is Cancelled.REVERSED
        assert [e.kind for e in store.ledger] == [EntryKind.CLAIM, EntryKind.REVERSAL]
        assert (await decided(ports, ref, bill_of("F-2", insulin())))[0] == "accepted"

    async def test_the_claim_a_correction_cites_is_not_its_duplicate(
        self, ref: ReferenceData
    ) -> None:
        _, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin()))
        correction = bill_of("F-1-bis", insulin(), related="F-1")
        assert (await decided(ports, ref, correction))[0] == "accepted"

    async def test_another_provider_s_claim_of_that_number_is_not_the_one_corrected(
        self, ref: ReferenceData
    ) -> None:
        _, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin()), OTHER)
        correction = bill_of("F-1-bis", insulin(), related="F-1")
        with pytest.raises(CorrectedClaimUnknown):  # not this provider's to correct
            await decided(ports, ref, correction)
