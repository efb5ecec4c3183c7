"""Searchset Bundles."""

from __future__ import annotations

from fhir_profiles import r4
from fhir_profiles.bundle import searchset
from tests.fhir_schema import assert_valid_r4

BASE = "https://gw.example/fhir"


def response(rid: str) -> dict[str, object]:
    return {
        "resourceType": "CoverageEligibilityResponse",
        "id": rid,
        "status": "active",
        "purpose": ["validation"],
        "patient": {"reference": "Patient/1"},
        "created": "2026-03-02",
        "request": {"reference": "CoverageEligibilityRequest/q"},
        "outcome": "complete",
        "insurer": {"display": "CNSS"},
    }


class TestSearchset:
    def test_entries_are_matches_with_full_urls(self) -> None:
        bundle = searchset(
            [response("a"), response("b")], 5, f"{BASE}/x?p=1", f"{BASE}/x?p=2", BASE + "/"
        )
        assert_valid_r4(bundle)
        r4.parse(bundle)
        assert bundle["total"] == 5
        assert [e["fullUrl"] for e in bundle["entry"]] == [
            f"{BASE}/CoverageEligibilityResponse/a",
            f"{BASE}/CoverageEligibilityResponse/b",
        ]
        assert {e["search"]["mode"] for e in bundle["entry"]} == {"match"}
        assert [link["relation"] for link in bundle["link"]] == ["self", "next"]

    def test_last_page_has_no_next_link_and_empty_has_no_entry(self) -> None:
        bundle = searchset([], 0, f"{BASE}/x", None, BASE)
        assert_valid_r4(bundle)
        assert [link["relation"] for link in bundle["link"]] == ["self"]
        assert "entry" not in bundle
