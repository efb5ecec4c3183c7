"""Claim (use = preauthorization): the prescriber's specialty it is read with, and the
refusals of what no reading can mend, each with its code and FHIRPath."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import (
    DomainError,
    InvalidIdentifier,
    InvalidRequest,
    MalformedRequest,
    UnknownCode,
)
from fhir_profiles import systems
from tests.unit.fhir.builders import idcs
from tests.unit.fhir.claims import (
    bare_claim,
    drug_item,
    read,
)
from tests.unit.fhir.test_claim_in import refused

Json = dict[str, Any]


def specialty(code: str) -> Json:
    return {"coding": [{"system": systems.CS_SPECIALTY, "code": code}]}


class TestPrescriberSpecialty:
    def test_read_from_a_contained_practitioner_role(self) -> None:
        role = {
            "resourceType": "PractitionerRole",
            "id": "r",
            "specialty": [specialty("hematologie")],
        }
        team = [{"sequence": 1, "provider": {"reference": "#r"}}]
        body = bare_claim(contained=[role], careTeam=team)
        assert read(body).command.request.prescriber_specialty == "hematologie"

    def test_read_from_the_role_s_practitioner(self) -> None:
        doctor = {
            "resourceType": "Practitioner",
            "id": "d",
            "qualification": [{"code": {"text": "Docteur"}}, {"code": specialty("nephrologie")}],
        }
        role = {"resourceType": "PractitionerRole", "id": "r", "practitioner": {"reference": "#d"}}
        team = [{"sequence": 1, "provider": {"reference": "#r"}}]
        body = bare_claim(contained=[role, doctor], careTeam=team)
        assert read(body).command.request.prescriber_specialty == "nephrologie"

    def test_the_primary_member_comes_first(self) -> None:
        team = [
            {
                "sequence": 1,
                "provider": {"display": "Dr A"},
                "qualification": specialty("cardiologie"),
            },
            {
                "sequence": 2,
                "provider": {"display": "Dr B"},
                "role": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/claimcareteamrole",
                            "code": "primary",
                        }
                    ]
                },
                "qualification": specialty("oncologie"),
            },
        ]
        assert read(bare_claim(careTeam=team)).command.request.prescriber_specialty == "oncologie"

    def test_none_when_no_member_names_one_of_ours(self) -> None:
        team = [{"sequence": 1, "provider": {"reference": "Practitioner/elsewhere"}}]
        assert read(bare_claim(careTeam=team)).command.request.prescriber_specialty is None

    def test_an_unknown_specialty_is_refused_where_written(self) -> None:
        role = {
            "resourceType": "PractitionerRole",
            "id": "r",
            "specialty": [specialty("astrologie")],
        }
        team = [{"sequence": 1, "provider": {"reference": "#r"}}]
        error = refused(bare_claim(contained=[role], careTeam=team))
        assert isinstance(error, UnknownCode)
        assert error.expression == "Claim.careTeam[0].provider.resolve().specialty[0]"


class TestRefusals:
    def test_wrong_resource_type(self) -> None:
        error = refused({"resourceType": "CoverageEligibilityRequest"})
        assert error.code == "type-ressource-invalide"

    @pytest.mark.parametrize("use", ["claim", "predetermination"])
    def test_another_use_is_not_handled_here(self, use: str) -> None:
        error = refused(bare_claim(use=use))
        assert isinstance(error, InvalidRequest)
        assert (error.code, error.expression) == ("usage-non-pris-en-charge", "Claim.use")

    def test_a_use_outside_its_value_set(self) -> None:
        error = refused(bare_claim(use="preauth"))
        assert isinstance(error, UnknownCode) and error.expression == "Claim.use"

    @pytest.mark.parametrize("status", ["cancelled", "draft", "entered-in-error"])
    def test_only_an_active_request_is_answered(self, status: str) -> None:
        error = refused(bare_claim(status=status))
        assert isinstance(error, InvalidRequest) and error.expression == "Claim.status"

    @pytest.mark.parametrize(
        "name", ["status", "type", "use", "patient", "created", "provider", "priority", "insurance"]
    )
    def test_a_required_element_is_missing(self, name: str) -> None:
        error = refused(bare_claim(**{name: None}))
        assert isinstance(error, MalformedRequest)
        assert error.expression == f"Claim.{name}" and "obligatoire" in error.detail

    @pytest.mark.parametrize(
        ("changes", "expression"),
        [
            ({"purpose": ["benefits"]}, "Claim.purpose"),
            (
                {"modifierExtension": [{"url": "x", "valueBoolean": True}]},
                "Claim.modifierExtension",
            ),
            (
                {"item": [drug_item(modifierExtension=[{"url": "x", "valueBoolean": True}])]},
                "Claim.item[0].modifierExtension",
            ),
            ({"item": [drug_item(purpose="x")]}, "Claim.item[0].purpose"),
            ({"created": "2026-03-02 09:15"}, "Claim.created"),
            ({"patient": "Patient/12"}, "Claim.patient"),
            ({"insurance": []}, "Claim.insurance"),
            ({"insurance": [{"sequence": 1}]}, "Claim.insurance[0].coverage"),
            ({"identifier": [{"system": 3}]}, "Claim.identifier[0].system"),
        ],
    )
    def test_malformed_element(self, changes: Json, expression: str) -> None:
        error = refused(bare_claim(**changes))
        assert isinstance(error, MalformedRequest) and error.expression == expression

    def test_no_identifier_of_ours(self) -> None:
        body = bare_claim(
            patient={"identifier": {"system": "http://example.org/mrn", "value": "1"}}
        )
        error = refused(body)
        assert isinstance(error, InvalidIdentifier) and error.expression == "Claim.patient"

    def test_a_malformed_identifier_names_its_value(self) -> None:
        error = refused(bare_claim(patient={"identifier": idcs("12")}))
        assert isinstance(error, InvalidIdentifier)
        assert error.expression == "Claim.patient.identifier.value"

    @pytest.mark.parametrize("body", [[], "Claim", {"resourceType": "Claim", "item": {"a": 1}}])
    def test_deeply_wrong_shapes_stay_domain_errors(self, body: Any) -> None:
        assert isinstance(refused(body), DomainError)
