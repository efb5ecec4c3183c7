"""Every bad input gets a 4xx OperationOutcome with a stable code in French, never a 5xx."""

from __future__ import annotations

import orjson
from fastapi.testclient import TestClient

from fhir_profiles.limits import MAX_ITEMS
from tests.e2e.support import GatewayState, eligibility_request
from tests.fhir_schema import assert_valid_r4

URL = "/fhir/CoverageEligibilityRequest/$submit"
FHIR = {"Content-Type": "application/fhir+json"}


def outcome_code(answer: object) -> str:
    """The reason code of an OperationOutcome answer, validated against the R4 schema."""
    body = answer.json()  # type: ignore[attr-defined]
    assert body["resourceType"] == "OperationOutcome"
    assert_valid_r4(body)
    return str(body["issue"][0]["details"]["coding"][0]["code"])


class TestBadInput:
    def test_malformed_json(self, app_client: TestClient, pharmacy_auth: dict[str, str]) -> None:
        answer = app_client.post(
            URL, content=b'{"resourceType": ', headers={**pharmacy_auth, **FHIR}
        )
        assert answer.status_code == 400
        assert outcome_code(answer) == "json-invalide"

    def test_wrong_resource_type(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        body = {"resourceType": "Patient", "id": "x"}
        answer = app_client.post(URL, json=body, headers={**pharmacy_auth, **FHIR})
        assert answer.status_code == 400
        assert outcome_code(answer) == "type-ressource-invalide"

    def test_wrong_content_type(
        self, app_client: TestClient, pharmacy_auth: dict[str, str], state: GatewayState
    ) -> None:
        body = orjson.dumps(eligibility_request(state.people["open"][1]))
        headers = {**pharmacy_auth, "Content-Type": "text/plain"}
        answer = app_client.post(URL, content=body, headers=headers)
        assert answer.status_code == 415
        assert outcome_code(answer) == "type-contenu-invalide"

    def test_body_over_the_size_limit(
        self, app_client: TestClient, pharmacy_auth: dict[str, str], state: GatewayState
    ) -> None:
        body = eligibility_request(state.people["open"][1])
        body["text"] = {"status": "generated", "div": "<div>" + "x" * 2_000_000 + "</div>"}
        answer = app_client.post(URL, content=orjson.dumps(body), headers={**pharmacy_auth, **FHIR})
        assert answer.status_code == 413
        assert outcome_code(answer) == "corps-trop-volumineux"

    def test_json_nested_past_the_depth_limit(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        nested: dict[str, object] = {"resourceType": "CoverageEligibilityRequest"}
        cursor = nested
        for _ in range(60):
            cursor["extension"] = [{"url": "x"}]
            cursor = cursor["extension"][0]  # type: ignore[index]
        answer = app_client.post(
            URL, content=orjson.dumps(nested), headers={**pharmacy_auth, **FHIR}
        )
        assert answer.status_code == 400
        assert outcome_code(answer) == "json-trop-profond"

    def test_deeper_than_the_json_parser_allows(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        body = b'{"a":' * 5000 + b"1" + b"}" * 5000
        answer = app_client.post(URL, content=body, headers={**pharmacy_auth, **FHIR})
        assert answer.status_code == 400
        assert outcome_code(answer) in ("json-invalide", "json-trop-profond")

    def test_invalid_identifier(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        body = eligibility_request("12AB")
        answer = app_client.post(URL, json=body, headers={**pharmacy_auth, **FHIR})
        assert answer.status_code == 422
        assert outcome_code(answer) == "identifiant-invalide"
        assert any("patient" in e for e in answer.json()["issue"][0].get("expression", []))

    def test_body_not_an_object(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        answer = app_client.post(URL, content=b"[1, 2]", headers={**pharmacy_auth, **FHIR})
        assert answer.status_code == 400
        assert outcome_code(answer) == "ressource-invalide"

    def test_unknown_purpose_code(
        self, app_client: TestClient, pharmacy_auth: dict[str, str], state: GatewayState
    ) -> None:
        body = eligibility_request(state.people["open"][1])
        body["purpose"] = ["verification"]
        answer = app_client.post(URL, json=body, headers={**pharmacy_auth, **FHIR})
        assert 400 <= answer.status_code < 500
        assert outcome_code(answer) in ("code-inconnu", "ressource-invalide")

    def test_wrong_element_types(
        self, app_client: TestClient, pharmacy_auth: dict[str, str], state: GatewayState
    ) -> None:
        body = eligibility_request(state.people["open"][1])
        body["item"] = "pharmacy"
        body["created"] = 12
        answer = app_client.post(URL, json=body, headers={**pharmacy_auth, **FHIR})
        assert 400 <= answer.status_code < 500
        outcome_code(answer)

    def test_unacceptable_accept_header(
        self, app_client: TestClient, pharmacy_auth: dict[str, str], state: GatewayState
    ) -> None:
        body = eligibility_request(state.people["open"][1])
        headers = {**pharmacy_auth, **FHIR, "Accept": "application/xml"}
        answer = app_client.post(URL, json=body, headers=headers)
        assert answer.status_code == 406
        assert outcome_code(answer) == "format-non-accepte"

    def test_unknown_route_is_an_operation_outcome(self, app_client: TestClient) -> None:
        answer = app_client.get("/fhir/Patient/1")
        assert answer.status_code == 404
        assert outcome_code(answer) == "ressource-introuvable"

    def test_wrong_method(self, app_client: TestClient, pharmacy_auth: dict[str, str]) -> None:
        answer = app_client.delete(URL, headers=pharmacy_auth)
        assert answer.status_code == 405
        assert outcome_code(answer) == "methode-non-autorisee"


class TestLanguages:
    def test_french_by_default(self, app_client: TestClient, pharmacy_auth: dict[str, str]) -> None:
        answer = app_client.post(URL, content=b"{", headers={**pharmacy_auth, **FHIR})
        assert "JSON" in answer.json()["issue"][0]["details"]["coding"][0]["display"]
        assert "valide" in answer.json()["issue"][0]["details"]["coding"][0]["display"]

    def test_arabic_on_request(self, app_client: TestClient, pharmacy_auth: dict[str, str]) -> None:
        headers = {**pharmacy_auth, **FHIR, "Accept-Language": "ar-MA, fr;q=0.5"}
        display = app_client.post(URL, content=b"{", headers=headers).json()["issue"][0]["details"]
        assert any("\u0600" <= ch <= "\u06ff" for ch in display["coding"][0]["display"])

    def test_english_on_request(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        headers = {**pharmacy_auth, **FHIR, "Accept-Language": "en"}
        display = app_client.post(URL, content=b"{", headers=headers).json()["issue"][0]["details"]
        assert "JSON" in display["coding"][0]["display"]
        assert "n'est" not in display["coding"][0]["display"]


class TestWhatOneRequestMayCarry:
    """What one request may carry is bounded, so that it cannot hold others up (issue: 5,000
    items held the event loop 0.4 s)."""

    def request(self, state: GatewayState, items: int) -> dict[str, object]:
        body = eligibility_request(state.people["open"][1])
        body["item"] = body["item"] * items
        return body

    def test_as_many_items_as_allowed_are_answered(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        answer = app_client.post(URL, json=self.request(state, MAX_ITEMS), headers=pharmacy_auth)
        assert answer.status_code == 200, answer.text

    def test_one_item_too_many_is_refused_with_413(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        body = self.request(state, MAX_ITEMS + 1)
        answer = app_client.post(URL, json=body, headers=pharmacy_auth)
        assert answer.status_code == 413
        issue = answer.json()["issue"][0]
        assert issue["details"]["coding"][0]["code"] == "requete-trop-volumineuse"
        assert issue["expression"] == ["CoverageEligibilityRequest.item"]

    def test_five_thousand_items_are_refused_before_any_is_read(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        answer = app_client.post(URL, json=self.request(state, 5_000), headers=pharmacy_auth)
        assert answer.status_code == 413
        assert outcome_code(answer) == "json-trop-volumineux"

    def test_a_body_of_too_many_values_is_refused_before_mapping(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        body = self.request(state, 1)
        body["extension"] = [{"url": "x"}] * (state.settings.max_json_nodes + 1)
        answer = app_client.post(URL, json=body, headers=pharmacy_auth)
        assert answer.status_code == 413
        assert answer.json()["issue"][0]["details"]["coding"][0]["code"] == "json-trop-volumineux"
