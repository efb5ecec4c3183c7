"""Anomaly flags end to end, against a real uvicorn and worker: a line billed twice is
refused as a duplicate, and the payer's reviewer lists a DetectedIssue naming that claim;
the provider neither sees a flag in its answer nor may list them (403), and another payer's
reviewer does not see it (404)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.pa_world import REVIEWER_SCOPES, World, read, submit, world
from tests.e2e.test_claims import bill, care_day, granted, reasons
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e
__all__ = ["world"]  # the module's fixture
ANOMALY = "https://fhir.tiers-payant.ma/CodeSystem/anomaly"


def flags_of(world: World, who: Any, query: str = "") -> Any:
    return read(world, who, f"DetectedIssue{query}", REVIEWER_SCOPES)


class TestDuplicateFlag:
    def test_a_duplicate_line_is_flagged_for_its_payer_s_reviewers_only(self, world: World) -> None:
        day = care_day(9)
        pa = granted(world, day)
        pharmacy = world.state.pharmacy
        first = submit(world, pharmacy, bill(world, "FACT-E2E-A9", pa["id"], day=day))
        assert first.status_code == 200, first.text
        twice = submit(world, pharmacy, bill(world, "FACT-E2E-B9", pa["id"], day=day))
        assert twice.status_code == 200, twice.text
        refused = twice.json()
        assert reasons(refused) == ["doublon"]
        for word in ("DetectedIssue", "anomaly", "score", "peerMedian"):
            assert word not in twice.text  # the provider's answer never carries a flag
        claim = refused["request"]["reference"]

        found = flags_of(world, world.cnss, f"?code={ANOMALY}|doublon&status=preliminary")
        assert found.status_code == 200, found.text
        bundle = found.json()
        assert_valid_r4(bundle)
        issues = [e["resource"] for e in bundle["entry"]]
        [issue] = [i for i in issues if i["implicated"] == [{"reference": claim}]]
        assert_valid_r4(issue)
        assert issue["code"]["coding"][0]["code"] == "doublon"
        assert "ligne 1" in issue["detail"]
        first_claim = first.json()["request"]["reference"]
        assert all(i.get("implicated") != [{"reference": first_claim}] for i in issues)

        one = flags_of(world, world.cnss, f"/{issue['id']}")
        assert one.status_code == 200 and one.json()["id"] == issue["id"]
        other_payer = flags_of(world, world.cnops, f"/{issue['id']}")
        assert other_payer.status_code == 404
        assert flags_of(world, world.cnops, "?code=doublon").json()["total"] == 0

        as_provider = read(world, pharmacy, "DetectedIssue")
        assert as_provider.status_code == 403
        code = as_provider.json()["issue"][0]["details"]["coding"][0]["code"]
        assert code == "role-non-autorise"
        assert read(world, pharmacy, f"DetectedIssue/{issue['id']}").status_code == 403

    def test_a_search_parameter_we_do_not_serve_is_refused(self, world: World) -> None:
        answer = flags_of(world, world.cnss, "?patient=Patient/1")
        assert answer.status_code == 400, answer.text
