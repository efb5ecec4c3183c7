"""Third-party prior-authorization requests, each through the real app in its envelope.

The examples of tests/unit/fhir/test_claim_third_party.py (Da Vinci PAS, NPHIES, HCX), each
as one of our clients sends it, about a member of the test population: a message goes to
`$process-message` and gets a message back, everything else to `Claim/$submit`. Every answer is
a ClaimResponse valid against the R4 schema; their items, coded in their own systems, are
each answered with a coded reason, and the request waits for the payer's reviewer.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from fhir_profiles import envelope, systems
from tests.e2e.conftest import bearer
from tests.e2e.support import GatewayState
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.test_claim_third_party import EXAMPLES, FOREIGN, Example, ours, sequences

FHIR = {"Content-Type": "application/fhir+json"}
SCOPES = "system/Claim.crs system/ClaimResponse.rs"


def for_member(example: Example, idcs: str) -> dict[str, Any]:
    """The example about one of our covered members."""
    body = ours(example)
    envelope.read(body, "Claim").request["patient"]["identifier"] = {
        "system": systems.IDCS,
        "value": idcs,
    }
    return body


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_each_example_is_answered_item_by_item(
    example: Example, app_client: TestClient, state: GatewayState
) -> None:
    body = for_member(example, state.people["ald"][1])
    headers = {**bearer(app_client, state.pharmacy, SCOPES), **FHIR}
    url = "/fhir/$process-message" if example.envelope == "message" else "/fhir/Claim/$submit"
    answer = app_client.post(url, json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert_valid_r4(got)
    if example.envelope == "message":
        header, response = (entry["resource"] for entry in got["entry"])
        asked = body["entry"][0]["resource"]["id"]
        assert header["response"] == {"identifier": asked, "code": "ok"}
        assert_valid_r4(response)
    else:
        response = got
    assert (response["resourceType"], response["outcome"]) == ("ClaimResponse", "queued")
    assert [item["itemSequence"] for item in response["item"]] == list(sequences(body))
    for item in response["item"]:
        assert [a["reason"]["coding"][0]["code"] for a in item["adjudication"]] == [FOREIGN]
    stored = app_client.get(f"/fhir/ClaimResponse/{response['id']}", headers=headers)
    assert stored.status_code == 200 and stored.json()["id"] == response["id"]
