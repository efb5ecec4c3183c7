"""Benefits and item answers: rates by scheme, situation and ALD; prior authorization."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.eligibility import EligibilityDecision, ItemDecision, RequestedItem
from domain.eligibility import EligibilityStatus as S
from domain.members import AldGrant
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility, decide_items
from tests.unit.domain.builders import affiliation, child_of, facts, member, newcomer, salarie

CARE = date(2025, 6, 16)
DIABETES = AldGrant("ALD09", date(2024, 1, 1))


def open_salarie(ref: ReferenceData, day: date = CARE, **kw: Any) -> EligibilityDecision:
    """The decision for an open CNSS salarié."""
    return decide_eligibility([facts(member(salarie(day), **kw))], day, ref)


def one(decision: EligibilityDecision, ref: ReferenceData, **item: Any) -> ItemDecision:
    """The answer for a single requested item."""
    return decide_items(decision, [RequestedItem(**item)], ref)[0]


class TestBenefits:
    def test_one_benefit_per_category_in_display_order(self, ref: ReferenceData) -> None:
        decision = open_salarie(ref)
        categories = [b.category for b in decision.benefits]
        assert categories == [c for c in ref.categories if c in categories]
        assert len(categories) == len(ref.categories)

    def test_cnss_general_rate_is_80_percent_of_tnr_since_2020(self, ref: ReferenceData) -> None:
        consultation = next(b for b in open_salarie(ref).benefits if b.category == "consultation")
        assert (consultation.rate, consultation.base) == (Decimal("0.80"), "TNR")

    def test_cnss_general_rate_was_70_percent_in_2019(self, ref: ReferenceData) -> None:
        decision = open_salarie(ref, date(2019, 6, 3))
        consultation = next(b for b in decision.benefits if b.category == "consultation")
        assert consultation.rate == Decimal("0.70")

    def test_costly_drugs_default_to_the_costly_rate(self, ref: ReferenceData) -> None:
        costly = next(b for b in open_salarie(ref).benefits if b.category == "costly-drug")
        assert (costly.rate, costly.situation) == (Decimal("0.98"), "costly")

    def test_cnops_hospitalisation_is_90_percent(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(member(affiliation("AMO_PUBLIC")))], CARE, ref)
        stay = next(b for b in decision.benefits if b.category == "hospitalisation")
        assert stay.rate == Decimal("0.90")

    def test_waiting_member_has_no_benefits(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(member(newcomer(CARE)))], CARE, ref)
        assert decision.status is S.WAITING_PERIOD
        assert decision.benefits == ()

    def test_expired_ald_grant_is_not_listed(self, ref: ReferenceData) -> None:
        old = AldGrant("ALD09", date(2020, 1, 1), date(2024, 12, 31))
        assert open_salarie(ref, ald=(old,)).ald_conditions == ()

    def test_unknown_ald_code_is_not_listed(self, ref: ReferenceData) -> None:
        assert open_salarie(ref, ald=(AldGrant("ALD99", date(2024, 1, 1)),)).ald_conditions == ()


class TestDecideItems:
    def test_consultation_is_covered_at_the_general_rate(self, ref: ReferenceData) -> None:
        answer = one(open_salarie(ref), ref, category="consultation", code="C")
        assert answer.covered and answer.rate == Decimal("0.80") and answer.base == "TNR"
        assert not answer.needs_prior_authorization

    def test_public_hospital_situation_takes_its_rate(self, ref: ReferenceData) -> None:
        answer = one(
            open_salarie(ref), ref, category="hospitalisation", situation="public-hospital"
        )
        assert answer.rate == Decimal("0.90")

    def test_generic_drug_is_90_percent_of_its_ppv(self, ref: ReferenceData) -> None:
        answer = one(open_salarie(ref), ref, category="pharmacy", situation="generic")
        assert (answer.rate, answer.base) == (Decimal("0.90"), "PPV")

    def test_unknown_situation_falls_back_to_standard(self, ref: ReferenceData) -> None:
        answer = one(open_salarie(ref), ref, category="laboratory", situation="public-hospital")
        assert answer.rate == Decimal("0.80")

    def test_care_linked_to_an_active_ald_is_exempt(self, ref: ReferenceData) -> None:
        decision = open_salarie(ref, ald=(DIABETES,))
        answer = one(decision, ref, category="pharmacy", ald_condition="ALD09")
        assert answer.rate == Decimal("1.00") and answer.ald_exempt
        assert answer.reasons == ("exoneration-ald",)

    def test_care_linked_to_an_ald_the_member_lacks_is_not_exempt(self, ref: ReferenceData) -> None:
        answer = one(open_salarie(ref), ref, category="pharmacy", ald_condition="ALD09")
        assert answer.rate == Decimal("0.70") and not answer.ald_exempt

    def test_suspended_member_keeps_ald_linked_care(self, ref: ReferenceData) -> None:
        owing = salarie(CARE, suspended_from=date(2025, 1, 1))
        decision = decide_eligibility([facts(member(owing, ald=(DIABETES,)))], CARE, ref)
        answer = one(decision, ref, category="consultation", ald_condition="ALD09")
        assert answer.covered and answer.ald_exempt
        assert answer.reasons == ("suspension-sauf-ald", "exoneration-ald")

    def test_suspended_member_loses_other_care(self, ref: ReferenceData) -> None:
        owing = salarie(CARE, suspended_from=date(2025, 1, 1))
        decision = decide_eligibility([facts(member(owing, ald=(DIABETES,)))], CARE, ref)
        answer = one(decision, ref, category="consultation")
        assert not answer.covered and answer.rate == 0
        assert answer.reasons == ("cotisations-impayees",)

    def test_member_not_in_force_has_nothing_covered(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([], CARE, ref)
        answer = one(decision, ref, category="consultation")
        assert not answer.covered and answer.base is None
        assert answer.reasons == ("membre-introuvable",)

    def test_category_without_a_rate_is_not_covered(self, ref: ReferenceData) -> None:
        answer = one(open_salarie(ref), ref, category="cosmetic-surgery")
        assert not answer.covered
        assert answer.reasons == ("categorie-non-couverte",)

    def test_hospitalisation_needs_a_prior_authorization(self, ref: ReferenceData) -> None:
        answer = one(open_salarie(ref), ref, category="hospitalisation")
        assert answer.needs_prior_authorization
        assert "accord-prealable-requis" in answer.reasons

    def test_a_listed_drug_code_needs_a_prior_authorization(self, ref: ReferenceData) -> None:
        listed = one(open_salarie(ref), ref, category="pharmacy", code="6118000041214")
        other = one(open_salarie(ref), ref, category="pharmacy", code="6118000000000")
        assert listed.needs_prior_authorization
        assert not other.needs_prior_authorization

    def test_items_keep_their_order(self, ref: ReferenceData) -> None:
        items = [RequestedItem("consultation", sequence=1), RequestedItem("optics", sequence=2)]
        answers = decide_items(open_salarie(ref), items, ref)
        assert [a.item.sequence for a in answers] == [1, 2]


class TestItemEdges:
    def test_an_item_not_covered_keeps_its_request_and_its_authorization(
        self, ref: ReferenceData
    ) -> None:
        owing = salarie(CARE, suspended_from=date(2025, 1, 1))
        decision = decide_eligibility([facts(member(owing))], CARE, ref)
        item = RequestedItem("hospitalisation", sequence=3)
        (answer,) = decide_items(decision, [item], ref)
        assert answer.item is item and answer.covered is False and answer.ald_exempt is False
        assert answer.needs_prior_authorization is True

    def test_a_covered_item_needs_no_reason(self, ref: ReferenceData) -> None:
        assert one(open_salarie(ref), ref, category="consultation").reasons == ()

    def test_a_scheme_s_own_authorization_rule_applies(self, ref: ReferenceData) -> None:
        public = decide_eligibility([facts(member(affiliation("AMO_PUBLIC")))], CARE, ref)
        assert one(
            open_salarie(ref), ref, category="laboratory", code="B1200"
        ).needs_prior_authorization
        assert not one(public, ref, category="laboratory", code="B1200").needs_prior_authorization

    def test_an_answer_not_in_force_gives_its_first_reason(self, ref: ReferenceData) -> None:
        gone = decide_eligibility([facts(member(salarie(CARE, end=date(2024, 1, 1))))], CARE, ref)
        assert len(gone.reasons) == 1
        ins = member(salarie(CARE), member_id="INS")
        child = member(
            *child_of(ins, birth=date(2003, 6, 16)).affiliations,
            member_id="C", birth=date(2003, 6, 16),
        )  # fmt: skip
        expired = decide_eligibility([facts(child, ins)], date(2025, 12, 16), ref)
        assert len(expired.reasons) == 2
        assert one(expired, ref, category="consultation").reasons == ("ayant-droit-age-limite",)

    def test_an_ald_rate_equal_to_the_situation_s_is_the_ald_s(self, ref: ReferenceData) -> None:
        """AMO Tadamon, diabetes, a public hospital: 100 % either way; the exemption is said."""
        tadamon = member(affiliation("AMO_TADAMON", date(2023, 1, 1)), ald=(DIABETES,))
        decision = decide_eligibility([facts(tadamon)], CARE, ref)
        stay = one(
            decision, ref, category="hospitalisation", situation="public-hospital",
            ald_condition="ALD09",
        )  # fmt: skip
        assert (stay.rate, stay.ald_exempt) == (Decimal("1.00"), True)
