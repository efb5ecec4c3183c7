"""Rates the sources give: AMO Tadamon free in public facilities, CNSS ALD/ALC per condition."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.eligibility import EligibilityDecision, ItemDecision, RequestedItem
from domain.eligibility import EligibilityStatus as S
from domain.members import AldGrant, Member
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility, decide_items
from tests.unit.domain.builders import affiliation, facts, member, salarie

CARE = date(2025, 6, 16)
RENAL = AldGrant("ALD17", date(2004, 1, 1))  # insuffisance rénale chronique terminale
DIABETES = AldGrant("ALD09", date(2004, 1, 1))


def decided(ref: ReferenceData, record: Member, day: date = CARE) -> EligibilityDecision:
    """The decision for one record."""
    return decide_eligibility([facts(record)], day, ref)


def asked(decision: EligibilityDecision, ref: ReferenceData, **item: object) -> ItemDecision:
    """The answer for one requested item."""
    return decide_items(decision, [RequestedItem(**item)], ref)[0]  # type: ignore[arg-type]


def tadamon(*grants: AldGrant) -> Member:
    """An AMO Tadamon beneficiary, rights open."""
    return member(affiliation("AMO_TADAMON", date(2023, 1, 1)), ald=grants)


class TestTadamonPublicFacilities:
    """Loi 60-22; alhoukouma.gov.ma: AMO Tadamon's beneficiaries keep free treatment and
    hospitalisation in public health facilities (« مجانية التطبيب والاستشفاء بالمؤسسات الصحية
    العمومية »)."""

    def test_a_stay_in_a_public_hospital_is_free(self, ref: ReferenceData) -> None:
        stay = asked(
            decided(ref, tadamon()), ref, category="hospitalisation", situation="public-hospital"
        )
        assert (stay.rate, stay.base) == (Decimal("1.00"), "TNR")

    def test_tests_in_a_public_facility_are_free(self, ref: ReferenceData) -> None:
        lab = asked(
            decided(ref, tadamon()), ref, category="laboratory", situation="public-hospital"
        )
        assert lab.rate == Decimal("1.00")

    def test_a_private_clinic_stay_takes_the_standard_rate(self, ref: ReferenceData) -> None:
        stay = asked(decided(ref, tadamon()), ref, category="hospitalisation")
        assert stay.rate == Decimal("0.80")

    def test_ald_care_in_a_public_hospital_is_free_too(self, ref: ReferenceData) -> None:
        """The situation pays more than the condition's 98 %: it answers."""
        session = asked(
            decided(ref, tadamon(RENAL)),
            ref,
            category="dialysis",
            situation="public-hospital",
            ald_condition="ALD17",
        )
        assert (session.rate, session.ald_exempt) == (Decimal("1.00"), False)


class TestRatesPerCondition:
    """La Vie éco, « AMO : la CNSS élargit la liste des maladies bénéficiant de l'exonération
    totale »: CNSS pays 95 % to 99 % of heavy and costly conditions; end-stage renal failure
    went from 70 % to 98 % in 2008; transplants are covered in full."""

    def test_dialysis_for_end_stage_renal_failure_is_98_percent(self, ref: ReferenceData) -> None:
        session = asked(
            decided(ref, member(salarie(CARE), ald=(RENAL,))),
            ref,
            category="dialysis",
            ald_condition="ALD17",
        )
        assert (session.rate, session.base, session.ald_exempt) == (Decimal("0.98"), "TNR", True)
        assert session.reasons == ("exoneration-ald", "accord-prealable-requis")

    def test_it_was_70_percent_before_2008(self, ref: ReferenceData) -> None:
        day = date(2007, 5, 2)
        decision = decided(ref, member(salarie(day, start=date(2006, 1, 1)), ald=(RENAL,)), day)
        session = asked(decision, ref, category="dialysis", ald_condition="ALD17")
        assert session.rate == Decimal("0.70")

    def test_a_condition_without_its_own_rate_takes_the_category_rate(
        self, ref: ReferenceData
    ) -> None:
        drugs = asked(
            decided(ref, member(salarie(CARE), ald=(DIABETES,))),
            ref,
            category="pharmacy",
            ald_condition="ALD09",
        )
        assert drugs.rate == Decimal("1.00")

    def test_a_condition_the_member_lacks_takes_no_condition_rate(self, ref: ReferenceData) -> None:
        session = asked(
            decided(ref, member(salarie(CARE))), ref, category="dialysis", ald_condition="ALD17"
        )
        assert (session.rate, session.ald_exempt) == (Decimal("0.80"), False)

    def test_the_public_sector_sets_no_rate_per_condition(self, ref: ReferenceData) -> None:
        cnops = member(affiliation("AMO_PUBLIC"), ald=(RENAL,))
        session = asked(decided(ref, cnops), ref, category="dialysis", ald_condition="ALD17")
        assert session.rate == Decimal("1.00")

    def test_a_suspended_member_is_told_the_condition_rate(self, ref: ReferenceData) -> None:
        owing = member(salarie(CARE, suspended_from=date(2025, 1, 1)), ald=(RENAL,))
        decision = decided(ref, owing)
        assert decision.status is S.SUSPENDED
        dialysis = next(b for b in decision.benefits if b.category == "dialysis")
        assert (dialysis.rate, dialysis.ald_exempt) == (Decimal("0.98"), True)

    def test_several_conditions_are_told_the_lowest_rate(self, ref: ReferenceData) -> None:
        owing = member(salarie(CARE, suspended_from=date(2025, 1, 1)), ald=(DIABETES, RENAL))
        rates = {b.rate for b in decided(ref, owing).benefits}
        assert rates == {Decimal("0.98")}

    def test_a_suspended_member_without_a_condition_rate_keeps_the_row(
        self, ref: ReferenceData
    ) -> None:
        owing = member(salarie(CARE, suspended_from=date(2025, 1, 1)), ald=(DIABETES,))
        assert {b.rate for b in decided(ref, owing).benefits} == {Decimal("1.00")}
