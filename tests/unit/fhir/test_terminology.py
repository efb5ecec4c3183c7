"""CodeSystems, ValueSets, NamingSystems, StructureDefinitions and their catalogue."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.eligibility import EligibilityStatus
from domain.reasons import ALL_REASONS
from fhir_profiles import claim_profiles, labels, profiles, r4, systems, terminology
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import reference_data
from tests.unit.fhir.claims import claim_reference_data

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
            systems.COMPLEMENTARY,
            systems.END_TO_END_ID,
        }

    def test_the_complementary_organisations_are_published(self) -> None:
        shipped = load_reference_files(DEFAULT_REFDATA_DIR)
        found = {cs["id"]: cs for cs in terminology.code_systems(shipped)}["complementary"]
        codes = {c["code"] for c in found["concept"]}
        assert {"MGPAP", "OMFAM", "MGEN", "MODEP", "PTT", "DOUANES", "POLICE", "MFA"} <= codes


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


class TestPriorAuthorizationTerminology:
    ref = claim_reference_data()

    def test_pa_type_follows_the_reference_data(self) -> None:
        found = by_url(terminology.code_systems(self.ref))[systems.CS_PA_TYPE]
        assert codes(found) == [t.code for t in self.ref.pa_types]
        assert found["concept"][0] == {"code": "costly-drug", "display": "Médicament coûteux"}

    def test_specialty_holds_ours_and_every_one_the_catalog_names(self) -> None:
        ref = replace(
            self.ref, drugs=(replace(self.ref.drugs[0], specialties="oncologie algologie"),)
        )
        found = by_url(terminology.code_systems(ref))[systems.CS_SPECIALTY]
        assert set(codes(found)) == {*labels.SPECIALTY_LABELS, "algologie"}
        assert {"code": "algologie", "display": "algologie"} in found["concept"]

    def test_the_catalog_specialties_are_all_ours(self) -> None:
        from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files

        named = {
            s
            for d in load_reference_files(DEFAULT_REFDATA_DIR).drugs
            for s in (d.specialties or "").split()
        }
        assert named <= set(labels.SPECIALTY_LABELS)

    def test_the_new_reasons_are_published(self) -> None:
        reason = by_url(terminology.code_systems(self.ref))[systems.CS_REASON]
        assert {"code-hors-nomenclature", "usage-non-pris-en-charge"} <= set(codes(reason))

    def test_profiles_and_extensions_are_published(self) -> None:
        published = terminology.definitions(self.ref)
        for rid in (
            "amo-claim-preauthorization", "amo-claimresponse-preauthorization",
            "decision-deadline", "decision-overdue", "provisional-authorization", "hold-until",
        ):  # fmt: skip
            assert ("StructureDefinition", rid) in published
        assert ("CodeSystem", "pa-type") in published and ("ValueSet", "specialty") in published

    def test_the_response_profile_slices_our_three_extensions(self) -> None:
        response = by_url(claim_profiles.structure_definitions())[systems.SD_CLAIM_RESPONSE]
        slices = [e for e in response["differential"]["element"] if "sliceName" in e]
        assert [s["type"][0]["profile"][0] for s in slices] == [
            systems.EXT_DECISION_DEADLINE,
            systems.EXT_DECISION_OVERDUE,
            systems.EXT_PROVISIONAL,
        ]

    @pytest.mark.parametrize(
        ("url", "kind"),
        [
            (systems.EXT_DECISION_DEADLINE, "dateTime"),
            (systems.EXT_DECISION_OVERDUE, "boolean"),
            (systems.EXT_PROVISIONAL, "boolean"),
            (systems.EXT_HOLD_UNTIL, "dateTime"),
        ],
    )
    def test_each_extension_is_one_value_on_the_claim_response(self, url: str, kind: str) -> None:
        sd = by_url(claim_profiles.structure_definitions())[url]
        assert sd["context"] == [{"type": "element", "expression": "ClaimResponse"}]
        value = sd["differential"]["element"][-1]
        assert (value["path"], value["type"]) == ("Extension.value[x]", [{"code": kind}])

    def test_the_claim_profile_requires_one_of_our_identifiers(self) -> None:
        claim = by_url(claim_profiles.structure_definitions())[systems.SD_CLAIM]
        assert claim["differential"]["element"][0]["constraint"][0]["key"] == "amo-1"
