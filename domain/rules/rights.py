"""Eligibility: the status of a person's rights on a date of care (DOMAIN.md "Eligibility").

Every figure (54 days, 6 months, waiting months, age limits) is read from reference data for
the date of care; an affiliation whose scheme, parameters or payer are not in the reference
data is not in force. Statuses and when they are given:

- NOT_FOUND: no record; the affiliation starts after the date of care; rights lost and the
  maintenance period over; the scheme or its payer unknown on the date; a dependant past
  the age limit, or whose insured has no affiliation to the same scheme.
- WAITING_PERIOD: a waiting period (from the first payment) not over, or too few working
  days declared in the complete calendar months before the month of care. A move from another
  AMO scheme (`transferred_from`) waives both.
- SUSPENDED: contributions in arrears on the date (ALD/ALC care stays covered).
- MAINTAINED: affiliation lost (`end`) less than `maintain_months` ago, rights open the day
  before the loss.
- DOUBLE_AFFILIATION: more than one affiliation in one's own right in force on the date,
  within one record or across records. Dependant affiliations do not count: a child may be
  covered through both parents; the best of them answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from domain.eligibility import EligibilityDecision, EligibilityStatus
from domain.members import Affiliation, EligibilityFacts, Member, Role
from domain.reference import ReferenceData
from domain.rules.coverage import active_ald, benefits, decide_items
from domain.rules.dependants import DependantCover, dependant_cover
from domain.rules.insured import Rights, insured_status

__all__ = ["Evaluation", "decide_eligibility", "decide_items"]

Status = EligibilityStatus

# Which answer wins when a person has several affiliations (best first).
_RANK = {
    Status.OPEN: 0,
    Status.MAINTAINED: 1,
    Status.SUSPENDED: 2,
    Status.WAITING_PERIOD: 3,
    Status.NOT_FOUND: 4,
}


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The status one affiliation gives on a date, and why."""

    status: EligibilityStatus
    reasons: tuple[str, ...]
    member: Member | None = None
    affiliation: Affiliation | None = None
    coverage_start: date | None = None
    coverage_end: date | None = None


def decide_eligibility(
    records: Sequence[EligibilityFacts], day: date, ref: ReferenceData
) -> EligibilityDecision:
    """The eligibility answer for the records found for one person on a date of care."""
    if _double_affiliation(records, day, ref):
        return EligibilityDecision(
            Status.DOUBLE_AFFILIATION, day, ref.version, reasons=("double-affiliation",)
        )
    evaluations = [_evaluate(f, a, day, ref) for f in records for a in f.member.affiliations]
    if not evaluations:
        return EligibilityDecision(
            Status.NOT_FOUND, day, ref.version, reasons=("membre-introuvable",)
        )
    return _decision(min(evaluations, key=_preference), day, ref)


def _preference(evaluation: Evaluation) -> tuple[int, int]:
    own_right = evaluation.affiliation is not None and evaluation.affiliation.role is Role.INSURED
    return _RANK[evaluation.status], 0 if own_right else 1


def _double_affiliation(records: Sequence[EligibilityFacts], day: date, ref: ReferenceData) -> bool:
    own = {
        (facts.member.member_id, a.scheme, a.start)
        for facts in records
        for a in facts.member.affiliations
        if a.role is Role.INSURED and _in_period(a, day) and ref.scheme(a.scheme, day)
    }
    return len(own) > 1


def _in_period(affiliation: Affiliation, day: date) -> bool:
    """Affiliated on the day (the end date is the day rights were lost)."""
    return affiliation.start <= day and (affiliation.end is None or day < affiliation.end)


def _evaluate(
    facts: EligibilityFacts, affiliation: Affiliation, day: date, ref: ReferenceData
) -> Evaluation:
    found = _precondition(affiliation, day, ref)
    if found is None and affiliation.role is Role.INSURED:
        found = _as_evaluation(insured_status(affiliation, day, ref))
    elif found is None:
        found = _dependant(facts, affiliation, day, ref)
    return replace(found, member=facts.member, affiliation=affiliation)


def _precondition(affiliation: Affiliation, day: date, ref: ReferenceData) -> Evaluation | None:
    if ref.scheme(affiliation.scheme, day) is None:
        return Evaluation(Status.NOT_FOUND, ("regime-inconnu",))
    if affiliation.start > day:
        return Evaluation(Status.NOT_FOUND, ("affiliation-non-commencee",))
    return None


def _as_evaluation(rights: Rights) -> Evaluation:
    return Evaluation(
        rights.status, rights.reasons, coverage_start=rights.start, coverage_end=rights.end
    )


def _dependant(
    facts: EligibilityFacts, affiliation: Affiliation, day: date, ref: ReferenceData
) -> Evaluation:
    if affiliation.end is not None and day >= affiliation.end:
        return Evaluation(Status.NOT_FOUND, ("ayant-droit-lien-termine",))
    cover = dependant_cover(facts.member, affiliation, day, ref)
    if not cover.covered:
        return Evaluation(Status.NOT_FOUND, cover.reasons)
    insured = _insured_evaluation(facts, affiliation, day, ref)
    if insured.status is Status.NOT_FOUND:
        return Evaluation(Status.NOT_FOUND, ("assure-principal-sans-droits", *insured.reasons))
    return _through_insured(insured, cover, affiliation)


def _insured_evaluation(
    facts: EligibilityFacts, affiliation: Affiliation, day: date, ref: ReferenceData
) -> Evaluation:
    insured = facts.insureds.get(affiliation.insured_id or "")
    own = [
        a
        for a in (insured.affiliations if insured else ())
        if a.role is Role.INSURED and a.scheme == affiliation.scheme and a.start <= day
    ]
    found = [_as_evaluation(insured_status(a, day, ref)) for a in own]
    if not found:
        return Evaluation(Status.NOT_FOUND, ())
    return min(found, key=lambda e: _RANK[e.status])


def _through_insured(
    insured: Evaluation, cover: DependantCover, affiliation: Affiliation
) -> Evaluation:
    reasons = insured.reasons + cover.reasons
    if not insured.status.in_force:
        reasons = ("assure-principal-sans-droits", *reasons)
    starts = [d for d in (affiliation.start, insured.coverage_start) if d is not None]
    ends = [d for d in (insured.coverage_end, cover.until) if d is not None]
    return Evaluation(
        insured.status,
        reasons,
        coverage_start=max(starts),
        coverage_end=min(ends) if ends else None,
    )


def _decision(best: Evaluation, day: date, ref: ReferenceData) -> EligibilityDecision:
    affiliation, member = best.affiliation, best.member
    assert affiliation is not None and member is not None  # every evaluation names both
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
