"""CodeSystems, ValueSets, NamingSystems, StructureDefinitions and their catalogue."""

from __future__ import annotations

from typing import Any

import pytest

from domain.eligibility import EligibilityStatus
from domain.reasons import ALL_REASONS
from fhir_profiles import profiles, r4, systems, terminology
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import reference_data

REF = reference_data()
DEFINITIONS = terminology.definitions(REF)


def by_url(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in resources}


def codes(code_system: dict[str, Any]) -> list[str]:
    return [c["code"] for c in code_system.get("concept", [])]


class TestCodeSystems:
    def test_reason_holds_every_code_with_three_languages(self) -> None:
        reason = by_url(terminology.code_systems(REF))[systems.CS_REASON]
        assert codes(reason) == list(ALL_REASONS)
        first = reason["concept"][0]
        assert first["display"] == ALL_REASONS[first["code"]]
        assert [d["language"] for d in first["designation"]] == ["ar", "en"]

    def test_eligibility_status_holds_every_status(self) -> None:
        status = by_url(terminology.code_systems(REF))[systems.CS_ELIGIBILITY_STATUS]
        assert codes(status) == [s.value for s in EligibilityStatus]

    def test_reference_data_code_systems_follow_the_data(self) -> None:
        found = by_url(terminology.code_systems(REF))
        assert codes(found[systems.CS_SCHEME]) == ["AMO_SALARIES", "AMO_PUBLIC"]
        assert codes(found[systems.CS_PAYER]) == ["CNSS", "CNOPS"]
        assert codes(found[systems.CS_CARE_CATEGORY]) == list(REF.categories)
        assert codes(found[systems.CS_BENEFIT_TYPE]) == ["rate", "base", "ald-exemption"]
        assert found[systems.CS_ALD]["concept"][1]["property"] == [
            {"code": "kind", "valueCode": "ALC"}
        ]

    def test_category_labels_fall_back_to_our_french_table(self) -> None:
        found = by_url(terminology.code_systems(reference_data(labelled_categories=False)))
        concept = found[systems.CS_CARE_CATEGORY]["concept"][1]
        assert concept == {"code": "pharmacy", "display": "Médicaments"}

    def test_empty_reference_data_publishes_no_empty_array(self) -> None:
        from domain.reference import ReferenceData

        for cs in terminology.code_systems(ReferenceData(version="empty")):
            assert_valid_r4(cs)
            assert cs["count"] == len(cs.get("concept", []))


class TestValueSets:
    def test_one_per_code_system_including_all_its_codes(self) -> None:
        code_systems = terminology.code_systems(REF)
        value_sets = terminology.value_sets(code_systems)
        assert [vs["compose"]["include"] for vs in value_sets] == [
            [{"system": cs["url"]}] for cs in code_systems
        ]
        assert all(
            cs["valueSet"] == vs["url"] for cs, vs in zip(code_systems, value_sets, strict=True)
        )


class TestNamingSystems:
    def test_every_identifier_system_is_described(self) -> None:
        unique = {ns["uniqueId"][0]["value"] for ns in terminology.naming_systems()}
        assert unique == {
            systems.IDCS,
            systems.CNSS,
            systems.CNOPS,
            systems.CIN,
            systems.INPE,
            systems.PAYER_ID,
        }


class TestStructureDefinitions:
    def test_urls_are_the_ones_the_resources_claim(self) -> None:
        urls = [sd["url"] for sd in profiles.structure_definitions()]
        assert urls == [
            systems.SD_ELIGIBILITY_REQUEST,
            systems.SD_ELIGIBILITY_RESPONSE,
            systems.EXT_ELIGIBILITY_STATUS,
            systems.EXT_TIERS_PAYANT,
        ]

    def test_the_refusal_extension_is_a_reason_code_on_the_response(self) -> None:
        refusal = profiles.structure_definitions()[3]
        assert refusal["context"] == [
            {"type": "element", "expression": "CoverageEligibilityResponse"}
        ]
        value = refusal["differential"]["element"][-1]
        assert value["binding"]["valueSet"].endswith("/ValueSet/reason")

    def test_profiles_are_differential_constraints(self) -> None:
        for sd in profiles.structure_definitions():
            assert sd["derivation"] == "constraint" and "snapshot" not in sd
            assert sd["differential"]["element"]

    def test_request_profile_requires_one_of_our_identifiers(self) -> None:
        request = profiles.structure_definitions()[0]
        invariant = request["differential"]["element"][0]["constraint"][0]
        assert invariant["key"] == "amo-1" and systems.IDCS in invariant["expression"]


class TestDefinitions:
    def test_keyed_by_type_and_id(self) -> None:
        assert ("CodeSystem", "reason") in DEFINITIONS
        assert ("ValueSet", "care-category") in DEFINITIONS
        assert ("NamingSystem", "idcs") in DEFINITIONS
        assert ("StructureDefinition", "eligibility-status") in DEFINITIONS
        assert ("ConceptMap", "care-category") in DEFINITIONS
        assert all(
            r["id"] == rid and r["resourceType"] == kind for (kind, rid), r in DEFINITIONS.items()
        )

    @pytest.mark.parametrize("key", sorted(DEFINITIONS))
    def test_each_is_valid_r4(self, key: tuple[str, str]) -> None:
        assert_valid_r4(DEFINITIONS[key])
        r4.parse(DEFINITIONS[key])

    def test_canonical_urls_are_ours_and_unique(self) -> None:
        urls = [r["url"] for r in DEFINITIONS.values() if "url" in r]
        assert len(urls) == len(set(urls)) and all(u.startswith(systems.BASE) for u in urls)


class TestDefinitionsBundle:
    def test_lists_resources_of_one_type(self) -> None:
        chosen = [r for (kind, _), r in DEFINITIONS.items() if kind == "ValueSet"]
        bundle = terminology.definitions_bundle(chosen, "https://gw.example/fhir")
        assert_valid_r4(bundle)
        assert bundle["total"] == len(chosen)
        assert bundle["link"][0]["url"] == "https://gw.example/fhir/ValueSet"
        assert bundle["entry"][0]["fullUrl"].startswith("https://gw.example/fhir/ValueSet/")

    def test_an_empty_list_is_a_valid_bundle(self) -> None:
        bundle = terminology.definitions_bundle([], "https://gw.example/fhir", "CodeSystem")
        assert_valid_r4(bundle)
        assert bundle["total"] == 0 and "entry" not in bundle
