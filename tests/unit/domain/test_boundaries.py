"""The rules at their edges: ties, days of equality, data a scheme sets for itself, answers
that name nothing. Each example pins one choice the worked examples leave open."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from domain.eligibility import EligibilityStatus as S
from domain.errors import ReferenceDataError
from domain.members import Affiliation, AldGrant, DependantFacts, Member, Role
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility
from tests.unit.domain.builders import (
    affiliation,
    child_of,
    facts,
    member,
    newcomer,
    salarie,
)

CARE = date(2025, 6, 16)
LOST = date(2025, 2, 1)


def with_param(ref: ReferenceData, scheme: str, name: str, value: int) -> ReferenceData:
    """The dataset with the scheme's own rows for a parameter set to `value`."""
    params = tuple(
        dataclasses.replace(p, value=value) if (p.scheme, p.name) == (scheme, name) else p
        for p in ref.params
    )
    assert params != ref.params, "the scheme has its own row"
    return dataclasses.replace(ref, version=f"{scheme}-{name}-{value}", params=params)


def link(insured: str, start: date = date(2015, 1, 1), **changes: object) -> Affiliation:
    """A spouse's link to an insured of the salariés."""
    return Affiliation("AMO_SALARIES", Role.SPOUSE, start, insured_id=insured, **changes)  # type: ignore[arg-type]


class TestInsuredBoundaries:
    def test_a_maintained_period_starts_where_the_rights_opened(self, ref: ReferenceData) -> None:
        lost = salarie(LOST, end=LOST)
        decision = decide_eligibility([facts(member(lost))], LOST, ref)
        assert (decision.coverage_start, decision.member_id) == (date(2019, 7, 1), "M1")

    def test_arrears_from_the_day_of_the_loss_leave_open_rights_to_keep(
        self, ref: ReferenceData
    ) -> None:
        lost = salarie(LOST, end=LOST, suspended_from=LOST)
        assert decide_eligibility([facts(member(lost))], LOST, ref).status is S.MAINTAINED

    def test_an_affiliation_ended_on_its_first_day_leaves_nothing(self, ref: ReferenceData) -> None:
        never = salarie(CARE, start=LOST, end=LOST, transferred_from="AMO_PUBLIC")
        decision = decide_eligibility([facts(member(never))], LOST, ref)
        assert (decision.status, decision.reasons) == (S.NOT_FOUND, ("droits-expires",))

    def test_one_day_of_open_rights_is_kept(self, ref: ReferenceData) -> None:
        short = salarie(CARE, start=LOST, end=date(2025, 2, 2), transferred_from="AMO_PUBLIC")
        decision = decide_eligibility([facts(member(short))], date(2025, 3, 1), ref)
        assert decision.status is S.MAINTAINED

    def test_the_scheme_s_own_maintenance_length_applies(self, ref: ReferenceData) -> None:
        three = with_param(ref, "AMO_SALARIES", "maintain_months", 3)
        lost = member(salarie(LOST, end=LOST))
        assert decide_eligibility([facts(lost)], date(2025, 4, 30), three).status is S.MAINTAINED
        assert decide_eligibility([facts(lost)], date(2025, 5, 1), three).status is S.NOT_FOUND

    def test_a_move_opens_from_the_new_affiliation_s_start(self, ref: ReferenceData) -> None:
        moved = salarie(CARE, start=date(2025, 6, 1), transferred_from="AMO_PUBLIC")
        decision = decide_eligibility([facts(member(moved))], CARE, ref)
        assert decision.coverage_start == date(2025, 6, 1)

    def test_a_suspension_keeps_the_opening_date(self, ref: ReferenceData) -> None:
        owing = salarie(CARE, suspended_from=date(2025, 1, 1))
        decision = decide_eligibility([facts(member(owing))], CARE, ref)
        assert decision.coverage_start == date(2019, 7, 1)

    def test_a_one_month_waiting_period_is_served(self, ref: ReferenceData) -> None:
        one = with_param(ref, "AMO_TNS", "waiting_months", 1)
        tns = affiliation("AMO_TNS", date(2025, 6, 1), first_payment=date(2025, 6, 1))
        assert decide_eligibility([facts(member(tns))], CARE, one).status is S.WAITING_PERIOD

    def test_missing_stage_length_names_the_parameter(self, ref: ReferenceData) -> None:
        params = tuple(p for p in ref.params if p.name != "stage_max_months")
        partial = dataclasses.replace(ref, version="partial", params=params)
        with pytest.raises(ReferenceDataError, match="stage_max_months"):
            decide_eligibility([facts(member(newcomer(CARE)))], CARE, partial)


class TestMaintenanceEnds:
    def test_a_dependant_link_past_its_limit_does_not_end_it(self, ref: ReferenceData) -> None:
        """22 on 16 June, then a first job lost on 1 July: that job's rights are maintained."""
        parent = member(salarie(CARE), member_id="P")
        birth = date(2003, 6, 16)
        child_link = Affiliation("AMO_SALARIES", Role.CHILD, date(2005, 1, 1), insured_id="P")
        job = salarie(date(2025, 7, 1), end=date(2025, 7, 1))
        young = member(child_link, job, member_id="C", birth=birth)
        decision = decide_eligibility([facts(young, parent)], date(2025, 8, 1), ref)
        assert (decision.status, decision.role) == (S.MAINTAINED, Role.INSURED)

    def test_an_affiliation_ended_on_the_day_of_the_loss_does_not_end_it(
        self, ref: ReferenceData
    ) -> None:
        public = affiliation("AMO_PUBLIC", date(2010, 1, 1), end=LOST)
        decision = decide_eligibility([facts(member(public, salarie(LOST, end=LOST)))], LOST, ref)
        assert decision.status is S.MAINTAINED

    def test_a_scheme_not_in_force_neither_ends_it_nor_hides_the_others(
        self, ref: ReferenceData
    ) -> None:
        ramed = affiliation("RAMED", date(2010, 1, 1))
        tns = affiliation("AMO_TNS", date(2025, 4, 1), first_payment=date(2025, 4, 1))
        lost = member(ramed, salarie(LOST, end=LOST), tns)
        decision = decide_eligibility([facts(lost)], date(2025, 3, 31), ref)
        assert (decision.status, decision.coverage_end) == (S.MAINTAINED, date(2025, 3, 31))

    def test_it_ends_on_the_day_the_other_cover_starts(self, ref: ReferenceData) -> None:
        """A link from 1 March to an insured in the stage: from that day the link answers."""
        wife = member(newcomer(date(2025, 3, 1)), member_id="W")
        husband = member(salarie(LOST, end=LOST), link("W", date(2025, 3, 1)), member_id="H")
        decision = decide_eligibility([facts(husband, wife)], date(2025, 3, 1), ref)
        assert (decision.status, decision.role) == (S.WAITING_PERIOD, Role.SPOUSE)

    def test_with_nothing_in_force_the_own_right_says_why(self, ref: ReferenceData) -> None:
        husband = member(link("W", date(2025, 3, 1)), salarie(LOST, end=LOST), member_id="H")
        decision = decide_eligibility([facts(husband)], date(2025, 3, 1), ref)
        assert (decision.status, decision.reasons) == (S.NOT_FOUND, ("maintien-interrompu",))
        assert decision.role is Role.INSURED

    def test_a_job_lost_while_still_a_dependant_leaves_the_link(self, ref: ReferenceData) -> None:
        """The child of a parent in the stage loses a first job: the link answers."""
        parent = member(newcomer(CARE), member_id="P")
        child_link = Affiliation("AMO_SALARIES", Role.CHILD, date(2005, 1, 1), insured_id="P")
        young = member(child_link, salarie(LOST, end=LOST), member_id="C", birth=date(2005, 1, 1))
        decision = decide_eligibility([facts(young, parent)], CARE, ref)
        assert (decision.status, decision.role) == (S.WAITING_PERIOD, Role.CHILD)

    def test_a_scheme_s_own_dependant_rule_qualifies_too(self, ref: ReferenceData) -> None:
        own_rules = tuple(dataclasses.replace(r, scheme="AMO_SALARIES") for r in ref.dependants)
        scheme_only = dataclasses.replace(ref, version="own-rules", dependants=own_rules)
        parent = member(newcomer(CARE), member_id="P")
        child_link = Affiliation("AMO_SALARIES", Role.CHILD, date(2005, 1, 1), insured_id="P")
        young = member(child_link, salarie(LOST, end=LOST), member_id="C", birth=date(2005, 1, 1))
        decision = decide_eligibility([facts(young, parent)], CARE, scheme_only)
        assert decision.status is S.WAITING_PERIOD

    def test_the_insured_s_new_scheme_ends_the_dependants_cover(self, ref: ReferenceData) -> None:
        tns = affiliation("AMO_TNS", date(2025, 4, 1), first_payment=date(2025, 4, 1))
        ins = member(salarie(LOST, end=LOST), tns, member_id="INS")
        child = child_of(ins, birth=date(2015, 1, 1))
        decision = decide_eligibility([facts(child, ins)], date(2025, 4, 15), ref)
        assert decision.status is S.NOT_FOUND
        assert decision.reasons == ("assure-principal-sans-droits", "maintien-interrompu")


class TestDependantBoundaries:
    BIRTH = date(2003, 6, 16)

    def test_a_maintained_child_is_covered_from_the_insured_s_opening(
        self, ref: ReferenceData
    ) -> None:
        ins = member(salarie(CARE), member_id="INS")
        decision = decide_eligibility([facts(child_of(ins, birth=self.BIRTH), ins)], CARE, ref)
        assert decision.coverage_start == date(2019, 7, 1)

    def test_a_covered_child_too(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        child = child_of(ins, birth=date(2015, 1, 1))
        assert decide_eligibility([facts(child, ins)], CARE, ref).coverage_start == date(2019, 7, 1)

    def test_the_child_keeps_the_rights_held_the_day_before_the_birthday(
        self, ref: ReferenceData
    ) -> None:
        """The employer stops paying on the child's 22nd birthday: the open rights of the day
        before are maintained, not the suspension."""
        ins = member(salarie(CARE, suspended_from=CARE), member_id="INS")
        decision = decide_eligibility([facts(child_of(ins, birth=self.BIRTH), ins)], CARE, ref)
        assert decision.status is S.MAINTAINED

    def test_a_link_made_on_the_last_qualifying_day_is_maintained(self, ref: ReferenceData) -> None:
        ins = member(salarie(date(2025, 8, 1)), member_id="INS")
        late = Affiliation("AMO_SALARIES", Role.CHILD, date(2025, 6, 15), insured_id="INS")
        child = member(late, member_id="C", birth=self.BIRTH)
        assert decide_eligibility([facts(child, ins)], date(2025, 8, 1), ref).status is S.MAINTAINED

    def test_the_scheme_s_own_maintenance_length_applies(self, ref: ReferenceData) -> None:
        three = with_param(ref, "AMO_SALARIES", "maintain_months", 3)
        ins = member(salarie(CARE), member_id="INS")
        child = child_of(ins, birth=self.BIRTH)
        decision = decide_eligibility([facts(child, ins)], CARE, three)
        assert decision.coverage_end == date(2025, 9, 15)

    def test_no_maintenance_row_no_maintenance(self, ref: ReferenceData) -> None:
        params = tuple(p for p in ref.params if p.name != "maintain_months")
        none_kept = dataclasses.replace(ref, version="no-maintenance", params=params)
        ins = member(salarie(CARE), member_id="INS")
        decision = decide_eligibility(
            [facts(child_of(ins, birth=self.BIRTH), ins)], CARE, none_kept
        )
        assert decision.status is S.NOT_FOUND

    def test_a_role_the_scheme_does_not_provide_is_not_covered(self, ref: ReferenceData) -> None:
        no_children = tuple(r for r in ref.dependants if r.role != "child")
        spouses_only = dataclasses.replace(ref, version="spouses", dependants=no_children)
        ins = member(salarie(CARE), member_id="INS")
        decision = decide_eligibility(
            [facts(child_of(ins, birth=self.BIRTH), ins)], CARE, spouses_only
        )
        assert (decision.status, decision.reasons) == (S.NOT_FOUND, ("ayant-droit-non-prevu",))

    def test_a_link_ended_on_the_birthday_is_said_ended(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        ended = Affiliation("AMO_SALARIES", Role.CHILD, date(2015, 1, 1), CARE, "INS")
        child = member(ended, member_id="C", birth=self.BIRTH)
        decision = decide_eligibility([facts(child, ins)], CARE, ref)
        assert decision.reasons == ("droits-maintenus", "ayant-droit-lien-termine")

    def test_a_student_is_a_student_from_the_22nd_birthday(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        studying = DependantFacts(student_until=date(2027, 6, 30))
        child = child_of(ins, birth=self.BIRTH, dependant=studying)
        assert "ayant-droit-etudiant" in decide_eligibility([facts(child, ins)], CARE, ref).reasons

    def test_a_student_whose_link_ends_later_is_still_a_student(self, ref: ReferenceData) -> None:
        ins = member(salarie(CARE), member_id="INS")
        later = Affiliation("AMO_SALARIES", Role.CHILD, date(2015, 1, 1), date(2026, 1, 1), "INS")
        student = member(
            later, member_id="C", birth=date(2001, 9, 1),
            dependant=DependantFacts(student_until=date(2027, 6, 30)),
        )  # fmt: skip
        decision = decide_eligibility([facts(student, ins)], CARE, ref)
        assert "ayant-droit-etudiant" in decision.reasons

    def test_the_insured_s_care_day_affiliation_covers(self, ref: ReferenceData) -> None:
        moved = member(salarie(CARE, start=CARE, transferred_from="AMO_PUBLIC"), member_id="INS")
        child = child_of(moved, birth=date(2015, 1, 1))
        assert decide_eligibility([facts(child, moved)], CARE, ref).status is S.OPEN

    def test_the_insured_s_best_affiliation_covers(self, ref: ReferenceData) -> None:
        old = salarie(CARE, start=date(2005, 1, 1), end=date(2010, 1, 1))
        rehired = member(old, salarie(CARE), member_id="INS")
        child = child_of(rehired, birth=date(2015, 1, 1))
        assert decide_eligibility([facts(child, rehired)], CARE, ref).status is S.OPEN


class TestAnswersThatNameNothing:
    def test_an_unrouted_scheme_names_no_period(self, ref: ReferenceData) -> None:
        unrouted = dataclasses.replace(ref, version="unrouted", routes=())
        lost = affiliation("AMO_PUBLIC", date(2010, 1, 1), end=date(2025, 6, 1))
        decision = decide_eligibility([facts(member(lost))], CARE, unrouted)
        assert (decision.status, decision.reasons) == (S.NOT_FOUND, ("payeur-non-route",))
        assert (decision.coverage_start, decision.coverage_end) == (None, None)

    def test_no_record_is_dated(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([], CARE, ref)
        assert (decision.date_of_care, decision.rules_version) == (CARE, ref.version)

    def test_a_double_affiliation_is_dated(self, ref: ReferenceData) -> None:
        both = member(salarie(CARE), affiliation("AMO_PUBLIC"))
        decision = decide_eligibility([facts(both)], CARE, ref)
        assert (decision.date_of_care, decision.rules_version) == (CARE, ref.version)

    def test_an_expired_record_names_no_payer_period_or_condition(self, ref: ReferenceData) -> None:
        gone = member(salarie(LOST, end=LOST), ald=(AldGrant("ALD17", date(2020, 1, 1)),))
        decision = decide_eligibility([facts(gone)], date(2025, 8, 1), ref)
        assert (decision.payer, decision.coverage_start, decision.coverage_end) == (None,) * 3
        assert decision.ald_conditions == ()


class TestOwnCoverBoundaries:
    def test_an_own_cover_starting_on_the_care_day_answers(self, ref: ReferenceData) -> None:
        husband = member(salarie(CARE), member_id="H")
        own = affiliation("AMO_ACHAMIL", CARE, first_payment=CARE)
        wife = member(link("H"), own, member_id="W")
        decision = decide_eligibility([facts(wife, husband)], CARE, ref)
        assert (decision.status, decision.scheme) == (S.WAITING_PERIOD, "AMO_ACHAMIL")

    def test_an_own_cover_ended_on_the_care_day_leaves_the_link(self, ref: ReferenceData) -> None:
        husband = member(salarie(CARE), member_id="H")
        ended = affiliation("AMO_TNS", date(2022, 1, 1), first_payment=date(2022, 1, 1), end=CARE)
        wife: Member = member(link("H"), ended, member_id="W")
        decision = decide_eligibility([facts(wife, husband)], CARE, ref)
        assert (decision.status, decision.role) == (S.OPEN, Role.SPOUSE)
