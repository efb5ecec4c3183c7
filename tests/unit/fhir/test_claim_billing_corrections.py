"""A claim as stored read back (what it cites, what it corrects), a counter check's answer
saying until when it holds, a correction's answer saying what it replaces, a withdrawn Claim;
each valid R4."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson

from domain.claims import Adjudication, ClaimUse, StoredClaim
from domain.ledger import claim_accepted
from domain.money import Money
from domain.reference import ReferenceData
from domain.services.claim_corrections import Corrected
from fhir_profiles import claim_billing_in, claim_billing_out, systems
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.test_claim_billing import (
    NOW,
    claim,
    drug_item,
    ngap_item,
    read,
    ref,
    result,
)

__all__ = ["ref"]  # the module's fixture
HOLD_END = datetime(2026, 3, 2, 8, 45, 30, 123456, tzinfo=UTC)


class TestStoredClaim:
    def test_its_identifier_every_cited_authorization_and_the_claim_it_corrects(self) -> None:
        item = drug_item()
        item["extension"] = [{"url": systems.EXT_PA_REFERENCE, "valueString": "PEC-7"}]
        body = claim(item, ngap_item(2))
        body["insurance"][0]["preAuthRef"] = ["PEC-42"]
        body["related"] = [{"claim": {"reference": "Claim/abc"}}]
        assert claim_billing_in.stored(orjson.dumps(body)) == StoredClaim(
            "FACT-2026-0001", frozenset({"PEC-42", "PEC-7"}), "Claim/abc"
        )

    def test_a_claim_citing_nothing_and_correcting_nothing(self) -> None:
        assert claim_billing_in.stored(orjson.dumps(claim(ngap_item(1)))) == StoredClaim(
            "FACT-2026-0001", frozenset()
        )


def answer(ref: ReferenceData, use: ClaimUse, **extra: object) -> dict[str, object]:
    body = claim(ngap_item(1))
    body["use"] = use.value
    parsed = read(body, ref)
    paid_on = date(2026, 4, 1) if use is ClaimUse.CLAIM else None
    adjudication = Adjudication(parsed.claim_id, use, (result(1),), paid_on, "v1")
    return claim_billing_out.from_domain(
        parsed,
        adjudication,
        response_id="cr-1",
        created=NOW,
        **extra,  # type: ignore[arg-type]
    )


class TestHoldUntil:
    def test_a_counter_check_says_until_when_it_holds(self, ref: ReferenceData) -> None:
        response = answer(ref, ClaimUse.PREDETERMINATION, held_until=HOLD_END)
        assert_valid_r4(response)
        assert response["extension"] == [
            {"url": systems.EXT_HOLD_UNTIL, "valueDateTime": "2026-03-02T08:45:30+00:00"}
        ]

    def test_an_answer_holding_nothing_says_nothing_of_it(self, ref: ReferenceData) -> None:
        assert "extension" not in answer(ref, ClaimUse.PREDETERMINATION)


class TestCorrection:
    def corrected(self, request_id: str | None) -> Corrected:
        entry = claim_accepted("p-1:FACT-1", payer="CNSS", provider="p-1",
                               benefit=Money.mad(120), at=NOW)  # fmt: skip
        assert entry is not None
        return Corrected("FACT-1", request_id, entry, frozenset())

    def test_the_answer_says_which_claim_it_replaces(self, ref: ReferenceData) -> None:
        response = answer(ref, ClaimUse.CLAIM, replaces=self.corrected("abc"))
        assert_valid_r4(response)
        notes = response["processNote"]
        assert isinstance(notes, list) and [n["number"] for n in notes] == [1, 2]
        assert "remplace la demande FACT-1 (Claim/abc)" in notes[-1]["text"]
        assert "dépassement" in notes[0]["text"].lower()  # the line's own note comes first

    def test_a_correction_with_no_other_note_has_one(self, ref: ReferenceData) -> None:
        parsed = read(claim(ngap_item(1)), ref)
        line = result(1, reasons=())
        adjudication = Adjudication(parsed.claim_id, ClaimUse.CLAIM, (line,), None, "v1")
        response = claim_billing_out.from_domain(
            parsed, adjudication, response_id="cr-1", created=NOW,
            replaces=self.corrected(None),
        )  # fmt: skip
        assert_valid_r4(response)
        [note] = response["processNote"]
        assert note["number"] == 1 and "remplace la demande FACT-1 :" in note["text"]


class TestWithdrawn:
    def test_a_reversed_claim_reads_cancelled(self) -> None:
        body = claim(ngap_item(1))
        body["id"] = "abc"
        withdrawn = orjson.loads(claim_billing_out.withdrawn(orjson.dumps(body)))
        assert_valid_r4(withdrawn)
        assert withdrawn == {**body, "status": "cancelled"}
