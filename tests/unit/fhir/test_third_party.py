"""Eligibility requests real third-party clients send, answered end to end.

Each example gets one of our test population's identifiers on its patient reference, then goes
through `eligibility_in.to_domain`, the domain decision (`decide_eligibility`,
`decide_items`) and `eligibility_out.from_domain`: whatever its envelope and category codes,
the answer is a CoverageEligibilityResponse valid against the R4 schema, and a message gets a
message back. The HCX, HCX platform and NHCX examples are read from ../shared/fhir-examples
(skipped with the reason where that folder is absent, failing when CI is set).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.eligibility import EligibilityOutcome, EligibilityStatus
from domain.errors import InvalidIdentifier
from domain.members import IdentifierKind, PersonIdentifier
from domain.records import PersonName, RegistryEntry
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility, decide_items
from fhir_profiles import eligibility_in, eligibility_out, envelope, r4, reply, systems
from tests.fakes import FakeMemberRepository
from tests.fhir_schema import assert_valid_r4
from tests.unit.domain.builders import member, salarie
from tests.unit.fhir.builders import FIXTURES

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared" / "fhir-examples"
OURS = FIXTURES / "fhir-examples"
TODAY = date(2026, 3, 2)
IDCS = PersonIdentifier(IdentifierKind.IDCS, "1987654320")
WARNING = "Catégorie de soins non reconnue : prestations générales du régime"


@dataclass(frozen=True)
class Example:
    """A third-party request and what its answer must say."""

    path: Path
    envelope: str  # resource, collection, document, message
    categories: tuple[str, ...] = ()  # the care categories its items are decided for
    warns: bool = False  # an item category maps to none of ours

    def __str__(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"


EXAMPLES = (
    Example(OURS / "coverageeligibilityrequest-example.json", "resource"),
    Example(OURS / "coverageeligibilityrequest-example-2.json", "resource", ("maternity",)),
    Example(OURS / "nphies-eligibility-request-ben-val.json", "message"),
    Example(OURS / "nphies-eligibility-request-discovery.json", "message"),
    Example(
        OURS / "openimis-coverageeligibilityrequest-joedoeenquiring.json", "resource", (), True
    ),
    Example(SHARED / "hcx" / "CoverageEligibilityRequest-example-01.json", "resource"),
    Example(SHARED / "hcx-platform" / "coverageeligibility.json", "document"),
    Example(
        SHARED / "nrces-nhcx" / "CoverageEligibilityRequest-discovery-example-01.json",
        "resource",
        ("dental",),
    ),
    Example(
        SHARED / "nrces-nhcx" / "CoverageEligibilityRequest-validation-example-01.json",
        "resource",
        ("dental",),
    ),
    Example(
        SHARED / "nrces-nhcx" / "Bundle-CoverageEligibilityRequestBundle-benefit-example-01.json",
        "collection",
        (),
        True,
    ),
)


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference_files(DEFAULT_REFDATA_DIR)


def load(example: Example) -> dict[str, Any]:
    """The example with our patient identifier on its request's patient reference."""
    if not example.path.exists():
        reason = f"{example.path.parent} absent: third-party examples not available"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    body: dict[str, Any] = json.loads(example.path.read_bytes())
    request = envelope.read(body, "CoverageEligibilityRequest").request
    request["patient"]["identifier"] = {"system": systems.IDCS, "value": IDCS.value}
    return body


def answer(body: dict[str, Any], ref: ReferenceData) -> tuple[Any, dict[str, Any]]:
    """The parsed request and its CoverageEligibilityResponse, decided for an open salarié."""
    parsed = eligibility_in.to_domain(body, ref=ref, today=TODAY)
    day = parsed.command.date_of_care
    entry = RegistryEntry(
        member(salarie(day, start=date(2006, 1, 1))),
        (IDCS,),
        PersonName("Alaoui", "Fatima"),
        "female",
    )
    records = FakeMemberRepository([entry]).find(parsed.command.identifiers[0])
    decision = decide_eligibility(records, day, ref)
    outcome = EligibilityOutcome(decision, decide_items(decision, parsed.command.items, ref))
    response = eligibility_out.from_domain(
        parsed, outcome, response_id="resp-1", request_id="req-1",
        created=datetime(2026, 3, 2, 8, 30, tzinfo=UTC), requestor_inpe="123456789",
    )  # fmt: skip
    return parsed, response


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
class TestThirdPartyExamples:
    def test_answered_with_a_valid_r4_response(self, example: Example, ref: ReferenceData) -> None:
        _, response = answer(load(example), ref)
        assert_valid_r4(response)
        r4.parse(response)
        assert response["resourceType"] == "CoverageEligibilityResponse"

    def test_our_member_is_found_and_covered(self, example: Example, ref: ReferenceData) -> None:
        parsed, response = answer(load(example), ref)
        assert parsed.command.identifiers == (IDCS,)
        insurance = response["insurance"][0]
        assert insurance["extension"][0]["valueCoding"]["code"] == EligibilityStatus.OPEN.value
        assert insurance["inforce"] is True and response["outcome"] == "complete"

    def test_envelope_and_categories_are_understood(
        self, example: Example, ref: ReferenceData
    ) -> None:
        parsed, response = answer(load(example), ref)
        assert parsed.envelope == example.envelope
        assert tuple(i.category for i in parsed.command.items) == example.categories
        assert (WARNING in response["disposition"]) is example.warns

    def test_an_unrecognised_category_gets_the_general_benefits(
        self, example: Example, ref: ReferenceData
    ) -> None:
        _, response = answer(load(example), ref)
        items = response["insurance"][0].get("item", [])
        warned = [i for i in items if i.get("description") == WARNING]
        general = [i for i in items if "benefit" in i and "productOrService" not in i]
        assert bool(warned) is example.warns
        if example.warns:
            assert {i["category"]["coding"][0]["code"] for i in general} >= {
                "consultation",
                "pharmacy",
                "hospitalisation",
            }

    def test_a_message_is_answered_by_a_message(self, example: Example, ref: ReferenceData) -> None:
        parsed, response = answer(load(example), ref)
        if parsed.message is None:
            assert example.envelope != "message"
            return
        bundle = reply.answer(
            response, parsed.message, message_id="0195f1c2-7a3b-7c00-8000-00000000a001",
            timestamp=datetime(2026, 3, 2, 8, 30, tzinfo=UTC), base_url="https://amo.example.ma/fhir",
        )  # fmt: skip
        assert_valid_r4(bundle)
        header = bundle["entry"][0]["resource"]
        assert header["eventCoding"]["code"] == "eligibility-response"
        assert header["response"] == {"identifier": parsed.message.header_id, "code": "ok"}
        assert bundle["entry"][1]["resource"] is response


def test_without_our_identifier_an_example_is_an_explained_4xx(ref: ReferenceData) -> None:
    body = json.loads((OURS / "nphies-eligibility-request-ben-val.json").read_bytes())
    with pytest.raises(InvalidIdentifier) as caught:
        eligibility_in.to_domain(body, ref=ref, today=TODAY)
    assert caught.value.expression == "CoverageEligibilityRequest.patient"
