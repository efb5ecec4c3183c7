"""CoverageEligibilityRequest (bare or in a Bundle) -> CheckEligibility."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.eligibility import Purpose
from domain.errors import (
    DomainError,
    InvalidIdentifier,
    InvalidRequest,
    MalformedRequest,
    UnknownCode,
)
from domain.members import IdentifierKind, PersonIdentifier
from fhir_profiles import eligibility_in, r4, systems
from fhir_profiles.eligibility_in import EligibilityRequestIn
from fhir_profiles.envelope import InvalidEnvelope
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import (
    IDCS_VALUE,
    TODAY,
    bare_request,
    category,
    fixture,
    idcs,
    reference_data,
)

REF = reference_data()


def parse(body: Any) -> EligibilityRequestIn:
    return eligibility_in.to_domain(body, ref=REF, today=TODAY)


def refused(body: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        parse(body)
    return caught.value


class TestBareRequest:
    def test_fixture_is_valid_r4(self) -> None:
        assert_valid_r4(bare_request())
        r4.parse(bare_request())

    def test_identifier_date_and_purposes_become_the_command(self) -> None:
        command = parse(bare_request()).command
        assert command.identifiers == (PersonIdentifier(IdentifierKind.IDCS, IDCS_VALUE),)
        assert command.date_of_care == date(2026, 2, 27)
        assert command.purposes == {Purpose.VALIDATION, Purpose.BENEFITS}

    def test_items_are_numbered_and_categorised(self) -> None:
        items = parse(bare_request()).command.items
        assert [(i.sequence, i.category, i.code) for i in items] == [
            (1, "consultation", None),
            (2, "pharmacy", "6118000041234"),
        ]

    def test_a_gtin_alone_tells_the_pharmacy_category(self) -> None:
        product = {"coding": [{"system": "https://www.gs1.org/gtin", "code": "6118000041234"}]}
        items = parse(bare_request(item=[{"productOrService": product}])).command.items
        assert items[0].category == "pharmacy"

    def test_echo_keeps_what_the_response_repeats(self) -> None:
        parsed = parse(bare_request(purpose=["benefits", "validation", "benefits"]))
        assert parsed.purposes == ("benefits", "validation")
        assert parsed.patient == {"reference": "Patient/12", "identifier": idcs()}
        assert parsed.identifiers == tuple(bare_request()["identifier"])
        assert parsed.created == "2026-03-02T09:15:00+01:00"
        assert eligibility_in.patient_reference(parsed) == "Patient/12"

    def test_date_of_care_defaults_to_today(self) -> None:
        assert parse(bare_request(servicedDate=None)).command.date_of_care == TODAY

    def test_date_of_care_is_the_start_of_the_serviced_period(self) -> None:
        body = bare_request(servicedDate=None, servicedPeriod={"start": "2026-01-05T10:00:00Z"})
        assert parse(body).command.date_of_care == date(2026, 1, 5)

    def test_identifier_is_normalised(self) -> None:
        body = bare_request(patient={"identifier": {"system": systems.CIN, "value": "ab 1234"}})
        assert parse(body).command.identifiers == (PersonIdentifier(IdentifierKind.CIN, "AB1234"),)

    def test_ald_link_is_read_from_the_diagnosis(self) -> None:
        ald = {"coding": [{"system": systems.CS_ALD, "code": "ALD12"}]}
        item = {
            "category": category("consultation"),
            "diagnosis": [{"diagnosisCodeableConcept": ald}],
        }
        assert parse(bare_request(item=[item])).command.items[0].ald_condition == "ALD12"

    def test_categories_without_labels_still_count(self) -> None:
        ref = reference_data(labelled_categories=False)
        parsed = eligibility_in.to_domain(bare_request(), ref=ref, today=TODAY)
        assert (
            parsed.items[0].category["coding"][0]["display"]
            == "Consultations et actes ambulatoires"
        )


class TestContainedPatient:
    def test_identifiers_of_a_contained_patient_are_used(self) -> None:
        patient = {"resourceType": "Patient", "id": "p", "identifier": [idcs()]}
        body = bare_request(contained=[patient], patient={"reference": "#p"})
        parsed = parse(body)
        assert parsed.command.identifiers[0].value == IDCS_VALUE
        assert parsed.patient == {"type": "Patient", "identifier": idcs()}
        assert eligibility_in.patient_reference(parsed) is None
        assert_valid_r4(body)

    def test_a_contained_resource_of_another_type_is_refused(self) -> None:
        org = {"resourceType": "Organization", "id": "p", "identifier": [idcs()]}
        error = refused(bare_request(contained=[org], patient={"reference": "#p"}))
        assert isinstance(error, MalformedRequest)
        assert error.expression == "CoverageEligibilityRequest.patient.reference"


class TestBundleRequest:
    def test_hcx_bundle_resolves_type_and_id_references(self) -> None:
        body = fixture("fhir-examples/hcx-eligibility-bundle.json")
        parsed = parse(body)
        assert parsed.command.identifiers == (
            PersonIdentifier(IdentifierKind.CIN, "BK123456"),
            PersonIdentifier(IdentifierKind.CNSS, "123456789"),
        )
        assert parsed.command.date_of_care == date(2026, 3, 1)
        assert parsed.command.items[0].ald_condition == "ALD12"
        assert parsed.patient == {"reference": "Patient/RVH1003"}

    def test_pas_bundle_resolves_uuid_references(self) -> None:
        parsed = parse(fixture("fhir-examples/pas-eligibility-bundle.json"))
        assert parsed.command.identifiers == (PersonIdentifier(IdentifierKind.CNOPS, "0012345678"),)
        assert parsed.command.items[0].category == "pharmacy"
        assert parsed.insurer["identifier"] == {"system": systems.PAYER_ID, "value": "CNOPS"}
        assert parsed.patient["identifier"]["system"] == systems.CNOPS

    @pytest.mark.parametrize("name", ["hcx-eligibility-bundle.json", "pas-eligibility-bundle.json"])
    def test_bundle_fixtures_are_valid_r4(self, name: str) -> None:
        body = fixture(f"fhir-examples/{name}")
        assert_valid_r4(body)
        r4.parse(body)

    def test_a_transaction_bundle_is_refused(self) -> None:
        body = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [{"resource": bare_request()}],
        }
        error = refused(body)
        assert (type(error), error.expression) == (InvalidEnvelope, "Bundle.type")

    def test_an_unknown_bundle_type_is_an_unknown_code(self) -> None:
        error = refused({"resourceType": "Bundle", "type": "pile"})
        assert (type(error), error.expression) == (UnknownCode, "Bundle.type")

    def test_two_requests_in_one_bundle_are_refused(self) -> None:
        entry = {"resource": bare_request()}
        error = refused({"resourceType": "Bundle", "type": "collection", "entry": [entry, entry]})
        assert error.expression == "Bundle.entry"


class TestRefusedRequests:
    def test_wrong_resource_type(self) -> None:
        error = refused({"resourceType": "Claim"})
        assert (type(error), error.code) == (MalformedRequest, "type-ressource-invalide")

    def test_not_an_object(self) -> None:
        assert refused(["CoverageEligibilityRequest"]).code == "ressource-invalide"

    def test_no_identifier_of_ours(self) -> None:
        body = bare_request(patient={"identifier": {"system": "urn:oid:1.2.3", "value": "9"}})
        error = refused(body)
        assert (type(error), error.expression) == (
            InvalidIdentifier,
            "CoverageEligibilityRequest.patient",
        )

    def test_malformed_identifier_names_its_value(self) -> None:
        error = refused(bare_request(patient={"identifier": idcs("12AB")}))
        assert isinstance(error, InvalidIdentifier)
        assert error.expression == "CoverageEligibilityRequest.patient.identifier.value"
        assert "12AB" not in error.detail

    @pytest.mark.parametrize(
        ("changes", "expression"),
        [
            ({"status": None}, "CoverageEligibilityRequest.status"),
            ({"purpose": None}, "CoverageEligibilityRequest.purpose"),
            ({"purpose": []}, "CoverageEligibilityRequest.purpose"),
            ({"patient": None}, "CoverageEligibilityRequest.patient"),
            ({"patient": "Patient/12"}, "CoverageEligibilityRequest.patient"),
            ({"created": None}, "CoverageEligibilityRequest.created"),
            ({"created": "02/03/2026"}, "CoverageEligibilityRequest.created"),
            ({"insurer": None}, "CoverageEligibilityRequest.insurer"),
            ({"servicedDate": "2026-02"}, "CoverageEligibilityRequest.servicedDate"),
            ({"servicedDate": "2026-02-30"}, "CoverageEligibilityRequest.servicedDate"),
            ({"servicedPeriod": {"start": "2026-01-01"}}, "CoverageEligibilityRequest.serviced"),
            ({"item": {"category": {}}}, "CoverageEligibilityRequest.item"),
            ({"colour": "blue"}, "CoverageEligibilityRequest.colour"),
            ({"modifierExtension": [{"url": "x"}]}, "CoverageEligibilityRequest.modifierExtension"),
            ({"identifier": [{"system": 3}]}, "CoverageEligibilityRequest.identifier[0].system"),
        ],
    )
    def test_malformed_element(self, changes: dict[str, Any], expression: str) -> None:
        error = refused(bare_request(**changes))
        assert (type(error), error.code, error.expression) == (
            MalformedRequest,
            "ressource-invalide",
            expression,
        )
        assert error.detail

    def test_a_cancelled_request_asks_for_nothing(self) -> None:
        error = refused(bare_request(status="cancelled"))
        assert (type(error), error.expression) == (
            InvalidRequest,
            "CoverageEligibilityRequest.status",
        )

    def test_unknown_care_category(self) -> None:
        error = refused(bare_request(item=[{"category": category("massage")}]))
        assert (type(error), error.expression) == (
            UnknownCode,
            "CoverageEligibilityRequest.item[0].category",
        )

    def test_unknown_ald(self) -> None:
        ald = {"coding": [{"system": systems.CS_ALD, "code": "ALD99"}]}
        item = {
            "category": category("consultation"),
            "diagnosis": [{"diagnosisCodeableConcept": ald}],
        }
        error = refused(bare_request(item=[item]))
        assert isinstance(error, UnknownCode)
        assert (
            error.expression
            == "CoverageEligibilityRequest.item[0].diagnosis[0].diagnosisCodeableConcept"
        )

    def test_deeply_wrong_shapes_stay_domain_errors(self) -> None:
        for body in (
            {"resourceType": "Bundle", "type": "collection", "entry": [3]},
            {"resourceType": None},
        ):
            assert isinstance(refused(body), MalformedRequest)


class TestRequiredBindings:
    @pytest.mark.parametrize(
        ("changes", "expression"),
        [
            ({"status": "actif"}, "CoverageEligibilityRequest.status"),
            ({"purpose": ["validation", "coverage"]}, "CoverageEligibilityRequest.purpose[1]"),
            (
                {"patient": {"identifier": {**idcs(), "use": "main"}}},
                "CoverageEligibilityRequest.patient.identifier.use",
            ),
        ],
    )
    def test_code_outside_its_value_set(self, changes: dict[str, Any], expression: str) -> None:
        error = refused(bare_request(**changes))
        assert (type(error), error.code, error.expression) == (
            UnknownCode,
            "code-inconnu",
            expression,
        )

    @pytest.mark.parametrize("status", ["active", "cancelled", "draft", "entered-in-error"])
    def test_every_fm_status_passes_the_binding(self, status: str) -> None:
        try:
            parse(bare_request(status=status))
        except DomainError as error:
            assert not isinstance(error, UnknownCode)


class TestOfficialExamples:
    """HL7 FHIR R4 examples: valid R4, but about a patient known only by foreign identifiers."""

    @pytest.mark.parametrize(
        "name",
        ["coverageeligibilityrequest-example.json", "coverageeligibilityrequest-example-2.json"],
    )
    def test_answered_with_an_explained_invalid_identifier(self, name: str) -> None:
        body = fixture(f"fhir-examples/{name}")
        assert_valid_r4(body)
        error = refused(body)
        assert (type(error), error.expression) == (
            InvalidIdentifier,
            "CoverageEligibilityRequest.patient",
        )
