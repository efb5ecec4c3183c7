"""Items in foreign category systems: mapped to ours, or answered with the general benefits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.errors import UnknownCode
from fhir_profiles import eligibility_in, eligibility_out, r4, systems
from fhir_profiles.eligibility_in import EligibilityRequestIn
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import TODAY, bare_request, category, outcome_for, reference_data

REF = reference_data()  # categories in force: consultation, pharmacy, hospitalisation, laboratory
HL7 = "http://terminology.hl7.org/CodeSystem/ex-benefitcategory"
X12 = "https://codesystem.x12.org/005010/1365"
WARNING = "Catégorie de soins non reconnue : prestations générales du régime"


def concept(system: str, code: str, **more: Any) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}], **more}


def parse(*items: dict[str, Any], purpose: list[str] | None = None) -> EligibilityRequestIn:
    body = bare_request(item=list(items), purpose=purpose or ["validation", "benefits"])
    return eligibility_in.to_domain(body, ref=REF, today=TODAY)


def respond(parsed: EligibilityRequestIn) -> dict[str, Any]:
    response = eligibility_out.from_domain(
        parsed,
        outcome_for(parsed.command.items),
        response_id="resp-1",
        request_id="req-1",
        created=datetime(2026, 3, 2, 8, 30, tzinfo=UTC),
        requestor_inpe="123456789",
    )
    assert_valid_r4(response)
    r4.parse(response)
    return response


def items_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    return response["insurance"][0].get("item", [])  # type: ignore[no-any-return]


class TestMappedCategory:
    def test_a_known_foreign_code_is_decided_for_our_category(self) -> None:
        parsed = parse({"category": concept(HL7, "3")}, {"category": concept(X12, "88")})
        assert [(i.sequence, i.category) for i in parsed.command.items] == [
            (1, "consultation"),
            (2, "pharmacy"),
        ]
        assert parsed.general_items == ()

    def test_the_echo_puts_ours_first_and_keeps_the_client_s(self) -> None:
        echo = parse({"category": concept(HL7, "3", text="Consultation")}).items[0].category
        assert echo == {
            "coding": [
                {"system": systems.CS_CARE_CATEGORY, "code": "consultation",
                 "display": "Libellé consultation"},
                {"system": HL7, "code": "3"},
            ],
            "text": "Consultation",
        }  # fmt: skip

    def test_the_first_mapped_coding_wins(self) -> None:
        both = {"coding": [{"system": "urn:x", "code": "a"}, {"system": HL7, "code": "5"}]}
        assert parse({"category": both}).command.items[0].category == "laboratory"

    def test_our_category_wins_over_a_foreign_one(self) -> None:
        mixed = {"coding": [{"system": HL7, "code": "5"}, *category("pharmacy")["coding"]]}
        assert parse({"category": mixed}).command.items[0].category == "pharmacy"

    def test_an_unknown_code_of_our_own_system_is_still_refused(self) -> None:
        with pytest.raises(UnknownCode):
            parse({"category": category("massage")})

    def test_the_answer_names_our_category_and_the_client_s(self) -> None:
        response = respond(parse({"category": concept(HL7, "3")}))
        asked = items_of(response)[-1]
        assert [c["code"] for c in asked["category"]["coding"]] == ["consultation", "3"]
        assert "benefit" in asked and WARNING not in response["disposition"]


class TestUnmappedCategory:
    @pytest.mark.parametrize(
        "item",
        [
            {"category": concept("http://x", "69")},
            {"category": concept(HL7, "56")},  # known, without an AMO counterpart
            {"category": concept(HL7, "35")},  # dental: not in force in this dataset
            {"productOrService": concept("http://snomed.info/sct", "10849003")},
        ],
    )
    def test_is_answered_in_general_never_refused(self, item: dict[str, Any]) -> None:
        parsed = parse(item)
        assert parsed.command.items == ()
        (general,) = parsed.general_items
        assert (general.sequence, general.recognised) == (1, False)

    def test_the_answer_lists_the_general_benefits_and_warns(self) -> None:
        response = respond(
            parse({"category": concept("http://x", "69")}, purpose=["auth-requirements"])
        )
        items = items_of(response)
        general = [
            i for i in items if i["category"]["coding"][0]["system"] == systems.CS_CARE_CATEGORY
        ]
        assert [i["category"]["coding"][0]["code"] for i in general] == ["consultation", "pharmacy"]
        assert all("benefit" in i for i in general)
        assert response["disposition"].endswith(f" ; {WARNING}")
        assert response["outcome"] == "complete"

    def test_the_item_is_repeated_as_written_with_the_warning(self) -> None:
        item = items_of(respond(parse({"category": concept("http://x", "69")})))[-1]
        assert item == {"category": concept("http://x", "69"), "description": WARNING}

    def test_a_product_alone_is_repeated_as_product(self) -> None:
        product = concept("http://snomed.info/sct", "10849003")
        item = items_of(respond(parse({"productOrService": product})))[-1]
        assert item == {"productOrService": product, "description": WARNING}

    def test_an_item_with_neither_is_only_told_in_the_disposition(self) -> None:
        response = respond(parse({"quantity": {"value": 1}}))
        assert all("description" not in i for i in items_of(response))
        assert response["disposition"].endswith(WARNING)

    def test_answers_keep_the_order_written(self) -> None:
        parsed = parse({"category": concept("http://x", "1")}, {"category": concept(HL7, "3")})
        asked = items_of(respond(parsed))[2:]
        assert [i["category"]["coding"][0]["code"] for i in asked] == ["1", "consultation"]

    def test_validation_alone_still_warns_but_lists_nothing(self) -> None:
        response = respond(parse({"category": concept("http://x", "69")}, purpose=["validation"]))
        assert "item" not in response["insurance"][0]
        assert response["disposition"].endswith(WARNING)


class TestWholePlan:
    def test_health_benefit_plan_coverage_asks_the_general_benefits_without_warning(
        self,
    ) -> None:
        parsed = parse({"category": concept(HL7, "30")}, purpose=["auth-requirements"])
        (general,) = parsed.general_items
        assert general.recognised
        response = respond(parsed)
        assert [i["category"]["coding"][0]["code"] for i in items_of(response)] == [
            "consultation",
            "pharmacy",
        ]
        assert WARNING not in response["disposition"]
