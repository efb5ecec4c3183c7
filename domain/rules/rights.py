"""Eligibility: the status of a person's rights on a date of care (DOMAIN.md "Eligibility").

Every figure (54 days, 6 months, waiting months, age limits) is read from reference data for
the date of care; an affiliation whose scheme, parameters or payer are not in the reference
data is not in force. Statuses and when they are given:

- NOT_FOUND: no record; the affiliation starts after the date of care; the scheme or its payer
  unknown on the date; a dependant whose insured has no affiliation to the same scheme; the
  rights lost and their maintenance over, or ended by another affiliation.
- WAITING_PERIOD: the one-off stage from the immatriculation not served, or a waiting period
  (from the first payment) not over. A move from another AMO scheme (`transferred_from`)
  waives both (`domain.rules.insured`).
- SUSPENDED: contributions in arrears on the date (ALD/ALC care stays covered), also during
  the maintenance after a loss that found the rights suspended.
- MAINTAINED: whoever stopped qualifying, insured or dependant, in the maintenance period
  after the loss (`domain.rules.maintenance`).
- DOUBLE_AFFILIATION: more than one affiliation in one's own right in force on the date,
  within one record or across records; the answer names each (scheme, payer, start) for the
  payer's review. A record closed on the date (or in its maintenance after a loss) is not one
  of them. Dependant affiliations do not count: a child may be covered through both parents;
  the best of them answers.

Own cover comes first: "sont également couverts, s'ils ne disposent pas à titre personnel
d'une couverture de même nature" (cnss.ma, « Qui peut en bénéficier ? »). A person affiliated
in their own right on the date is answered by that affiliation alone, whatever their links as
a spouse or child; otherwise the best of all their affiliations answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.eligibility import Candidate, EligibilityDecision, EligibilityStatus
from domain.members import Affiliation, EligibilityFacts, Role
from domain.reference import ReferenceData
from domain.rules.coverage import active_ald, benefits, decide_items
from domain.rules.evaluation import RANK, Evaluation, evaluate, windows

__all__ = ["Evaluation", "decide_eligibility", "decide_items"]

Status = EligibilityStatus
Found = tuple[EligibilityFacts, Affiliation]


def decide_eligibility(
    records: Sequence[EligibilityFacts], day: date, ref: ReferenceData
) -> EligibilityDecision:
    """The eligibility answer for the records found for one person on a date of care."""
    own = _own_in_force(records, day, ref)
    found_twice = {(facts.member.member_id, a.scheme, a.start) for facts, a in own}
    if len(found_twice) > 1:
        return _double_affiliation(sorted(found_twice), day, ref)
    found = own or [(facts, a) for facts in records for a in facts.member.affiliations]
    if not found:
        return EligibilityDecision(
            Status.NOT_FOUND, day, ref.version, reasons=("membre-introuvable",)
        )
    qualifying = [pair for facts in records for pair in windows(facts.member, day, ref)]
    evaluations = [
        evaluate(facts, a, day, ref, [w for b, w in qualifying if b != a]) for facts, a in found
    ]
    return _decision(min(evaluations, key=_preference), day, ref)


def _double_affiliation(
    found: list[tuple[str, str, date]], day: date, ref: ReferenceData
) -> EligibilityDecision:
    """The answer naming each affiliation in force, for the payer's review."""
    candidates = tuple(Candidate(s, ref.payer_for(s, day), since) for _, s, since in found)
    return EligibilityDecision(
        Status.DOUBLE_AFFILIATION,
        day,
        ref.version,
        reasons=("double-affiliation",),
        candidates=candidates,
    )


def _preference(evaluation: Evaluation) -> tuple[int, bool]:
    """Best status first; on a tie, the affiliation in one's own right."""
    affiliation = evaluation.affiliation
    return RANK[evaluation.status], affiliation is None or affiliation.role is not Role.INSURED


def _own_in_force(
    records: Sequence[EligibilityFacts], day: date, ref: ReferenceData
) -> list[Found]:
    """The affiliations in one's own right in force on the day, in a scheme in force."""
    return [
        (facts, a)
        for facts in records
        for a in facts.member.affiliations
        if a.role is Role.INSURED and _in_period(a, day) and ref.scheme(a.scheme, day)
    ]


def _in_period(affiliation: Affiliation, day: date) -> bool:
    """Affiliated on the day (the end date is the day rights were lost)."""
    return affiliation.start <= day and (affiliation.end is None or day < affiliation.end)


def _decision(best: Evaluation, day: date, ref: ReferenceData) -> EligibilityDecision:
    affiliation, member = best.affiliation, best.member
    assert affiliation is not None  # every evaluation names its affiliation and member
    assert member is not None
    status, reasons = best.status, best.reasons
    payer = ref.payer_for(affiliation.scheme, day) if status is not Status.NOT_FOUND else None
    if status is not Status.NOT_FOUND and payer is None:
        status, reasons = Status.NOT_FOUND, ("payeur-non-route",)
    alds = active_ald(member, day, ref) if status is not Status.NOT_FOUND else ()
    return EligibilityDecision(
        status=status,
        date_of_care=day,
        rules_version=ref.version,
        scheme=affiliation.scheme,
        payer=payer,
        role=affiliation.role,
        member_id=member.member_id,
        coverage_start=best.coverage_start if status is not Status.NOT_FOUND else None,
        coverage_end=best.coverage_end if status is not Status.NOT_FOUND else None,
        reasons=reasons,
        benefits=benefits(status, affiliation.scheme, alds, day, ref),
        ald_conditions=alds,
    )
