"""HL7's own CoverageEligibilityRequest examples: an answer or an explained 4xx, never a 5xx."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.fhir_schema import assert_valid_r4

EXAMPLES = sorted(
    (Path(__file__).parent.parent / "fixtures" / "fhir-examples").glob(
        "coverageeligibilityrequest*.json"
    )
)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
class TestOfficialExamples:
    def test_answered_or_refused_with_a_reason(
        self, example: Path, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        headers = {**pharmacy_auth, "Content-Type": "application/fhir+json"}
        answer = app_client.post(
            "/fhir/CoverageEligibilityRequest/$submit",
            content=example.read_bytes(),
            headers=headers,
        )
        body = orjson.loads(answer.content)
        assert answer.status_code < 500
        assert_valid_r4(body)
        if answer.status_code == 200:
            assert body["resourceType"] == "CoverageEligibilityResponse"
        else:
            assert 400 <= answer.status_code < 500
            assert body["resourceType"] == "OperationOutcome"
            assert body["issue"][0]["details"]["text"]


def test_examples_are_present() -> None:
    assert len(EXAMPLES) >= 2
