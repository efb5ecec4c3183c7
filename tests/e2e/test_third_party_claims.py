"""Third-party claims for payment, each through the real app in its envelope.

The examples of tests/unit/fhir/test_claim_billing_third_party.py (HL7 R4, NPHIES, openIMIS,
HCX), each as one of our clients sends it, about a covered member of the test population: a
message goes to `$process-message` and gets a message back, everything else to `Claim/$submit`.
Every answer is a ClaimResponse valid against the R4 schema, each item, coded in its own
system, answered with a coded reason; nothing of them is payable, and the answer is read back.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from fhir_profiles import envelope, systems
from tests.e2e.conftest import bearer
from tests.e2e.support import GatewayState
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.test_claim_billing_third_party import EXAMPLES, ours
from tests.unit.fhir.test_claim_third_party import FOREIGN, sequences

FHIR = {"Content-Type": "application/fhir+json"}
SCOPES = "system/Claim.crs system/ClaimResponse.rs"


def for_member(path: Any, idcs: str) -> dict[str, Any]:
    """The example about one of our covered members, billed by its own number."""
    body = ours(path)
    claim = envelope.read(body, "Claim").request
    claim["patient"]["identifier"] = {"system": systems.IDCS, "value": idcs}
    return body


@pytest.mark.parametrize(("path", "kind"), EXAMPLES, ids=lambda v: getattr(v, "name", v))
def test_each_claim_is_answered_item_by_item(
    path: Any, kind: str, app_client: TestClient, state: GatewayState
) -> None:
    body = for_member(path, state.people["ald"][1])
    headers = {**bearer(app_client, state.pharmacy, SCOPES), **FHIR}
    url = "/fhir/$process-message" if kind == "message" else "/fhir/Claim/$submit"
    answer = app_client.post(url, json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert_valid_r4(got)
    if kind == "message":
        header, response = (entry["resource"] for entry in got["entry"])
        assert header["response"] == {"identifier": body["entry"][0]["resource"]["id"],
                                      "code": "ok"}  # fmt: skip
        assert_valid_r4(response)
    else:
        response = got
    assert response["resourceType"] == "ClaimResponse" and response["use"] == "claim"
    assert [item["itemSequence"] for item in response["item"]] == list(sequences(body))
    for item in response["item"]:
        reasons = {a["reason"]["coding"][0]["code"] for a in item["adjudication"] if "reason" in a}
        assert reasons == {FOREIGN}
    assert response["outcome"] == "complete"
    benefits = [
        a["amount"]["value"]
        for item in response["item"]
        for a in item["adjudication"]
        if a["category"]["coding"][0]["code"] == "benefit"
    ]
    assert sum(benefits) == 0  # nothing the payer does not read is paid
    stored = app_client.get(f"/fhir/ClaimResponse/{response['id']}", headers=headers)
    assert stored.status_code == 200 and stored.json()["id"] == response["id"]
