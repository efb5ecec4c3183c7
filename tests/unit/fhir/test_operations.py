"""The OperationDefinition of $submit, and the CapabilityStatement's link to it."""

from __future__ import annotations

from typing import Any

from fhir_profiles import r4, review_conformance, systems, terminology
from fhir_profiles.conformance import capability_statement
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import reference_data

DEFINITIONS = terminology.definitions(reference_data())
KEY = ("OperationDefinition", "CoverageEligibilityRequest-submit")


def submit() -> dict[str, Any]:
    return DEFINITIONS[KEY]


def declared_operations() -> list[dict[str, Any]]:
    statement = capability_statement(
        "https://gw.example/fhir", software_version="1.2.3", token_url="https://gw.example/t"
    )
    return [
        operation
        for resource in statement["rest"][0]["resource"]
        for operation in resource.get("operation", [])
    ]


class TestSubmitOperation:
    def test_is_valid_r4(self) -> None:
        assert_valid_r4(submit())
        r4.parse(submit())

    def test_is_a_type_level_operation_on_eligibility_requests(self) -> None:
        od = submit()
        assert (od["status"], od["kind"], od["code"]) == ("active", "operation", "submit")
        assert od["resource"] == ["CoverageEligibilityRequest"]
        assert (od["system"], od["type"], od["instance"]) == (False, True, False)
        assert od["url"] == systems.OD_ELIGIBILITY_SUBMIT

    def test_takes_one_resource_and_returns_one_response(self) -> None:
        params = {p["name"]: p for p in submit()["parameter"]}
        shape = {name: (p["use"], p["min"], p["max"], p["type"]) for name, p in params.items()}
        assert shape == {
            "resource": ("in", 1, "1", "Resource"),
            "return": ("out", 1, "1", "CoverageEligibilityResponse"),
        }
        assert all(p["documentation"] for p in params.values())

    def test_every_operation_the_capability_statement_declares_is_published(self) -> None:
        published = {r.get("url") for r in DEFINITIONS.values()}
        definitions = [operation["definition"] for operation in declared_operations()]
        ours = [url for url in definitions if url.startswith(systems.BASE)]
        assert ours == [
            submit()["url"],
            review_conformance.OD_QUEUE,
            review_conformance.OD_DECIDE,
            systems.OD_SUBSCRIPTION_REPLAY,
        ]
        assert set(ours) <= published
        # The others are HL7's: the Subscriptions Backport IG's, and Claim's own $submit.
        hl7 = (systems.BACKPORT, "http://hl7.org/fhir/OperationDefinition/Claim-submit")
        assert all(url.startswith(hl7) for url in set(definitions) - set(ours))
