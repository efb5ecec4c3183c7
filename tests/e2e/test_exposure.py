"""What answers expose: patient data uncached and unsniffed, metrics to the scraper only,
no redirect built from the Host header."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.settings import Secret
from tests.e2e.support import GatewayState, eligibility_request, token_form
from tests.unit.fhir.envelopes import message

ELIGIBILITY = "/fhir/CoverageEligibilityRequest"
METRICS_TOKEN = "scraper-" + "s3cr3t" * 6


def assert_private(answer: object) -> None:
    headers = answer.headers  # type: ignore[attr-defined]
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"


class TestPatientDataAnswers:
    def test_submissions_reads_and_searches_are_not_cached(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        body = eligibility_request(state.people["open"][1])
        created = app_client.post(ELIGIBILITY, json=body, headers=pharmacy_auth)
        submitted = app_client.post(f"{ELIGIBILITY}/$submit", json=body, headers=pharmacy_auth)
        answer_id = submitted.json()["id"]
        reads = [
            app_client.get(f"/fhir/CoverageEligibilityResponse/{answer_id}", headers=pharmacy_auth),
            app_client.get(created.headers["Location"], headers=pharmacy_auth),
            app_client.get("/fhir/CoverageEligibilityResponse", headers=pharmacy_auth),
        ]
        for answer in [created, submitted, *reads]:
            assert answer.status_code in (200, 201), answer.text
            assert_private(answer)

    def test_a_message_answer_is_not_cached(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        body = message(eligibility_request(state.people["open"][1]))
        answer = app_client.post("/fhir/$process-message", json=body, headers=pharmacy_auth)
        assert answer.status_code == 200, answer.text
        assert_private(answer)

    def test_a_token_is_not_cached(self, app_client: TestClient, state: GatewayState) -> None:
        form = token_form(state.pharmacy, "http://testserver/auth/token")
        answer = app_client.post("/auth/token", data=form)
        assert answer.status_code == 200
        assert_private(answer)


@pytest.fixture(scope="module")
def guarded(state: GatewayState) -> Iterator[TestClient]:
    """The app with a metrics token set."""
    settings = replace(state.settings, metrics_token=Secret(METRICS_TOKEN))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


class TestMetricsToken:
    def test_without_the_token_metrics_are_refused(self, guarded: TestClient) -> None:
        answer = guarded.get("/metrics")
        assert answer.status_code == 401
        assert answer.json()["resourceType"] == "OperationOutcome"
        assert "amo_http_requests" not in answer.text

    def test_a_wrong_token_is_refused(self, guarded: TestClient) -> None:
        answer = guarded.get("/metrics", headers={"Authorization": "Bearer guess"})
        assert answer.status_code == 401

    def test_the_scraper_reads_them(self, guarded: TestClient) -> None:
        answer = guarded.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert answer.status_code == 200
        assert "amo_http_requests" in answer.text


class TestTrailingSlash:
    @pytest.mark.parametrize("path", ["/fhir/metadata/", "/healthz/", f"{ELIGIBILITY}/"])
    def test_no_redirect_echoes_the_host(self, app_client: TestClient, path: str) -> None:
        answer = app_client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
        assert answer.status_code == 404
        assert "evil.example" not in answer.headers.get("location", "")
        assert answer.json()["resourceType"] == "OperationOutcome"
