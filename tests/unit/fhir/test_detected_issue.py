"""Anomaly flags as FHIR R4 DetectedIssue: valid, coded from our CodeSystem `anomaly` (which
is published with French labels and listed in the CapabilityStatement), the Claim implicated
for a rule flag, the measure carried for a statistical one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from domain.anomaly_flags import FIGURES, SIGNALS, AnomalyFlag, Figure, FlagKind, SubjectKind
from fhir_profiles import detected_issue, terminology
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import reference_data
from tests.unit.fhir.test_conformance import statement

AT = datetime(2026, 4, 1, 9, tzinfo=UTC)
RULE = AnomalyFlag(
    "f1", "CNSS", FlagKind.RULE, "doublon", SubjectKind.PROVIDER, "org-1", AT,
    claim_source="org-1:F-2", claim_request_id="req-2", sequence=1,
)  # fmt: skip
STATISTICAL = AnomalyFlag(
    "f2", "CNSS", FlagKind.STATISTICAL, "ro-par-patient", SubjectKind.PROVIDER, "org-8", AT,
    figure=Figure(Decimal(900), Decimal("100.5"), 8, Decimal("12.346"), date(2026, 1, 1),
                  date(2026, 3, 31)),
)  # fmt: skip


def extension(resource: dict[str, object], url: str) -> dict[str, object]:
    found = [e for e in resource["extension"] if e["url"] == url]  # type: ignore[attr-defined]
    return {e["url"]: next(v for k, v in e.items() if k != "url") for e in found[0]["extension"]}


class TestDetectedIssue:
    def test_a_rule_flag_implicates_its_claim(self) -> None:
        issue = detected_issue.render(RULE)
        assert_valid_r4(issue)
        assert issue["implicated"] == [{"reference": "Claim/req-2"}]
        assert issue["code"]["coding"][0] == {
            "system": detected_issue.CS_ANOMALY, "code": "doublon", "display": SIGNALS["doublon"],
        }  # fmt: skip
        assert issue["detail"] == f"{SIGNALS['doublon']} (ligne 1)"
        assert extension(issue, detected_issue.EXT_SUBJECT) == {"kind": "provider", "id": "org-1"}

    def test_a_statistical_flag_carries_its_measure(self) -> None:
        issue = detected_issue.render(STATISTICAL)
        assert_valid_r4(issue)
        assert "implicated" not in issue
        measure = extension(issue, detected_issue.EXT_MEASURE)
        assert measure["value"] == 900 and measure["peerMedian"] == 100.5
        assert measure["peers"] == 8 and measure["score"] == 12.35
        assert measure["period"] == {"start": "2026-01-01", "end": "2026-03-31"}


class TestPublished:
    def test_the_code_system_holds_every_code_with_its_french_label(self) -> None:
        systems = {cs["url"]: cs for cs in terminology.code_systems(reference_data())}
        anomaly = systems[detected_issue.CS_ANOMALY]
        assert_valid_r4(anomaly)
        assert {c["code"]: c["display"] for c in anomaly["concept"]} == {**SIGNALS, **FIGURES}

    def test_the_capability_statement_lists_detected_issue(self) -> None:
        [entry] = [r for r in statement()["rest"][0]["resource"] if r["type"] == "DetectedIssue"]
        assert {i["code"] for i in entry["interaction"]} == {"read", "search-type"}
        assert {p["name"] for p in entry["searchParam"]} >= {"status", "code", "provider"}
