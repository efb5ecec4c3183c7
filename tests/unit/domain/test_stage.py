"""The salariés' stage: served once, from the immatriculation, never beyond 6 months."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from domain.eligibility import EligibilityStatus as S
from domain.errors import ReferenceDataError
from domain.members import Affiliation, ContributionMonth
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility
from tests.unit.domain.builders import facts, member, salarie

CARE = date(2025, 6, 16)


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
