"""Idempotency-Key: a retried submission is answered again, never recorded twice."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.e2e.support import IDCS, GatewayState, eligibility_request, token_form

SUBMIT = "/fhir/CoverageEligibilityRequest/$submit"


def searched(client: TestClient, auth: dict[str, str], request_ref: str) -> int:
    found = client.get(
        "/fhir/CoverageEligibilityResponse", params={"request": request_ref}, headers=auth
    )
    return int(found.json()["total"])


class TestIdempotencyKey:
    def test_a_retry_gets_the_first_answer_and_records_nothing_more(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        headers = {**pharmacy_auth, "Idempotency-Key": secrets.token_hex(8)}
        body = eligibility_request(state.people["tns-settled"][1])
        first = app_client.post(SUBMIT, json=body, headers=headers)
        retry = app_client.post(SUBMIT, json=body, headers=headers)
        assert first.status_code == retry.status_code == 200
        assert retry.json() == first.json()
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        assert searched(app_client, pharmacy_auth, first.json()["request"]["reference"]) == 1

    def test_the_same_key_for_another_request_is_refused(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        headers = {**pharmacy_auth, "Idempotency-Key": secrets.token_hex(8)}
        app_client.post(SUBMIT, json=eligibility_request(state.people["open"][1]), headers=headers)
        other = app_client.post(
            SUBMIT, json=eligibility_request(state.people["student"][1]), headers=headers
        )
        assert other.status_code == 422
        assert (
            other.json()["issue"][0]["details"]["coding"][0]["code"] == "cle-idempotence-reutilisee"
        )

    def test_a_retry_while_the_first_is_in_flight_is_told_to_come_back(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        """The embedded default knows in process which keys are being answered: a retry
        waits AMO_IDEMPOTENCY_WAIT_SECONDS for the first's answer, then is answered 409."""
        key = secrets.token_hex(8)
        gateway = app_client.app.state.gateway  # type: ignore[attr-defined]
        with gateway.storage.uow() as uow:
            tenant = uow.providers.by_inpe(state.pharmacy.inpe).id
        first = asyncio.run(gateway.exchange.in_flight.begin(tenant, key))  # being answered
        assert first is not None
        body = eligibility_request(state.people["open"][1])
        headers = {**pharmacy_auth, "Idempotency-Key": key}
        try:
            waited = app_client.post(SUBMIT, json=body, headers=headers)
        finally:
            asyncio.run(gateway.exchange.in_flight.end(first))
        assert waited.status_code == 409
        assert waited.json()["issue"][0]["details"]["coding"][0]["code"] == "requete-en-cours"
        assert int(waited.headers["Retry-After"]) >= 1
        assert waited.elapsed.total_seconds() >= state.settings.idempotency_wait_seconds - 0.5
        answered = app_client.post(SUBMIT, json=body, headers=headers)
        assert answered.status_code == 200 and "Idempotent-Replayed" not in answered.headers

    def test_a_malformed_key_is_refused(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        headers = {**pharmacy_auth, "Idempotency-Key": "x" * 200}
        answer = app_client.post(
            SUBMIT, json=eligibility_request(state.people["open"][1]), headers=headers
        )
        assert answer.status_code == 400
        assert (
            answer.json()["issue"][0]["details"]["coding"][0]["code"] == "cle-idempotence-invalide"
        )

    def test_keys_are_per_provider(self, app_client: TestClient, state: GatewayState) -> None:
        key = secrets.token_hex(8)
        body = eligibility_request(state.people["open"][1])
        answers = []
        for who in (state.pharmacy, state.clinic):
            token = app_client.post(
                "/auth/token", data=token_form(who, "http://testserver/auth/token")
            )
            auth = {
                "Authorization": f"Bearer {token.json()['access_token']}",
                "Idempotency-Key": key,
            }
            answers.append(app_client.post(SUBMIT, json=body, headers=auth).json())
        assert answers[0]["id"] != answers[1]["id"]


@pytest.mark.e2e
class TestConcurrentRetries:
    def test_simultaneous_retries_share_one_answer(self, live: tuple[str, GatewayState]) -> None:
        base, state = live
        token = httpx.post(
            f"{base}/auth/token", data=token_form(state.pharmacy, f"{base}/auth/token")
        )
        headers = {
            "Authorization": f"Bearer {token.json()['access_token']}",
            "Idempotency-Key": secrets.token_hex(8),
        }
        body = eligibility_request(state.people["transferred"][1])

        async def burst() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=base, timeout=15) as client:
                return await asyncio.gather(
                    *(client.post(SUBMIT, json=body, headers=headers) for _ in range(8))
                )

        answers = asyncio.run(burst())
        assert {a.status_code for a in answers} == {200}
        assert len({a.json()["id"] for a in answers}) == 1
        auth = {"Authorization": headers["Authorization"]}
        found = httpx.get(
            f"{base}/fhir/CoverageEligibilityResponse",
            params={"patient:identifier": f"{IDCS}|{body['patient']['identifier']['value']}"},
            headers=auth,
        ).json()
        assert found["total"] == 1
