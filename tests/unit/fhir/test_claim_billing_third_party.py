"""Claims for payment third parties publish (HL7 R4 examples, NPHIES, openIMIS, HCX), read by
the claim mapping and answered.

Each is changed as one of our clients would send it: its patient carries one of our test
population's identifiers, its dates of care are dropped (written before some of our reference
data), and the openIMIS one, which has no `insurance` (1..* in R4), names the AMO coverage.
Each is read without a 4xx; its items, coded in their own systems, are kept apart and answered
`code-hors-nomenclature` in a ClaimResponse valid against the R4 schema. The prior-authorization
reader still refuses them (test_claim_third_party.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.claims import Adjudication
from domain.reference import ReferenceData
from fhir_profiles import claim_billing_in, claim_billing_out, envelope, r4, systems
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.test_claim_third_party import IDCS, SHARED, published

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
Json = dict[str, Any]
EXAMPLES = (
    (SHARED / "hl7-r4-core" / "Claim-100151.json", "resource"),
    (SHARED / "hl7-r4-core" / "Claim-100152.json", "resource"),
    (SHARED / "hl7-r4-core" / "Claim-100154.json", "resource"),
    (SHARED / "hl7-r4-core" / "Claim-100155.json", "resource"),
    (SHARED / "hl7-r4-core" / "Claim-660150.json", "resource"),
    (SHARED / "hl7-r4-core" / "Claim-660152.json", "resource"),
    (SHARED / "nphies" / "7a_-_Claim_Dental_Request.json", "message"),
    (SHARED / "nphies" / "11_-_Claim_Vision_Request.json", "message"),
    (SHARED / "openimis" / "test_claim_with_code_references.json", "resource"),
    (SHARED / "hcx-platform" / "claims.json", "document"),
)


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference_files(DEFAULT_REFDATA_DIR)


def ours(path: Path) -> Json:
    body = published(path)
    claim = envelope.read(body, "Claim").request
    claim["patient"]["identifier"] = {"system": systems.IDCS, "value": IDCS.value}
    claim.pop("billablePeriod", None)
    for item in claim["item"]:
        item.pop("servicedDate", None)
        item.pop("servicedPeriod", None)
    claim.setdefault("insurance", [{"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}])
    return body


@pytest.mark.parametrize(("path", "kind"), EXAMPLES, ids=lambda v: getattr(v, "name", v))
class TestThirdPartyClaims:
    def test_read_without_a_refusal_items_kept_apart(
        self, path: Path, kind: str, ref: ReferenceData
    ) -> None:
        body = ours(path)
        parsed = claim_billing_in.to_domain(body, ref=ref, today=TODAY)
        assert (parsed.envelope, parsed.persons) == (kind, (IDCS,))
        claim = envelope.read(body, "Claim").request
        assert parsed.lines == ()
        assert parsed.foreign == tuple(item["sequence"] for item in claim["item"])

    def test_answered_with_a_valid_r4_claim_response(
        self, path: Path, kind: str, ref: ReferenceData
    ) -> None:
        parsed = claim_billing_in.to_domain(ours(path), ref=ref, today=TODAY)
        adjudication = Adjudication(parsed.claim_id, parsed.use, (), None, "v1")
        response = claim_billing_out.from_domain(
            parsed, adjudication, response_id="cr-third-party", created=NOW
        )
        assert_valid_r4(response)
        r4.parse(response)
        reasons = [
            a["reason"]["coding"][0]["code"] for i in response["item"] for a in i["adjudication"]
        ]
        assert reasons == ["code-hors-nomenclature"] * len(parsed.foreign)
