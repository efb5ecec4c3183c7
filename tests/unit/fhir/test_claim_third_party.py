"""Prior authorization requests third parties publish, read and answered.

Each example (Da Vinci PAS, NPHIES, HCX; read from ../shared/fhir-examples, skipped with the
reason where that folder is absent, failing when CI is set) is changed as one of our clients
would send it:

- its patient reference carries one of our test population's identifiers;
- its dates of care are dropped, so that the care is asked for on the test day (they were
  written years ago, before some of our reference data);
- a Claim whose type says nothing of the kind of prise en charge (professional, oral, vision)
  states it in a subType of ours; as published, it is refused with the 422 that asks for it;
- the HCX platform's only Claim is a `claim`: read as the `preauthorization` HCX sends with
  the same profile, to cover HCX's document envelope.

Each is then read without a 4xx and answered with a ClaimResponse valid against the R4 schema,
built from a prise en charge as the use case would leave it; their items, coded in their own
systems (HCPCS, SNOMED CT, NPHIES services), are each answered `code-hors-nomenclature`. The
HL7 R4 examples package holds no preauthorization Claim in that folder (its Claims are `claim`),
nor does the NHCX one: the HL7 claims are used here for the prior-authorization reader's
refusal of another use; the claim reader reads and answers them
(test_claim_billing_third_party.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.errors import DomainError, InvalidRequest
from domain.members import IdentifierKind, PersonIdentifier
from domain.money import Money
from domain.prior_auth import PaLine, PriorAuthorization, grant, refuse
from domain.reference import ReferenceData
from fhir_profiles import claim_in, claim_out, envelope, r4, reply, systems
from fhir_profiles.envelope import InvalidEnvelope
from tests.fhir_schema import assert_valid_r4

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared" / "fhir-examples"
TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
IDCS = PersonIdentifier(IdentifierKind.IDCS, "1987654320")
FOREIGN = "code-hors-nomenclature"
Json = dict[str, Any]


@dataclass(frozen=True)
class Example:
    """A third-party prior authorization request and what reading it must find."""

    path: Path
    envelope: str  # resource, collection, document, message
    kind: str  # the kind of prise en charge read
    states_kind: bool = True  # False: the claim type tells it, no subType is added
    as_claim: bool = False  # published with use = claim

    def __str__(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"


PAS = SHARED / "davinci-pas"
NPHIES = SHARED / "nphies"
EXAMPLES = (
    Example(PAS / "Claim-HomecareAuthorizationExample.json", "resource", "multi-session"),
    Example(PAS / "Claim-MedicalServicesAuthorizationExample.json", "resource", "day-hospital"),
    Example(PAS / "Claim-ReferralAuthorizationExample.json", "resource", "multi-session"),
    Example(PAS / "Bundle-PASClaimInquiryBundleExample.json", "collection", "multi-session"),
    Example(
        NPHIES / "2a_-_First_Preauth_Dental_Request_with_multiple_items.json",
        "message",
        "dental-prosthesis",
    ),
    Example(NPHIES / "2c_-_Second_Preauth_Dental_Request.json", "message", "dental-prosthesis"),
    Example(NPHIES / "5a_-_Preauth_Professional_Request.json", "message", "multi-session"),
    Example(NPHIES / "6_-_Preauth_Vision_Prescription_Request.json", "message", "device"),
    Example(NPHIES / "Preauth_Professional_Outpatient_Request.json", "message", "day-hospital"),
    Example(
        SHARED / "hcx-platform" / "claims.json",
        "document",
        "hospitalisation",
        states_kind=False,
        as_claim=True,
    ),
)


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference_files(DEFAULT_REFDATA_DIR)


def published(path: Path) -> Json:
    """An example as published (skipped, or failed under CI, when the folder is absent)."""
    if not path.exists():
        reason = f"{path.parent} absent: third-party examples not available"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return json.loads(path.read_bytes())  # type: ignore[no-any-return]


def ours(example: Example, *, with_kind: bool = True) -> Json:
    """The example as one of our clients sends it (see the module's docstring)."""
    body = published(example.path)
    claim = envelope.read(body, "Claim").request
    claim["patient"]["identifier"] = {"system": systems.IDCS, "value": IDCS.value}
    claim.pop("billablePeriod", None)
    for item in claim["item"]:
        item.pop("servicedDate", None)
        item.pop("servicedPeriod", None)
    if example.as_claim:
        claim["use"] = "preauthorization"
    if example.states_kind and with_kind:
        ours_coding = {"system": systems.CS_PA_TYPE, "code": example.kind}
        claim.setdefault("subType", {}).setdefault("coding", []).append(ours_coding)
    return body


def sequences(body: Json) -> tuple[int, ...]:
    return tuple(item["sequence"] for item in envelope.read(body, "Claim").request["item"])


def pending(parsed: claim_in.ClaimRequestIn) -> PriorAuthorization:
    """The prise en charge the use case leaves for a reviewer."""
    request = parsed.command.request
    return PriorAuthorization(
        id="pa-third-party", tenant="provider-1", payer="CNSS", pa_type=request.pa_type,
        lines=request.lines, requested_at=NOW, deadline=NOW + timedelta(hours=48),
        reasons=("examen-medical",), date_of_care=request.date_of_care,
        foreign=parsed.command.foreign,
    )  # fmt: skip


def answer(parsed: claim_in.ClaimRequestIn, pa: PriorAuthorization) -> Json:
    stored = claim_out.request_resource(parsed, "claim-third-party", "123456789")
    return claim_out.from_domain(stored, pa, created=NOW)


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
class TestThirdPartyPriorAuthorizations:
    def test_read_without_a_refusal(self, example: Example, ref: ReferenceData) -> None:
        parsed = claim_in.to_domain(ours(example), ref=ref, today=TODAY)
        assert parsed.envelope == example.envelope
        assert parsed.command.identifiers == (IDCS,)
        assert parsed.command.request.pa_type == example.kind
        assert parsed.command.request.date_of_care == TODAY

    def test_their_own_codes_are_kept_apart_not_refused(
        self, example: Example, ref: ReferenceData
    ) -> None:
        body = ours(example)
        parsed = claim_in.to_domain(body, ref=ref, today=TODAY)
        assert parsed.command.request.lines == ()
        assert parsed.command.foreign == sequences(body)

    @pytest.mark.parametrize("decided", [False, True], ids=["queued", "refused"])
    def test_answered_with_a_valid_r4_claim_response(
        self, example: Example, ref: ReferenceData, decided: bool
    ) -> None:
        body = ours(example)
        parsed = claim_in.to_domain(body, ref=ref, today=TODAY)
        pa = pending(parsed)
        response = answer(parsed, refuse(pa, "droits-non-ouverts", at=NOW) if decided else pa)
        assert_valid_r4(response)
        r4.parse(response)
        assert response["outcome"] == ("complete" if decided else "queued")

    def test_each_item_says_why_it_was_not_examined(
        self, example: Example, ref: ReferenceData
    ) -> None:
        body = ours(example)
        parsed = claim_in.to_domain(body, ref=ref, today=TODAY)
        response = answer(parsed, pending(parsed))
        assert [i["itemSequence"] for i in response["item"]] == list(sequences(body))
        for item in response["item"]:
            assert [a["reason"]["coding"][0]["code"] for a in item["adjudication"]] == [FOREIGN]

    def test_a_message_is_answered_by_a_message(self, example: Example, ref: ReferenceData) -> None:
        parsed = claim_in.to_domain(ours(example), ref=ref, today=TODAY)
        if parsed.message is None:
            assert example.envelope != "message"
            return
        bundle = reply.answer(
            answer(parsed, pending(parsed)), parsed.message,
            message_id="0195f1c2-7a3b-7c00-8000-00000000a003", timestamp=NOW,
            base_url="https://amo.example.ma/fhir",
        )  # fmt: skip
        assert_valid_r4(bundle)
        header = bundle["entry"][0]["resource"]
        assert header["eventCoding"]["code"] == "priorauth-response"
        assert header["response"] == {"identifier": parsed.message.header_id, "code": "ok"}

    def test_as_published_the_kind_is_asked_for(self, example: Example, ref: ReferenceData) -> None:
        if not example.states_kind:
            parsed = claim_in.to_domain(ours(example), ref=ref, today=TODAY)
            assert parsed.command.request.pa_type == example.kind  # told by its claim type
            return
        with pytest.raises(InvalidRequest) as caught:
            claim_in.to_domain(ours(example, with_kind=False), ref=ref, today=TODAY)
        assert (caught.value.code, caught.value.expression) == (
            "type-prise-en-charge-requis",
            "Claim.subType",
        )


def test_an_nphies_item_coded_by_gtin_in_mad_is_a_line_granted(ref: ReferenceData) -> None:
    example = EXAMPLES[6]
    body = ours(example)
    claim = envelope.read(body, "Claim").request
    claim["subType"]["coding"][-1]["code"] = "costly-drug"
    item = claim["item"][0]
    item["productOrService"] = {
        "coding": [{"system": "https://www.gs1.org/gtin", "code": "6111000000014"}]
    }
    item["unitPrice"] = {"value": 15200, "currency": "MAD"}
    item["net"] = {"value": 15200, "currency": "MAD"}
    parsed = claim_in.to_domain(body, ref=ref, today=TODAY)
    assert parsed.command.request.lines == (
        PaLine(1, "6111000000014", "costly-drug", 1, Money(1520000)),
    )
    pa = grant(
        pending(parsed), {1: (1, Money(1520000))}, valid_from=TODAY,
        valid_until=TODAY + timedelta(days=29), at=NOW,
    )  # fmt: skip
    response = answer(parsed, pa)
    assert_valid_r4(response)
    benefit = response["item"][0]["adjudication"][1]
    assert benefit["amount"] == {"value": 15200, "currency": "MAD"} and benefit["value"] == 1


class TestExplainedRefusals:
    def test_a_pas_update_carrying_the_claim_it_replaces_is_ambiguous(
        self, ref: ReferenceData
    ) -> None:
        body = published(PAS / "Bundle-HomecareAuthorizationUpdateBundleExample.json")
        with pytest.raises(InvalidEnvelope) as caught:
            claim_in.to_domain(body, ref=ref, today=TODAY)
        assert caught.value.expression == "Bundle.entry" and "2 trouvée" in caught.value.detail

    @pytest.mark.parametrize(
        "path",
        [
            SHARED / "hl7-r4-core" / "Claim-100151.json",
            SHARED / "hl7-r4-core" / "Claim-660150.json",
            NPHIES / "7a_-_Claim_Dental_Request.json",
            SHARED / "openimis" / "test_claim_with_code_references.json",
        ],
        ids=lambda p: p.name,
    )
    def test_a_claim_for_payment_is_not_a_prior_authorization(
        self, path: Path, ref: ReferenceData
    ) -> None:
        with pytest.raises(DomainError) as caught:
            claim_in.to_domain(published(path), ref=ref, today=TODAY)
        assert (caught.value.code, caught.value.expression) == (
            "usage-non-pris-en-charge",
            "Claim.use",
        )
