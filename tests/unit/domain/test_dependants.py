"""Dependants: spouse, children under 21, students under 26, disabled without limit."""

from __future__ import annotations

from datetime import date

from domain.eligibility import EligibilityStatus as S
from domain.members import DependantFacts, Role
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility
from tests.unit.domain.builders import affiliation, child_of, facts, member, newcomer, salarie

CARE = date(2025, 6, 16)


class TestDependants:
    def test_spouse_follows_the_insured_without_age_limit(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        spouse = child_of(ins, birth=date(1940, 1, 1), role=Role.SPOUSE)
        decision = decide_eligibility([facts(spouse, ins)], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.role is Role.SPOUSE
        assert decision.payer == "CNSS"

    def test_child_is_covered_through_the_year_of_age_21(self, ref: ReferenceData) -> None:
        """cnss.ma « Qui peut en bénéficier ? » : « Les enfants à charge âgés de 21 ans au
        plus ». A child of 21 is covered until the day before the 22nd birthday."""
        ins = member(salarie(CARE), member_id="INS")
        child = child_of(ins, birth=date(2003, 6, 17))
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.coverage_end == CARE

    def test_child_stops_qualifying_on_the_22nd_birthday(self, ref: ReferenceData) -> None:
        """« âgés de 21 ans au plus » : from the 22nd birthday the child no longer qualifies,
        and the rights are only maintained."""
        ins = member(salarie(CARE), member_id="INS")
        child = child_of(ins, birth=date(2003, 6, 16))
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.status is S.MAINTAINED
        assert decision.reasons == ("droits-maintenus", "ayant-droit-age-limite")

    def test_unmarried_student_is_covered_until_26(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        studying = DependantFacts(student_until=date(2027, 6, 30))
        child = child_of(ins, birth=date(2001, 9, 1), dependant=studying)
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.status is S.OPEN
        assert "ayant-droit-etudiant" in decision.reasons
        assert decision.coverage_end == date(2027, 6, 30)  # studies end before the 26th birthday

    def test_married_student_is_past_the_limit(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        studying = DependantFacts(student_until=date(2027, 6, 30), married=True)
        child = child_of(ins, birth=date(2001, 9, 1), dependant=studying)
        assert decide_eligibility([facts(child, ins)], CARE, ref).status is S.NOT_FOUND

    def test_student_is_covered_through_the_year_of_age_26(self, ref: ReferenceData) -> None:
        """cnss.ma : « Les enfants à charge non mariés âgés de 26 ans au plus et poursuivant des
        études supérieures »: covered until the day before the 27th birthday."""
        ins = member(salarie(CARE), member_id="INS")
        studying = DependantFacts(student_until=date(2027, 6, 30))
        child = child_of(ins, birth=date(1998, 6, 17), dependant=studying)
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.coverage_end == CARE

    def test_student_stops_qualifying_on_the_27th_birthday(self, ref: ReferenceData) -> None:
        """« 26 ans au plus » : from the 27th birthday the student no longer qualifies."""
        ins = member(salarie(CARE), member_id="INS")
        studying = DependantFacts(student_until=date(2027, 6, 30))
        child = child_of(ins, birth=date(1998, 6, 16), dependant=studying)
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.status is S.MAINTAINED
        assert decision.reasons == ("droits-maintenus", "ayant-droit-age-limite")

    def test_studies_ended_past_22_is_past_the_limit(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        graduated = DependantFacts(student_until=date(2025, 6, 15))
        child = child_of(ins, birth=date(2001, 9, 1), dependant=graduated)
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.status is S.MAINTAINED
        assert decision.coverage_end == date(2025, 12, 15)

    def test_studies_ended_before_22_leave_the_child_limit(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        graduated = DependantFacts(student_until=date(2024, 6, 30))
        child = child_of(ins, birth=date(2004, 1, 1), dependant=graduated)
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.coverage_end == date(2025, 12, 31)

    def test_disabled_child_has_no_age_limit(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        child = child_of(ins, birth=date(1975, 1, 1), dependant=DependantFacts(disabled=True))
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.status is S.OPEN
        assert "ayant-droit-handicape" in decision.reasons

    def test_rights_follow_the_insured_waiting_period(self, ref: ReferenceData) -> None:
        ins = member(newcomer(CARE), member_id="INS")
        child = child_of(ins, birth=date(2015, 1, 1))
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.status is S.WAITING_PERIOD
        assert decision.reasons[0] == "assure-principal-sans-droits"

    def test_rights_follow_the_insured_maintenance(self, ref: ReferenceData) -> None:
        ins = member(salarie(date(2025, 4, 30), end=date(2025, 5, 1)), member_id="INS")
        child = child_of(ins, birth=date(2015, 1, 1))
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.status is S.MAINTAINED
        assert decision.coverage_end == date(2025, 10, 31)

    def test_missing_insured_record_is_not_found(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        child = child_of(ins, birth=date(2015, 1, 1))
        decision = decide_eligibility([facts(child)], CARE, ref)
        assert decision.status is S.NOT_FOUND
        assert decision.reasons[0] == "assure-principal-sans-droits"

    def test_insured_in_another_scheme_does_not_cover(self, ref: ReferenceData) -> None:
        ins = member(affiliation("AMO_PUBLIC"), member_id="INS")
        child = child_of(ins, birth=date(2015, 1, 1))
        assert decide_eligibility([facts(child, ins)], CARE, ref).status is S.NOT_FOUND

    def test_child_of_two_insured_parents_takes_the_open_one(self, ref: ReferenceData) -> None:
        father = member(newcomer(CARE), member_id="F")
        mother = member(affiliation("AMO_PUBLIC"), member_id="M")
        links = (
            child_of(father, birth=date(2015, 1, 1)).affiliations[0],
            child_of(mother, birth=date(2015, 1, 1), scheme="AMO_PUBLIC").affiliations[0],
        )
        child = member(*links, member_id="C", birth=date(2015, 1, 1))
        decision = decide_eligibility([facts(child, father, mother)], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.scheme == "AMO_PUBLIC"

    def test_own_right_affiliation_wins_over_a_spouse_link(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        link = child_of(ins, birth=date(1985, 1, 1), role=Role.SPOUSE).affiliations[0]
        spouse = member(link, affiliation("AMO_PUBLIC"), member_id="SP")
        decision = decide_eligibility([facts(spouse, ins)], CARE, ref)
        assert decision.role is Role.INSURED
        assert decision.scheme == "AMO_PUBLIC"
