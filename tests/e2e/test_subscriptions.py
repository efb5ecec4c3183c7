"""The Subscription API in-process: scopes, refusals as OperationOutcomes, the published
topics. (Deliveries themselves: tests/e2e/test_notifications.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.commands.endpoints import add_endpoint
from tests.e2e.conftest import bearer
from tests.e2e.support import GatewayState
from tests.fhir_schema import assert_valid_r4

ENDPOINT = "https://pharmacie.example/amo/notifications"
TOPIC = "https://fhir.tiers-payant.ma/SubscriptionTopic/prior-authorization-decided"
SCOPES = "system/Subscription.cruds"


@pytest.fixture(scope="module")
def pharmacy(app_client: TestClient, state: GatewayState) -> dict[str, str]:
    """The pharmacy's bearer header, its endpoint registered."""
    add_endpoint(state.settings, inpe=state.pharmacy.inpe, url=ENDPOINT)
    return bearer(app_client, state.pharmacy, SCOPES)


def body(**changes: Any) -> dict[str, Any]:
    subscription = {
        "resourceType": "Subscription",
        "status": "requested",
        "reason": "Suivi",
        "criteria": TOPIC,
        "channel": {"type": "rest-hook", "endpoint": ENDPOINT, "payload": "application/fhir+json"},
    }
    return {**subscription, **changes}


def code_of(answer: Any) -> str:
    outcome = answer.json()
    assert outcome["resourceType"] == "OperationOutcome"
    return str(outcome["issue"][0]["details"]["coding"][0]["code"])


class TestLifecycle:
    def test_create_read_search_status_delete(
        self, app_client: TestClient, pharmacy: dict[str, str]
    ) -> None:
        created = app_client.post("/fhir/Subscription", json=body(), headers=pharmacy)
        assert created.status_code == 201, created.text
        resource = created.json()
        assert_valid_r4(resource)
        assert resource["status"] == "active"
        assert created.headers["location"].endswith(f"/fhir/Subscription/{resource['id']}")
        url = f"/fhir/Subscription/{resource['id']}"
        assert app_client.get(url, headers=pharmacy).json() == resource
        found = app_client.get(f"/fhir/Subscription?url={ENDPOINT}&status=active", headers=pharmacy)
        assert resource["id"] in [e["resource"]["id"] for e in found.json()["entry"]]
        assert "status=active" in found.json()["link"][0]["url"]
        status = app_client.get(f"{url}/$status", headers=pharmacy).json()
        assert_valid_r4(status)
        events = app_client.get(f"{url}/$events", headers=pharmacy).json()
        assert_valid_r4(events)
        assert events["type"] == "history"
        assert app_client.delete(url, headers=pharmacy).status_code == 204
        assert app_client.get(url, headers=pharmacy).status_code == 404


class TestRefusals:
    @pytest.mark.parametrize(
        ("changes", "status", "code"),
        [
            (
                {"criteria": "https://fhir.tiers-payant.ma/SubscriptionTopic/x"},
                422,
                "sujet-inconnu",
            ),
            ({"channel": {"type": "email", "endpoint": ENDPOINT}}, 422, "canal-non-pris-en-charge"),
            (
                {"channel": {"type": "rest-hook", "endpoint": "https://other.example/h"}},
                422,
                "point-de-terminaison-non-enregistre",
            ),
            ({"reason": None}, 400, "ressource-invalide"),
            ({"resourceType": "Basic"}, 400, "type-ressource-invalide"),
        ],
    )
    def test_bad_subscriptions_answer_a_french_outcome(
        self,
        app_client: TestClient,
        pharmacy: dict[str, str],
        changes: dict[str, Any],
        status: int,
        code: str,
    ) -> None:
        answer = app_client.post("/fhir/Subscription", json=body(**changes), headers=pharmacy)
        assert answer.status_code == status, answer.text
        assert code_of(answer) == code

    def test_a_token_without_subscription_scopes_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        eligibility_only = bearer(
            app_client, state.pharmacy, "system/CoverageEligibilityRequest.cr"
        )
        answer = app_client.post("/fhir/Subscription", json=body(), headers=eligibility_only)
        assert answer.status_code == 403
        assert code_of(answer) == "portee-insuffisante"

    def test_a_read_only_token_cannot_delete_nor_replay(
        self, app_client: TestClient, state: GatewayState, pharmacy: dict[str, str]
    ) -> None:
        created = app_client.post("/fhir/Subscription", json=body(), headers=pharmacy).json()
        reader = bearer(app_client, state.pharmacy, "system/Subscription.rs")
        url = f"/fhir/Subscription/{created['id']}"
        assert app_client.get(url, headers=reader).status_code == 200
        assert app_client.delete(url, headers=reader).status_code == 403
        assert app_client.post(f"{url}/$replay", headers=reader).status_code == 403

    @pytest.mark.parametrize(
        "query", ["?patient=1", "?status=bogus", "?_count=0", "?status=active&status=off"]
    )
    def test_a_search_it_cannot_understand_is_refused(
        self, app_client: TestClient, pharmacy: dict[str, str], query: str
    ) -> None:
        answer = app_client.get(f"/fhir/Subscription{query}", headers=pharmacy)
        assert answer.status_code == 400
        assert code_of(answer) == "parametre-invalide"

    def test_a_replay_range_it_cannot_understand_is_refused(
        self, app_client: TestClient, pharmacy: dict[str, str]
    ) -> None:
        created = app_client.post("/fhir/Subscription", json=body(), headers=pharmacy).json()
        asked = {
            "resourceType": "Parameters",
            "parameter": [{"name": "everything", "valueString": "1"}],
        }
        answer = app_client.post(
            f"/fhir/Subscription/{created['id']}/$replay", json=asked, headers=pharmacy
        )
        assert answer.status_code == 400
        assert code_of(answer) == "parametre-invalide"


class TestPublished:
    def test_the_capability_statement_lists_subscription_and_its_topics(
        self, app_client: TestClient
    ) -> None:
        statement = app_client.get("/fhir/metadata").json()
        [subscription] = [
            r for r in statement["rest"][0]["resource"] if r["type"] == "Subscription"
        ]
        topics = [e["valueCanonical"] for e in subscription["extension"]]
        assert TOPIC in topics and len(topics) == 5  # four of a prise en charge, one payment
        assert f"{TOPIC.rpartition('/')[0]}/payment-notified" in topics
        assert {o["name"] for o in subscription["operation"]} == {"status", "events", "replay"}

    def test_the_replay_operation_is_published(self, app_client: TestClient) -> None:
        answer = app_client.get("/fhir/OperationDefinition/Subscription-replay")
        assert answer.status_code == 200
        assert_valid_r4(answer.json())
