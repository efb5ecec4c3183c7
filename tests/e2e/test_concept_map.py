"""The ConceptMap of foreign care categories, served with the other conformance resources."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.fhir_schema import assert_valid_r4

URL = "https://fhir.tiers-payant.ma/ConceptMap/care-category"


class TestConceptMapRoutes:
    def test_read_by_id(self, app_client: TestClient) -> None:
        answer = app_client.get("/fhir/ConceptMap/care-category")
        assert answer.status_code == 200
        body = answer.json()
        assert_valid_r4(body)
        assert (body["resourceType"], body["url"]) == ("ConceptMap", URL)

    def test_searched_by_url(self, app_client: TestClient) -> None:
        bundle = app_client.get("/fhir/ConceptMap", params={"url": URL}).json()
        assert_valid_r4(bundle)
        assert [e["resource"]["id"] for e in bundle["entry"]] == ["care-category"]

    def test_an_unknown_id_is_not_found(self, app_client: TestClient) -> None:
        answer = app_client.get("/fhir/ConceptMap/nope")
        assert answer.status_code == 404
        assert answer.json()["resourceType"] == "OperationOutcome"

    def test_the_capability_statement_lists_it(self, app_client: TestClient) -> None:
        statement = app_client.get("/fhir/metadata").json()
        kinds = {r["type"] for r in statement["rest"][0]["resource"]}
        assert "ConceptMap" in kinds
