"""Worked examples of the eligibility rules (DOMAIN.md "Eligibility"), one class per scheme."""

from __future__ import annotations

from datetime import date

from domain.eligibility import Candidate
from domain.eligibility import EligibilityStatus as S
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility
from tests.unit.domain.builders import affiliation, facts, member, salarie

CARE = date(2025, 6, 16)


class TestSalaries:
    def test_an_insured_of_long_standing_is_open(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(member(salarie(CARE)))], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.payer == "CNSS"
        assert decision.reasons == ("droits-ouverts",)

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


class TestTns:
    def test_waiting_3_months_from_first_payment(self, ref: ReferenceData) -> None:
        """cnss.ma « Qui peut en bénéficier ? » : « Travailleur non salarié (TNS) : justifier
        d'une période de stage de 3 mois de paiement des cotisations dues », counted from the
        first payment (after the amnesty of law 41.23: refdata flags that reading U)."""
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

    def test_the_answer_names_the_schemes_and_payers_found(self, ref: ReferenceData) -> None:
        """Issue 7: the payer's review gets the candidates (scheme, payer, start)."""
        cnss = member(salarie(CARE), member_id="CNSS-1")
        cnops = member(affiliation("AMO_PUBLIC", date(2020, 9, 1)), member_id="CNOPS-1")
        decision = decide_eligibility([facts(cnss), facts(cnops)], CARE, ref)
        assert decision.candidates == (
            Candidate("AMO_PUBLIC", "CNOPS", date(2020, 9, 1)),
            Candidate("AMO_SALARIES", "CNSS", date(2019, 1, 1)),
        )

    def test_two_affiliations_within_one_record_are_flagged(self, ref: ReferenceData) -> None:
        both = member(salarie(CARE), affiliation("AMO_TADAMON", date(2023, 1, 1)))
        decision = decide_eligibility([facts(both)], CARE, ref)
        assert decision.status is S.DOUBLE_AFFILIATION
        assert [c.scheme for c in decision.candidates] == ["AMO_SALARIES", "AMO_TADAMON"]

    def test_a_closed_record_is_not_a_candidate(self, ref: ReferenceData) -> None:
        closed = member(affiliation("AMO_PUBLIC", end=date(2010, 1, 1)), member_id="CNOPS-1")
        cnss = member(salarie(CARE), member_id="CNSS-1")
        decision = decide_eligibility([facts(cnss), facts(closed)], CARE, ref)
        assert (decision.status, decision.candidates) == (S.OPEN, ())

    def test_a_record_in_its_maintenance_is_not_a_candidate(self, ref: ReferenceData) -> None:
        """Lost a month ago: the new affiliation ends its maintenance, and answers alone."""
        lost = member(affiliation("AMO_PUBLIC", end=date(2025, 5, 16)), member_id="CNOPS-1")
        cnss = member(salarie(CARE), member_id="CNSS-1")
        decision = decide_eligibility([facts(lost), facts(cnss)], CARE, ref)
        assert (decision.status, decision.scheme) == (S.OPEN, "AMO_SALARIES")

    def test_a_move_between_schemes_is_not_a_double_affiliation(self, ref: ReferenceData) -> None:
        old = affiliation("AMO_PUBLIC", date(2010, 1, 1), end=date(2025, 6, 1))
        new = salarie(CARE, start=date(2025, 6, 1), transferred_from="AMO_PUBLIC")
        decision = decide_eligibility([facts(member(old, new))], CARE, ref)
        assert decision.status is S.OPEN
        assert decision.scheme == "AMO_SALARIES"
