"""The mapping of foreign care categories, and the ConceptMap that publishes it."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.reference import ReferenceData
from fhir_profiles import categories, r4, systems
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import reference_data

HL7 = "http://terminology.hl7.org/CodeSystem/ex-benefitcategory"
X12 = "https://codesystem.x12.org/005010/1365"
REF = reference_data()


@pytest.fixture(scope="module")
def real_ref() -> ReferenceData:
    return load_reference_files(DEFAULT_REFDATA_DIR)


def element(cm: dict[str, Any], system: str, code: str) -> dict[str, Any]:
    group = next(g for g in cm["group"] if g["source"] == system)
    return next(e for e in group["element"] if e["code"] == code)  # type: ignore[no-any-return]


class TestMapFile:
    def test_every_target_is_a_care_category_of_the_reference_data(
        self, real_ref: ReferenceData
    ) -> None:
        codes = {c.code for c in real_ref.care_categories}
        targets = {r.target for g in categories.groups() for r in g.rows}
        assert targets - {None, categories.PLAN} <= codes

    def test_each_source_code_is_mapped_once(self) -> None:
        for group in categories.groups():
            codes = [r.code for r in group.rows]
            assert len(codes) == len(set(codes)), group.system

    def test_every_group_says_where_its_codes_come_from(self) -> None:
        assert all(g.source for g in categories.groups())


class TestTarget:
    @pytest.mark.parametrize(
        ("system", "code", "target"),
        [
            (HL7, "3", "consultation"),
            (HL7, "35", "dental"),
            (HL7, "69", "maternity"),
            (X12, "88", "pharmacy"),
            (X12, "90", "pharmacy"),
            (HL7, "30", categories.PLAN),
            (HL7, "F3", "dental"),
        ],
    )
    def test_known_codes_map_to_our_category(self, system: str, code: str, target: str) -> None:
        assert categories.target(system, code) == target

    @pytest.mark.parametrize(
        ("system", "code"),
        [(HL7, "56"), (HL7, "999"), ("urn:x", "3"), (None, "3"), (HL7, None), (HL7, 3)],
    )
    def test_other_codes_map_to_none(self, system: Any, code: Any) -> None:
        assert categories.target(system, code) is None


class TestConceptMap:
    def test_is_valid_r4_and_targets_our_value_set(self, real_ref: ReferenceData) -> None:
        cm = categories.concept_map(real_ref)
        assert_valid_r4(cm)
        r4.parse(cm)
        assert cm["url"] == f"{systems.BASE}/ConceptMap/care-category"
        assert cm["targetCanonical"] == f"{systems.BASE}/ValueSet/care-category"
        assert {g["target"] for g in cm["group"]} == {systems.CS_CARE_CATEGORY}

    def test_publishes_every_row_of_the_file(self, real_ref: ReferenceData) -> None:
        cm = categories.concept_map(real_ref)
        published = {(g["source"], e["code"]) for g in cm["group"] for e in g["element"]}
        in_file = {(g.system, r.code) for g in categories.groups() for r in g.rows}
        assert published == in_file

    def test_a_mapped_code_names_the_category_with_its_label(self, real_ref: ReferenceData) -> None:
        target = element(categories.concept_map(real_ref), HL7, "2")["target"]
        assert target == [
            {"code": "hospitalisation", "display": "Hospitalisation", "equivalence": "wider"}
        ]

    def test_the_whole_plan_is_every_category(self, real_ref: ReferenceData) -> None:
        targets = element(categories.concept_map(real_ref), HL7, "30")["target"]
        assert [t["code"] for t in targets] == [c.code for c in real_ref.care_categories]
        assert {t["equivalence"] for t in targets} == {"specializes"}

    def test_a_code_without_counterpart_is_unmatched_with_its_reason(self) -> None:
        (target,) = element(categories.concept_map(REF), HL7, "56")["target"]
        assert target["equivalence"] == "unmatched" and "code" not in target
        assert target["comment"]

    def test_a_target_missing_from_the_reference_data_is_unmatched(self) -> None:
        (target,) = element(categories.concept_map(REF), HL7, "35")["target"]
        assert target["equivalence"] == "unmatched"
        assert "dental" in target["comment"]
        assert_valid_r4(categories.concept_map(REF))

    def test_narrower_maps_explain_themselves(self, real_ref: ReferenceData) -> None:
        cm = categories.concept_map(real_ref)
        narrower = [
            t
            for g in cm["group"]
            for e in g["element"]
            for t in e["target"]
            if t["equivalence"] in ("narrower", "inexact")
        ]
        assert narrower and all(t.get("comment") for t in narrower)
