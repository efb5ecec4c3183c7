"""The CapabilityStatement."""

from __future__ import annotations

from typing import Any

from fhir_profiles import conformance, r4, systems
from fhir_profiles.conformance import capability_statement
from gateway import payment_search
from tests.fhir_schema import assert_valid_r4

TOKEN_URL = "https://gw.example/auth/token"


def statement() -> dict[str, Any]:
    return capability_statement(
        "https://gw.example/fhir", software_version="1.2.3", token_url=TOKEN_URL
    )


def resources() -> dict[str, dict[str, Any]]:
    return {r["type"]: r for r in statement()["rest"][0]["resource"]}


class TestCapabilityStatement:
    def test_is_valid_r4(self) -> None:
        assert_valid_r4(statement())
        r4.parse(statement())

    def test_describes_an_r4_json_server_instance(self) -> None:
        cs = statement()
        assert (cs["kind"], cs["fhirVersion"], cs["status"]) == ("instance", "4.0.1", "active")
        assert "application/fhir+json" in cs["format"]
        assert cs["software"]["version"] == "1.2.3"

    def test_security_is_smart_with_the_token_endpoint(self) -> None:
        security = statement()["rest"][0]["security"]
        assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
        oauth = security["extension"][0]
        assert oauth["url"] == systems.HL7_OAUTH_URIS
        assert oauth["extension"] == [{"url": "token", "valueUri": TOKEN_URL}]

    def test_eligibility_request_is_created_read_and_submitted(self) -> None:
        request = resources()["CoverageEligibilityRequest"]
        assert [i["code"] for i in request["interaction"]] == ["create", "read"]
        assert request["operation"][0]["name"] == "submit"
        assert request["supportedProfile"] == [systems.SD_ELIGIBILITY_REQUEST]

    def test_eligibility_response_is_searched_by_patient_created_request(self) -> None:
        response = resources()["CoverageEligibilityResponse"]
        assert [i["code"] for i in response["interaction"]] == ["read", "search-type"]
        params = {p["name"]: p["type"] for p in response["searchParam"]}
        assert params == {
            "patient": "reference",
            "created": "date",
            "request": "reference",
            "_count": "number",
        }

    def test_conformance_resources_are_read_and_listed(self) -> None:
        found = resources()
        for kind in ("StructureDefinition", "CodeSystem", "ValueSet", "ConceptMap"):
            assert [i["code"] for i in found[kind]["interaction"]] == ["read", "search-type"]


class TestPriorAuthorizationDeclarations:
    """_claim and _claim_response, ready for the routes that serve them to declare."""

    def with_claims(self) -> dict[str, Any]:
        cs = statement()
        cs["rest"][0]["resource"] += [conformance._claim(), conformance._claim_response()]
        return cs

    def test_keep_the_statement_valid_r4(self) -> None:
        assert_valid_r4(self.with_claims())
        r4.parse(self.with_claims())

    def test_claim_is_submitted_with_our_profile(self) -> None:
        claim = conformance._claim()
        assert claim["supportedProfile"] == [systems.SD_CLAIM]
        assert claim["operation"][0]["definition"].endswith("/OperationDefinition/Claim-submit")

    def test_claim_response_is_searched_by_hl7_s_parameters(self) -> None:
        params = {
            p["name"]: p.get("definition") for p in conformance._claim_response()["searchParam"]
        }
        assert params == {
            "patient": "http://hl7.org/fhir/SearchParameter/ClaimResponse-patient",
            "created": "http://hl7.org/fhir/SearchParameter/ClaimResponse-created",
            "request": "http://hl7.org/fhir/SearchParameter/ClaimResponse-request",
            # Ours: the state of the prise en charge, the outcome and the preAuthRef.
            "status": None,
            "outcome": None,
            "preauthref": None,
            "_count": None,
        }

    def test_payments_are_read_and_searched_by_the_parameters_the_routes_take(self) -> None:
        found = resources()
        for kind, names in (
            ("PaymentReconciliation", payment_search.RECONCILIATION_PARAMETERS),
            ("PaymentNotice", payment_search.NOTICE_PARAMETERS),
        ):
            entry = found[kind]
            assert [i["code"] for i in entry["interaction"]] == ["read", "search-type"]
            assert {p["name"] for p in entry["searchParam"]} == names

    def test_the_payment_notice_topic_is_published(self) -> None:
        subscription = resources()["Subscription"]
        topics = [e["valueCanonical"] for e in subscription["extension"]]
        assert f"{systems.SUBSCRIPTION_TOPIC}/payment-notified" in topics
