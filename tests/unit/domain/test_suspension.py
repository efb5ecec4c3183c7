"""Contributions in arrears: a suspension that keeps ALD and costly care, also after the job.

FAQ CNSS (cnss.ma/fr/faq-page/45): « l'assuré continue à bénéficier des prestations au titre
des maladies de longue durée ou coûteuses en cas d'arrêt de versement des cotisations par
l'employeur », for the insured and the dependants, and after the job ends within the
maintained period.
"""

from __future__ import annotations

from datetime import date

from domain.eligibility import EligibilityDecision, RequestedItem
from domain.eligibility import EligibilityStatus as S
from domain.members import AldGrant, Member
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility, decide_items
from tests.unit.domain.builders import child_of, facts, member, salarie

CARE = date(2025, 6, 16)
ARREARS = date(2025, 1, 1)  # the employer stops paying
LOST = date(2025, 3, 1)  # then the job ends
DIALYSIS = AldGrant("ALD17", date(2020, 1, 1))  # insuffisance rénale chronique terminale


def in_arrears(end: date | None = None, **kw: object) -> Member:
    """An insured of long standing whose employer stopped paying on ARREARS."""
    return member(salarie(ARREARS, suspended_from=ARREARS, end=end), member_id="INS", **kw)  # type: ignore[arg-type]


def sick_child(insured: Member) -> Member:
    """A child of 13 of the insured's, on dialysis."""
    child = child_of(insured, birth=date(2012, 1, 1))
    return member(*child.affiliations, member_id="C", birth=child.birth_date, ald=(DIALYSIS,))


def dialysis(decision: EligibilityDecision, ref: ReferenceData) -> bool:
    """Whether a dialysis session declared linked to ALD17 is covered."""
    item = RequestedItem("dialysis", ald_condition="ALD17")
    return decide_items(decision, [item], ref)[0].covered


class TestEmployerArrears:
    def test_unpaid_contributions_suspend_benefits(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(in_arrears())], CARE, ref)
        assert decision.status is S.SUSPENDED
        assert decision.reasons == ("cotisations-impayees", "suspension-sauf-ald")
        assert decision.benefits == ()

    def test_settled_arrears_end_the_suspension(self, ref: ReferenceData) -> None:
        settled = salarie(CARE, suspended_from=ARREARS, suspended_until=CARE)
        assert decide_eligibility([facts(member(settled))], CARE, ref).status is S.OPEN

    def test_the_insured_keeps_ald_care(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(in_arrears(ald=(DIALYSIS,)))], CARE, ref)
        assert decision.ald_conditions == ("ALD17",)
        assert decision.benefits
        assert all(b.situation == "ald" and b.ald_exempt for b in decision.benefits)
        assert dialysis(decision, ref)

    def test_a_dependant_keeps_ald_care(self, ref: ReferenceData) -> None:
        ins = in_arrears()
        sick = sick_child(ins)
        decision = decide_eligibility([facts(sick, ins)], CARE, ref)
        assert decision.status is S.SUSPENDED
        assert dialysis(decision, ref)

    def test_care_not_linked_to_the_condition_is_not_covered(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(in_arrears(ald=(DIALYSIS,)))], CARE, ref)
        pharmacy = decide_items(decision, [RequestedItem("pharmacy")], ref)[0]
        assert not pharmacy.covered


class TestAfterTheJob:
    def test_ald_care_is_kept_to_the_end_of_the_maintained_period(self, ref: ReferenceData) -> None:
        """The job ends on 1 March while the employer owes contributions: dialysis stays
        covered through 31 August, the last day of the 6th maintained month."""
        decision = decide_eligibility(
            [facts(in_arrears(LOST, ald=(DIALYSIS,)))], date(2025, 8, 31), ref
        )
        assert decision.status is S.SUSPENDED
        assert decision.reasons == (
            "cotisations-impayees",
            "suspension-sauf-ald",
            "droits-maintenus",
        )
        assert (decision.coverage_start, decision.coverage_end) == (
            date(2019, 7, 1),
            date(2025, 8, 31),
        )
        assert dialysis(decision, ref)

    def test_nothing_is_kept_after_the_maintained_period(self, ref: ReferenceData) -> None:
        decision = decide_eligibility(
            [facts(in_arrears(LOST, ald=(DIALYSIS,)))], date(2025, 9, 1), ref
        )
        assert decision.status is S.NOT_FOUND
        assert not dialysis(decision, ref)

    def test_dependants_keep_ald_care_after_the_job(self, ref: ReferenceData) -> None:
        ins = in_arrears(LOST)
        sick = sick_child(ins)
        decision = decide_eligibility([facts(sick, ins)], date(2025, 8, 31), ref)
        assert decision.status is S.SUSPENDED
        assert decision.coverage_end == date(2025, 8, 31)
        assert dialysis(decision, ref)

    def test_without_an_ald_nothing_is_covered(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(in_arrears(LOST))], date(2025, 8, 31), ref)
        assert decision.status is S.SUSPENDED
        assert decision.benefits == ()
