"""Maintained rights for whoever stops qualifying, insured or dependant, and ALD care kept.

FAQ CNSS (cnss.ma/fr/faq-page/45): « Les personnes qui cessent de remplir les conditions pour
relever, soit en qualité d'assuré, soit en qualité d'ayants droit, d'un régime d'AMO de base
bénéficient ... du maintien de leurs droits ... pendant une période maximum de 6 mois », ended
early when the person comes under another AMO scheme or the assistance scheme.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from domain.eligibility import EligibilityStatus as S
from domain.members import Affiliation, DependantFacts, Member, Role
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility
from tests.unit.domain.builders import affiliation, child_of, facts, member, newcomer, salarie

LOST = date(2025, 2, 1)  # the job ends: the first day without the affiliation
LAST_MAINTAINED = date(2025, 7, 31)  # the last day of the 6th maintained month
EXPIRED = date(2025, 8, 1)


def lost_job(end: date = LOST, **changes: object) -> Affiliation:
    """A salarié of long standing whose job ended on `end`."""
    return salarie(end, end=end, **changes)


def dependant(insured: Member, link: Affiliation, birth: date, **facts_: object) -> Member:
    """A dependant of `insured` through `link`, with these dependant facts."""
    extra = DependantFacts(**facts_) if facts_ else None  # type: ignore[arg-type]
    return member(link, member_id=f"{insured.member_id}-D", birth=birth, dependant=extra)


class TestInsuredMaintenance:
    def test_rights_are_kept_to_the_last_day_of_the_6th_month(self, ref: ReferenceData) -> None:
        """« pendant une période maximum de 6 mois » : lost on 1 February, kept through 31 July."""
        decision = decide_eligibility([facts(member(lost_job()))], LAST_MAINTAINED, ref)
        assert decision.status is S.MAINTAINED
        assert decision.reasons == ("droits-maintenus",)
        assert decision.coverage_end == LAST_MAINTAINED

    def test_rights_expire_the_day_after(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(member(lost_job()))], EXPIRED, ref)
        assert decision.status is S.NOT_FOUND
        assert decision.reasons == ("droits-expires",)
        assert decision.benefits == ()

    def test_a_stage_not_served_leaves_nothing_to_keep(self, ref: ReferenceData) -> None:
        lost = newcomer(date(2025, 1, 31), end=LOST)
        decision = decide_eligibility([facts(member(lost))], LOST, ref)
        assert decision.status is S.NOT_FOUND
        assert decision.reasons == ("droits-expires",)

    def test_another_scheme_ends_the_maintenance_the_day_before(self, ref: ReferenceData) -> None:
        """« ended early when covered under another AMO scheme »: a TNS affiliation from 1 April."""
        tns = affiliation("AMO_TNS", date(2025, 4, 1), first_payment=date(2025, 4, 1))
        decision = decide_eligibility([facts(member(lost_job(), tns))], date(2025, 3, 31), ref)
        assert decision.status is S.MAINTAINED
        assert decision.coverage_end == date(2025, 3, 31)

    def test_from_then_the_new_scheme_answers(self, ref: ReferenceData) -> None:
        tns = affiliation("AMO_TNS", date(2025, 4, 1), first_payment=date(2025, 4, 1))
        decision = decide_eligibility([facts(member(lost_job(), tns))], date(2025, 4, 1), ref)
        assert (decision.status, decision.scheme) == (S.WAITING_PERIOD, "AMO_TNS")

    def test_the_other_scheme_may_be_in_another_registry(self, ref: ReferenceData) -> None:
        cnss = member(lost_job(), member_id="CNSS-1")
        cnops = member(affiliation("AMO_PUBLIC", date(2025, 5, 2)), member_id="CNOPS-1")
        decision = decide_eligibility([facts(cnss), facts(cnops)], date(2025, 5, 1), ref)
        assert decision.status is S.MAINTAINED
        assert decision.coverage_end == date(2025, 5, 1)

    def test_an_ended_other_affiliation_does_not_end_it(self, ref: ReferenceData) -> None:
        before = affiliation("AMO_PUBLIC", date(2010, 1, 1), end=date(2015, 1, 1))
        decision = decide_eligibility([facts(member(before, lost_job()))], LAST_MAINTAINED, ref)
        assert decision.status is S.MAINTAINED

    def test_a_link_as_spouse_ends_it_and_covers(self, ref: ReferenceData) -> None:
        """A spouse who loses the job comes under the insured spouse's cover: the maintenance
        ends, the link answers."""
        wife = member(salarie(date(2025, 3, 1)), member_id="W")
        link = Affiliation("AMO_SALARIES", Role.SPOUSE, date(2010, 1, 1), insured_id="W")
        husband = member(lost_job(), link, member_id="H")
        decision = decide_eligibility([facts(husband, wife)], date(2025, 3, 1), ref)
        assert (decision.status, decision.role) == (S.OPEN, Role.SPOUSE)

    def test_no_maintenance_where_the_data_sets_0_months(self, ref: ReferenceData) -> None:
        params = tuple(
            dataclasses.replace(p, value=0) if p.name == "maintain_months" else p
            for p in ref.params
        )
        none_kept = dataclasses.replace(ref, version="no-maintenance", params=params)
        decision = decide_eligibility([facts(member(lost_job()))], LOST, none_kept)
        assert decision.status is S.NOT_FOUND


class TestDependantMaintenance:
    BIRTH = date(2003, 6, 16)  # 22 on 16 June 2025

    def test_a_child_past_the_age_limit_keeps_the_rights(self, ref: ReferenceData) -> None:
        """A child who stops qualifying on the 22nd birthday keeps the rights 6 months."""
        ins = member(salarie(date(2025, 12, 15)), member_id="INS")
        child = child_of(ins, birth=self.BIRTH)
        decision = decide_eligibility([facts(child, ins)], date(2025, 6, 16), ref)
        assert decision.status is S.MAINTAINED
        assert decision.reasons == ("droits-maintenus", "ayant-droit-age-limite")
        assert decision.coverage_end == date(2025, 12, 15)

    def test_the_child_is_maintained_on_the_last_day(self, ref: ReferenceData) -> None:
        ins = member(salarie(date(2025, 12, 15)), member_id="INS")
        child = child_of(ins, birth=self.BIRTH)
        decision = decide_eligibility([facts(child, ins)], date(2025, 12, 15), ref)
        assert decision.status is S.MAINTAINED

    def test_the_child_is_not_covered_the_day_after(self, ref: ReferenceData) -> None:
        ins = member(salarie(date(2025, 12, 16)), member_id="INS")
        child = child_of(ins, birth=self.BIRTH)
        decision = decide_eligibility([facts(child, ins)], date(2025, 12, 16), ref)
        assert decision.status is S.NOT_FOUND
        assert decision.reasons == ("ayant-droit-age-limite", "droits-expires")

    def test_a_student_whose_studies_end_keeps_the_rights(self, ref: ReferenceData) -> None:
        ins = member(salarie(date(2025, 12, 15)), member_id="INS")
        link = child_of(ins, birth=date(2001, 9, 1)).affiliations[0]
        student = dependant(ins, link, date(2001, 9, 1), student_until=date(2025, 6, 15))
        kept = decide_eligibility([facts(student, ins)], date(2025, 12, 15), ref)
        gone = decide_eligibility([facts(student, ins)], date(2025, 12, 16), ref)
        assert (kept.status, kept.coverage_end) == (S.MAINTAINED, date(2025, 12, 15))
        assert gone.status is S.NOT_FOUND

    def test_a_student_who_marries_keeps_the_rights_from_the_wedding(
        self, ref: ReferenceData
    ) -> None:
        """« non mariés » : the extension ends on the wedding day; the rights are maintained."""
        ins = member(salarie(date(2025, 9, 30)), member_id="INS")
        link = child_of(ins, birth=date(2001, 9, 1)).affiliations[0]
        wed = dependant(
            ins,
            link,
            date(2001, 9, 1),
            student_until=date(2027, 6, 30),
            married_on=date(2025, 4, 1),
        )
        decision = decide_eligibility([facts(wed, ins)], date(2025, 9, 30), ref)
        assert (decision.status, decision.coverage_end) == (S.MAINTAINED, date(2025, 9, 30))

    def test_a_divorced_spouse_keeps_the_rights(self, ref: ReferenceData) -> None:
        """The end of a spouse's link (a divorce) is a loss like any other."""
        ins = member(salarie(date(2025, 8, 31)), member_id="INS")
        link = Affiliation("AMO_SALARIES", Role.SPOUSE, date(2010, 1, 1), date(2025, 3, 1), "INS")
        spouse = member(link, member_id="SP")
        kept = decide_eligibility([facts(spouse, ins)], date(2025, 8, 31), ref)
        gone = decide_eligibility([facts(spouse, ins)], date(2025, 9, 1), ref)
        assert kept.status is S.MAINTAINED
        assert kept.reasons == ("droits-maintenus", "ayant-droit-lien-termine")
        assert gone.reasons == ("ayant-droit-lien-termine", "droits-expires")

    def test_dependants_follow_the_insured_who_lost_the_job(self, ref: ReferenceData) -> None:
        ins = member(lost_job(), member_id="INS")
        child = child_of(ins, birth=date(2015, 1, 1))
        decision = decide_eligibility([facts(child, ins)], LAST_MAINTAINED, ref)
        assert (decision.status, decision.coverage_end) == (S.MAINTAINED, LAST_MAINTAINED)

    def test_a_second_loss_does_not_prolong_the_first(self, ref: ReferenceData) -> None:
        """The insured's job ended on 1 February; the child turns 22 on 10 May: the child's
        rights end with the insured's maintenance, on 31 July."""
        ins = member(lost_job(), member_id="INS")
        child = child_of(ins, birth=date(2003, 5, 10))
        kept = decide_eligibility([facts(child, ins)], LAST_MAINTAINED, ref)
        gone = decide_eligibility([facts(child, ins)], EXPIRED, ref)
        assert (kept.status, kept.coverage_end) == (S.MAINTAINED, LAST_MAINTAINED)
        assert gone.status is S.NOT_FOUND

    def test_own_cover_ends_the_child_maintenance(self, ref: ReferenceData) -> None:
        """The child aged out on 16 June becomes a student insured in his own right on
        1 September: maintained until 31 August, then his own scheme answers."""
        ins = member(salarie(date(2025, 9, 1)), member_id="INS")
        link = child_of(ins, birth=self.BIRTH).affiliations[0]
        own = affiliation("AMO_ETUDIANTS", date(2025, 9, 1))
        child = member(link, own, member_id="C", birth=self.BIRTH)
        kept = decide_eligibility([facts(child, ins)], date(2025, 8, 31), ref)
        own_right = decide_eligibility([facts(child, ins)], date(2025, 9, 1), ref)
        assert (kept.status, kept.coverage_end) == (S.MAINTAINED, date(2025, 8, 31))
        assert (own_right.status, own_right.scheme) == (S.OPEN, "AMO_ETUDIANTS")

    def test_nothing_is_kept_when_the_insured_had_no_rights(self, ref: ReferenceData) -> None:
        ins = member(newcomer(date(2025, 6, 16)), member_id="INS")
        child = child_of(ins, birth=self.BIRTH)
        decision = decide_eligibility([facts(child, ins)], date(2025, 6, 16), ref)
        assert decision.status is S.NOT_FOUND

    def test_a_link_made_after_the_limit_never_qualified(self, ref: ReferenceData) -> None:
        ins = member(salarie(date(2025, 8, 1)), member_id="INS")
        late = Affiliation("AMO_SALARIES", Role.CHILD, date(2025, 7, 1), insured_id="INS")
        child = member(late, member_id="C", birth=self.BIRTH)
        decision = decide_eligibility([facts(child, ins)], date(2025, 8, 1), ref)
        assert decision.reasons == ("ayant-droit-age-limite",)
