"""Third-party eligibility requests, each through the real app in the envelope it came in.

The examples of tests/unit/fhir/test_third_party.py, each with one of the test population's
open members put on its patient and its date of care moved to today: a message goes to
`$process-message` and gets a message back, everything else to `$submit`. Every answer is a
CoverageEligibilityResponse valid against the R4 schema that finds the member covered.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fhir_profiles import envelope, systems
from tests.e2e.conftest import bearer
from tests.e2e.support import GatewayState
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.test_third_party import EXAMPLES, OURS, Example, load

FHIR = {"Content-Type": "application/fhir+json"}


def ours(example: Example, idcs: str) -> dict[str, Any]:
    """The example, for one of our members, today."""
    body = load(example)
    request = envelope.read(body, "CoverageEligibilityRequest").request
    request["patient"]["identifier"] = {"system": systems.IDCS, "value": idcs}
    request.pop("servicedPeriod", None)
    request["servicedDate"] = date.today().isoformat()
    return body


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_each_example_is_answered_covered(
    example: Example, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
) -> None:
    body = ours(example, state.people["open"][1])
    url = "/fhir/$process-message" if example.envelope == "message" else (
        "/fhir/CoverageEligibilityRequest/$submit")  # fmt: skip
    answer = app_client.post(url, json=body, headers={**pharmacy_auth, **FHIR})
    assert answer.status_code == 200, answer.text
    got = answer.json()
    if example.envelope == "message":
        assert_valid_r4(got)
        header, response = (entry["resource"] for entry in got["entry"])
        asked = body["entry"][0]["resource"]["id"]
        assert header["response"] == {"identifier": asked, "code": "ok"}
    else:
        response = got
    assert_valid_r4(response)
    assert response["resourceType"] == "CoverageEligibilityResponse"
    assert response["insurance"][0]["inforce"] is True


class TestProcessMessage:
    def message(self, state: GatewayState) -> dict[str, Any]:
        """The NPHIES benefits-and-validation message, for our open member."""
        example = Example(OURS / "nphies-eligibility-request-ben-val.json", "message")
        return ours(example, state.people["open"][1])

    def test_a_retried_message_gets_the_same_message(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        headers = {**pharmacy_auth, **FHIR, "Idempotency-Key": "nphies-msg-1"}
        url = "/fhir/$process-message"
        first = app_client.post(url, json=self.message(state), headers=headers)
        again = app_client.post(url, json=self.message(state), headers=headers)
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert again.headers["Idempotent-Replayed"] == "true"

    def test_a_refused_request_is_answered_in_a_message(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        body = self.message(state)
        request = envelope.read(body, "CoverageEligibilityRequest").request
        request["patient"]["identifier"]["value"] = "12"  # not an IDCS
        answer = app_client.post("/fhir/$process-message", json=body,
                                 headers={**pharmacy_auth, **FHIR})  # fmt: skip
        assert answer.status_code == 422
        bundle = answer.json()
        assert_valid_r4(bundle)
        header, outcome = (entry["resource"] for entry in bundle["entry"])
        assert header["response"]["code"] == "fatal-error"
        assert header["response"]["identifier"] == body["entry"][0]["resource"]["id"]
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["details"]["coding"][0]["code"] == "identifiant-invalide"

    def test_a_bundle_that_is_not_a_message_is_a_400(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        body = {"resourceType": "Bundle", "type": "collection", "entry": []}
        answer = app_client.post("/fhir/$process-message", json=body,
                                 headers={**pharmacy_auth, **FHIR})  # fmt: skip
        assert answer.status_code == 400
        assert answer.json()["issue"][0]["details"]["coding"][0]["code"] == "enveloppe-invalide"

    def test_a_message_about_something_else_is_refused_in_a_message(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        body = self.message(state)
        entries = body["entry"]
        kinds = ("MessageHeader", "CoverageEligibilityRequest")
        focused = next(e for e in entries if e["resource"]["resourceType"] not in kinds)
        entries[0]["resource"]["focus"] = [{"reference": focused["fullUrl"]}]
        answer = app_client.post("/fhir/$process-message", json=body,
                                 headers={**pharmacy_auth, **FHIR})  # fmt: skip
        assert answer.status_code == 422
        assert answer.json()["entry"][0]["resource"]["response"]["code"] == "fatal-error"

    def test_without_the_scope_it_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        reader = bearer(app_client, state.pharmacy, "system/CoverageEligibilityResponse.rs")
        answer = app_client.post("/fhir/$process-message", json=self.message(state),
                                 headers={**reader, **FHIR})  # fmt: skip
        assert answer.status_code == 403
