"""EligibilityOutcome -> CoverageEligibilityResponse, and the stored request."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.eligibility import Candidate, EligibilityOutcome, EligibilityStatus
from fhir_profiles import eligibility_in, eligibility_out, r4, systems
from fhir_profiles.eligibility_in import EligibilityRequestIn
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import TODAY, bare_request, fixture, outcome_for, reference_data

REF = reference_data()
CREATED = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def request(body: dict[str, Any] | None = None) -> EligibilityRequestIn:
    return eligibility_in.to_domain(body or bare_request(), ref=REF, today=TODAY)


def respond(parsed: EligibilityRequestIn, outcome: EligibilityOutcome) -> dict[str, Any]:
    response = eligibility_out.from_domain(
        parsed,
        outcome,
        response_id="resp-1",
        request_id="req-1",
        created=CREATED,
        requestor_inpe="123456789",
    )
    assert_valid_r4(response)
    r4.parse(response)
    return response


def answer(body: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    parsed = request(body)
    return respond(parsed, outcome_for(parsed.command.items, **changes))


def codes(concept: dict[str, Any]) -> list[str]:
    return [c["code"] for c in concept["coding"]]


class TestFromDomain:
    def test_echoes_the_request(self) -> None:
        response = answer()
        assert response["purpose"] == ["validation", "benefits"]
        assert response["patient"] == bare_request()["patient"]
        assert response["request"] == {"reference": "CoverageEligibilityRequest/req-1"}
        assert response["identifier"] == bare_request()["identifier"]
        assert response["created"] == "2026-03-02T08:30:00+00:00"

    def test_names_the_requestor_by_inpe_and_the_payer_by_code(self) -> None:
        response = answer()
        assert response["requestor"]["identifier"] == {"system": systems.INPE, "value": "123456789"}
        assert response["insurer"]["identifier"] == {"system": systems.PAYER_ID, "value": "CNSS"}
        assert response["insurer"]["display"] == "Caisse nationale de sécurité sociale"

    def test_open_rights_are_in_force_with_a_contained_coverage(self) -> None:
        response = answer()
        insurance = response["insurance"][0]
        assert (response["outcome"], insurance["inforce"]) == ("complete", True)
        assert insurance["coverage"] == {"reference": "#coverage"}
        coverage = response["contained"][0]
        assert coverage["class"][0]["value"] == "AMO_SALARIES"
        assert coverage["beneficiary"] == response["patient"]
        assert codes(coverage["relationship"]) == ["self"]
        assert insurance["benefitPeriod"] == {"start": "2019-01-01"}

    def test_status_extension_carries_the_detailed_status(self) -> None:
        insurance = answer(status=EligibilityStatus.WAITING_PERIOD)["insurance"][0]
        assert insurance["inforce"] is False
        assert insurance["extension"][0]["url"] == systems.EXT_ELIGIBILITY_STATUS
        assert insurance["extension"][0]["valueCoding"]["code"] == "waiting-period"

    def test_disposition_is_the_french_reasons(self) -> None:
        response = answer(reasons=("droits-maintenus", "exoneration-ald"))
        assert response["disposition"] == (
            "Droits maintenus après la perte d'éligibilité ; "
            "Ticket modérateur exonéré : soins liés à une ALD/ALC"
        )

    def test_category_benefits_give_rate_base_and_ald_exemption(self) -> None:
        items = answer()["insurance"][0]["item"]
        pharmacy = items[1]
        assert codes(pharmacy["category"]) == ["pharmacy"]
        lines = {b["type"]["coding"][0]["code"]: b for b in pharmacy["benefit"]}
        assert lines["rate"]["allowedUnsignedInt"] == 70
        assert lines["base"]["allowedString"] == "PPV"
        assert lines["ald-exemption"]["allowedUnsignedInt"] == 100

    def test_requested_items_say_covered_and_prior_authorization(self) -> None:
        items = answer()["insurance"][0]["item"][2:]
        consultation, drug = items
        assert "productOrService" not in consultation and codes(consultation["category"]) == [
            "consultation"
        ]
        assert drug["productOrService"]["coding"][0]["code"] == "6118000041234"
        assert "category" not in drug  # R4 ces-1: one or the other
        assert (drug["excluded"], drug["authorizationRequired"]) == (False, True)
        assert drug["description"] == "Prise en charge préalable requise"

    def test_a_refused_item_is_excluded_without_benefit(self) -> None:
        parsed = request()
        outcome = outcome_for(parsed.command.items)
        first = outcome.items[0]
        refused = type(first)(
            first.item, False, Decimal(0), None, False, False, ("categorie-non-couverte",)
        )
        response = respond(
            parsed, EligibilityOutcome(outcome.decision, (refused, outcome.items[1]))
        )
        item = response["insurance"][0]["item"][2]
        assert item["excluded"] is True and "benefit" not in item

    def test_validation_alone_lists_no_item(self) -> None:
        insurance = answer(bare_request(purpose=["validation"]))["insurance"][0]
        assert "item" not in insurance

    def test_auth_requirements_lists_requested_items_only(self) -> None:
        items = answer(bare_request(purpose=["auth-requirements"]))["insurance"][0]["item"]
        assert len(items) == 2 and all("authorizationRequired" in i for i in items)

    def test_member_not_found_is_an_error_outcome(self) -> None:
        response = answer(
            status=EligibilityStatus.NOT_FOUND, scheme=None, payer=None, role=None,
            coverage_start=None, reasons=("membre-introuvable",), benefits=(),
        )  # fmt: skip
        assert response["outcome"] == "error"
        assert response["error"][0]["code"]["coding"][0] == {
            "system": systems.CS_REASON,
            "code": "membre-introuvable",
            "display": "Aucun assuré trouvé pour cet identifiant",
        }
        assert "insurance" not in response and "contained" not in response
        assert response["insurer"] == bare_request()["insurer"]

    def test_a_double_affiliation_names_each_candidate(self) -> None:
        found = (
            Candidate("AMO_PUBLIC", "CNOPS", date(2020, 9, 1)),
            Candidate("AMO_SALARIES", "CNSS", date(2019, 1, 1)),
        )
        response = answer(
            status=EligibilityStatus.DOUBLE_AFFILIATION,
            payer=None,
            reasons=("double-affiliation",),
            candidates=found,
        )
        assert response["outcome"] == "error"
        coverages = response["contained"]
        assert [c["class"][0]["value"] for c in coverages] == ["AMO_PUBLIC", "AMO_SALARIES"]
        assert [c["payor"][0]["identifier"]["value"] for c in coverages] == ["CNOPS", "CNSS"]
        assert coverages[0]["period"] == {"start": "2020-09-01"}
        insurance = response["insurance"]
        assert [i["coverage"]["reference"] for i in insurance] == ["#candidate-1", "#candidate-2"]
        assert all(i["inforce"] is False for i in insurance)
        assert {i["extension"][0]["valueCoding"]["code"] for i in insurance} == {
            "double-affiliation"
        }
        assert response["disposition"] == (
            "Plus d'une affiliation AMO active à la date des soins : "
            "AMO du secteur public (CNOPS), AMO des salariés (CNSS)"
        )

    def test_a_candidate_without_a_payer_names_the_request_insurer(self) -> None:
        found = (
            Candidate("AMO_PUBLIC", None, date(2020, 9, 1)),
            Candidate("AMO_SALARIES", "CNSS", date(2019, 1, 1)),
        )
        response = answer(status=EligibilityStatus.DOUBLE_AFFILIATION, payer=None, candidates=found)
        assert response["contained"][0]["payor"] == [bare_request()["insurer"]]

    def test_a_provider_that_cannot_bill_the_payer_is_told_with_the_rights(self) -> None:
        parsed = request()
        outcome = dataclasses.replace(
            outcome_for(parsed.command.items), tiers_payant=("prestataire-non-admis",)
        )
        response = respond(parsed, outcome)
        assert response["insurance"][0]["inforce"] is True
        (refusal,) = response["extension"]
        assert refusal["url"] == systems.EXT_TIERS_PAYANT
        assert refusal["valueCoding"]["code"] == "prestataire-non-admis"
        assert refusal["valueCoding"]["system"] == systems.CS_REASON
        assert response["disposition"].endswith(
            "Prestataire non admis au tiers payant de cet organisme payeur : "
            "pas de facturation en tiers payant"
        )

    def test_a_provider_that_may_bill_gets_no_refusal(self) -> None:
        assert "extension" not in answer()

    def test_without_a_payer_no_coverage_is_claimed(self) -> None:
        response = answer(
            status=EligibilityStatus.DOUBLE_AFFILIATION, payer=None, reasons=("double-affiliation",)
        )
        assert response["outcome"] == "error" and "insurance" not in response
        assert [e["code"]["coding"][0]["code"] for e in response["error"]] == ["double-affiliation"]

    @pytest.mark.parametrize("name", ["hcx-eligibility-bundle.json", "pas-eligibility-bundle.json"])
    def test_bundle_requests_answer_valid_r4(self, name: str) -> None:
        response = answer(fixture(f"fhir-examples/{name}"))
        assert not response["patient"].get("reference", "").startswith("urn:")

    def test_a_naive_datetime_is_taken_as_utc(self) -> None:
        parsed = request()
        response = eligibility_out.from_domain(
            parsed, outcome_for(()), response_id="r", request_id="q",
            created=datetime(2026, 3, 2, 8, 30), requestor_inpe="123456789",
        )  # fmt: skip
        assert response["created"] == "2026-03-02T08:30:00+00:00"


class TestRequestResource:
    def test_bare_request_is_stored_with_our_id(self) -> None:
        stored = eligibility_out.request_resource(request(), "req-1")
        assert stored == {**bare_request(), "id": "req-1"}
        assert_valid_r4(stored)

    def test_bundle_request_keeps_no_dangling_uuid_reference_to_patient_or_insurer(self) -> None:
        parsed = request(fixture("fhir-examples/pas-eligibility-bundle.json"))
        stored = eligibility_out.request_resource(parsed, "req-2")
        assert stored["patient"]["identifier"]["system"] == systems.CNOPS
        assert stored["insurer"]["identifier"]["value"] == "CNOPS"
        assert_valid_r4(stored)
        r4.parse(stored)
