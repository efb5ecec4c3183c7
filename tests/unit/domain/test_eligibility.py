"""Worked examples of the eligibility rules (DOMAIN.md "Eligibility"), one class per scheme."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from domain.eligibility import EligibilityStatus as S
from domain.errors import ReferenceDataError
from domain.members import Affiliation, AldGrant, ContributionMonth
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility
from tests.unit.domain.builders import affiliation, facts, member, newcomer, salarie

CARE = date(2025, 6, 16)


class TestSalaries:
    def test_an_insured_of_long_standing_is_open(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(member(salarie(CARE)))], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.payer == "CNSS"
        assert decision.reasons == ("droits-ouverts",)


class TestStage:
    """FAQ CNSS (cnss.ma/fr/faq-page/45): the stage is 54 working days, consecutive or not,
    declared with contributions paid, within a period of at most 6 months from the date of
    immatriculation; « en aucun cas la durée de la période de stage ne doit excéder 6 mois »."""

    HIRED = date(2025, 1, 15)

    def stage(self, *months: tuple[date, int], **changes: object) -> Affiliation:
        """A salarié immatriculated on HIRED with these (month, days) declared."""
        declared = tuple(ContributionMonth(month, days) for month, days in months)
        return salarie(CARE, start=self.HIRED, contributions=declared, **changes)

    def test_rights_open_the_month_after_the_54th_day(self, ref: ReferenceData) -> None:
        """54 days reached in February (26 + 28): open from 1 March, the month's declaration
        being known once the month is over."""
        hired = self.stage((date(2025, 1, 1), 26), (date(2025, 2, 1), 28))
        opened = decide_eligibility([facts(member(hired))], date(2025, 3, 1), ref)
        assert opened.status is S.OPEN
        assert opened.coverage_start == date(2025, 3, 1)

    def test_the_stage_runs_until_the_month_of_the_54th_day_is_over(
        self, ref: ReferenceData
    ) -> None:
        hired = self.stage((date(2025, 1, 1), 26), (date(2025, 2, 1), 28))
        decision = decide_eligibility([facts(member(hired))], date(2025, 2, 28), ref)
        assert decision.status is S.WAITING_PERIOD
        assert decision.reasons == ("jours-cotises-insuffisants",)
        assert decision.coverage_start == date(2025, 3, 1)

    def test_53_days_keep_the_stage_going(self, ref: ReferenceData) -> None:
        hired = self.stage((date(2025, 1, 1), 27), (date(2025, 2, 1), 26))
        decision = decide_eligibility([facts(member(hired))], date(2025, 7, 14), ref)
        assert decision.status is S.WAITING_PERIOD
        assert decision.coverage_start == date(2025, 7, 15)

    def test_the_stage_never_exceeds_6_months(self, ref: ReferenceData) -> None:
        """« en aucun cas la durée de la période de stage ne doit excéder 6 mois » : on the day
        the stage reaches 6 months from the immatriculation, rights open."""
        hired = self.stage((date(2025, 1, 1), 27), (date(2025, 2, 1), 26))
        decision = decide_eligibility([facts(member(hired))], date(2025, 7, 15), ref)
        assert decision.status is S.OPEN
        assert decision.coverage_start == date(2025, 7, 15)

    def test_days_before_the_immatriculation_do_not_count(self, ref: ReferenceData) -> None:
        hired = self.stage((date(2024, 12, 1), 26), (date(2025, 1, 1), 28))
        decision = decide_eligibility([facts(member(hired))], date(2025, 3, 1), ref)
        assert decision.status is S.WAITING_PERIOD

    def test_days_of_the_month_of_immatriculation_count(self, ref: ReferenceData) -> None:
        hired = self.stage((date(2025, 1, 1), 54))
        decision = decide_eligibility([facts(member(hired))], date(2025, 2, 1), ref)
        assert decision.status is S.OPEN

    def test_declarations_skipped_after_the_stage_are_no_new_stage(
        self, ref: ReferenceData
    ) -> None:
        """The stage is served once: an employer skipping declarations years later does not
        send the insured back into a waiting period."""
        hired = self.stage((date(2025, 1, 1), 26), (date(2025, 2, 1), 28))
        decision = decide_eligibility([facts(member(hired))], date(2026, 6, 16), ref)
        assert decision.status is S.OPEN
        assert decision.coverage_start == date(2025, 3, 1)

    def test_unpaid_contributions_after_the_stage_suspend(self, ref: ReferenceData) -> None:
        """Non-payment is a suspension, not a new stage."""
        hired = self.stage(
            (date(2025, 1, 1), 26), (date(2025, 2, 1), 28), suspended_from=date(2025, 9, 1)
        )
        decision = decide_eligibility([facts(member(hired))], date(2025, 10, 1), ref)
        assert decision.status is S.SUSPENDED

    def test_a_move_from_another_scheme_waives_the_stage(self, ref: ReferenceData) -> None:
        """The stage is waived after a change of job that moves the insured to another AMO
        scheme."""
        moved = self.stage(transferred_from="AMO_PUBLIC")
        decision = decide_eligibility([facts(member(moved))], self.HIRED, ref)
        assert decision.status is S.OPEN
        assert decision.reasons == ("droits-ouverts", "mutation-sans-stage")

    def test_the_length_is_required_data(self, ref: ReferenceData) -> None:
        """Without `stage_max_months` the rule cannot be applied: the data is incomplete."""
        params = tuple(p for p in ref.params if p.name != "stage_max_months")
        partial = dataclasses.replace(ref, version="partial", params=params)
        with pytest.raises(ReferenceDataError):
            decide_eligibility([facts(member(self.stage()))], CARE, partial)


class TestSalariesMovesAndLosses:
    def test_move_from_another_scheme_has_no_waiting(self, ref: ReferenceData) -> None:
        moved = salarie(
            CARE, start=date(2025, 6, 1), contributions=(), transferred_from="AMO_PUBLIC"
        )
        decision = decide_eligibility([facts(member(moved))], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.reasons == ("droits-ouverts", "mutation-sans-stage")

    def test_move_from_an_unknown_scheme_does_not_waive_the_days(self, ref: ReferenceData) -> None:
        moved = salarie(CARE, start=date(2025, 6, 1), contributions=(), transferred_from="PRIVATE")
        decision = decide_eligibility([facts(member(moved))], CARE, ref)
        assert decision.status is S.WAITING_PERIOD

    def test_rights_are_maintained_6_months_after_loss(self, ref: ReferenceData) -> None:
        lost = salarie(date(2025, 1, 31), end=date(2025, 2, 1))
        decision = decide_eligibility([facts(member(lost))], date(2025, 7, 31), ref)
        assert decision.status is S.MAINTAINED
        assert decision.coverage_end == date(2025, 7, 31)
        assert decision.reasons == ("droits-maintenus",)

    def test_rights_expire_the_day_the_maintenance_ends(self, ref: ReferenceData) -> None:
        lost = salarie(date(2025, 1, 31), end=date(2025, 2, 1))
        decision = decide_eligibility([facts(member(lost))], date(2025, 8, 1), ref)
        assert decision.status is S.NOT_FOUND
        assert decision.reasons == ("droits-expires",)
        assert decision.benefits == ()

    def test_no_maintenance_when_rights_were_not_open_at_loss(self, ref: ReferenceData) -> None:
        lost = newcomer(date(2025, 1, 31), end=date(2025, 2, 1))
        decision = decide_eligibility([facts(member(lost))], date(2025, 3, 1), ref)
        assert decision.status is S.NOT_FOUND

    def test_unpaid_contributions_suspend_benefits(self, ref: ReferenceData) -> None:
        owing = salarie(CARE, suspended_from=date(2025, 5, 1))
        decision = decide_eligibility([facts(member(owing))], CARE, ref)
        assert decision.status is S.SUSPENDED
        assert decision.reasons == ("cotisations-impayees", "suspension-sauf-ald")
        assert decision.benefits == ()

    def test_settled_arrears_end_the_suspension(self, ref: ReferenceData) -> None:
        settled = salarie(CARE, suspended_from=date(2025, 5, 1), suspended_until=CARE)
        decision = decide_eligibility([facts(member(settled))], CARE, ref)
        assert decision.status is S.OPEN

    def test_suspended_member_keeps_ald_benefits(self, ref: ReferenceData) -> None:
        owing = salarie(CARE, suspended_from=date(2025, 5, 1))
        grant = AldGrant("ALD09", date(2024, 1, 1))
        decision = decide_eligibility([facts(member(owing, ald=(grant,)))], CARE, ref)
        assert decision.ald_conditions == ("ALD09",)
        assert decision.benefits
        assert all(b.situation == "ald" and b.ald_exempt for b in decision.benefits)


class TestTns:
    def test_waiting_3_months_from_first_payment(self, ref: ReferenceData) -> None:
        tns = affiliation("AMO_TNS", date(2025, 4, 1), first_payment=date(2025, 4, 10))
        decision = decide_eligibility([facts(member(tns))], date(2025, 7, 9), ref)
        assert decision.status is S.WAITING_PERIOD
        assert decision.reasons == ("stage-en-cours",)
        assert decision.coverage_start == date(2025, 7, 10)

    def test_rights_open_when_the_waiting_period_is_over(self, ref: ReferenceData) -> None:
        tns = affiliation("AMO_TNS", date(2025, 4, 1), first_payment=date(2025, 4, 10))
        decision = decide_eligibility([facts(member(tns))], date(2025, 7, 10), ref)
        assert decision.status is S.OPEN
        assert decision.coverage_start == date(2025, 7, 10)

    def test_no_payment_yet_is_a_waiting_period(self, ref: ReferenceData) -> None:
        tns = affiliation("AMO_TNS", date(2025, 4, 1))
        decision = decide_eligibility([facts(member(tns))], CARE, ref)
        assert decision.status is S.WAITING_PERIOD

    def test_arrears_suspend(self, ref: ReferenceData) -> None:
        tns = affiliation(
            "AMO_TNS", date(2023, 1, 1), first_payment=date(2023, 1, 5), suspended_from=CARE
        )
        decision = decide_eligibility([facts(member(tns))], CARE, ref)
        assert decision.status is S.SUSPENDED


class TestOtherSchemes:
    def test_tadamon_is_open_from_the_start(self, ref: ReferenceData) -> None:
        decision = decide_eligibility(
            [facts(member(affiliation("AMO_TADAMON", date(2025, 6, 16))))], CARE, ref
        )
        assert decision.status is S.OPEN
        assert decision.payer == "CNSS"

    def test_tadamon_did_not_exist_before_december_2022(self, ref: ReferenceData) -> None:
        tadamon = affiliation("AMO_TADAMON", date(2022, 1, 1))
        decision = decide_eligibility([facts(member(tadamon))], date(2022, 11, 30), ref)
        assert decision.status is S.NOT_FOUND
        assert decision.reasons == ("regime-inconnu",)

    def test_achamil_waits_3_months_from_first_payment(self, ref: ReferenceData) -> None:
        achamil = affiliation("AMO_ACHAMIL", date(2025, 5, 1), first_payment=date(2025, 5, 1))
        decision = decide_eligibility([facts(member(achamil))], CARE, ref)
        assert decision.status is S.WAITING_PERIOD

    def test_public_sector_is_open_from_the_start_and_paid_by_cnops(
        self, ref: ReferenceData
    ) -> None:
        public = affiliation("AMO_PUBLIC", date(2025, 6, 1))
        decision = decide_eligibility([facts(member(public))], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.payer == "CNOPS"

    def test_public_sector_is_paid_by_cnss_after_the_transfer(self, ref: ReferenceData) -> None:
        public = affiliation("AMO_PUBLIC", date(2025, 6, 1))
        decision = decide_eligibility([facts(member(public))], date(2026, 1, 1), ref)
        assert decision.payer == "CNSS"
        assert decision.scheme == "AMO_PUBLIC"

    def test_students_are_open_from_the_start(self, ref: ReferenceData) -> None:
        student = affiliation("AMO_ETUDIANTS", date(2024, 10, 1))
        decision = decide_eligibility([facts(member(student))], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.payer == "CNOPS"


class TestNotFound:
    def test_no_record_is_not_found(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([], CARE, ref)
        assert decision.status is S.NOT_FOUND
        assert decision.reasons == ("membre-introuvable",)
        assert decision.rules_version == ref.version

    def test_affiliation_starting_after_the_date_is_not_found(self, ref: ReferenceData) -> None:
        later = affiliation("AMO_PUBLIC", date(2025, 7, 1))
        decision = decide_eligibility([facts(member(later))], CARE, ref)
        assert decision.status is S.NOT_FOUND
        assert decision.reasons == ("affiliation-non-commencee",)

    def test_unknown_scheme_is_not_in_force(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(member(affiliation("RAMED")))], CARE, ref)
        assert decision.status is S.NOT_FOUND
        assert decision.payer is None
        assert decision.benefits == ()

    def test_scheme_without_a_payer_route_is_not_in_force(self, ref: ReferenceData) -> None:
        unrouted = ReferenceData(
            version="t", schemes=ref.schemes, params=ref.params, rates=ref.rates
        )
        decision = decide_eligibility([facts(member(affiliation("AMO_PUBLIC")))], CARE, unrouted)
        assert decision.status is S.NOT_FOUND
        assert decision.reasons == ("payeur-non-route",)


class TestDoubleAffiliation:
    def test_two_records_in_own_right_are_flagged(self, ref: ReferenceData) -> None:
        cnss = member(salarie(CARE), member_id="CNSS-1")
        cnops = member(affiliation("AMO_PUBLIC"), member_id="CNOPS-1")
        decision = decide_eligibility([facts(cnss), facts(cnops)], CARE, ref)
        assert decision.status is S.DOUBLE_AFFILIATION
        assert decision.reasons == ("double-affiliation",)
        assert not decision.status.in_force

    def test_two_affiliations_within_one_record_are_flagged(self, ref: ReferenceData) -> None:
        both = member(salarie(CARE), affiliation("AMO_TADAMON", date(2023, 1, 1)))
        assert decide_eligibility([facts(both)], CARE, ref).status is S.DOUBLE_AFFILIATION

    def test_a_move_between_schemes_is_not_a_double_affiliation(self, ref: ReferenceData) -> None:
        old = affiliation("AMO_PUBLIC", date(2010, 1, 1), end=date(2025, 6, 1))
        new = salarie(CARE, start=date(2025, 6, 1), transferred_from="AMO_PUBLIC")
        decision = decide_eligibility([facts(member(old, new))], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.scheme == "AMO_SALARIES"
