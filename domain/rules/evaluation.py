"""The status one affiliation gives a person on a date of care, in their own right or as a
dependant through an insured (see `domain.rules.rights` for the answer over all of them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain.eligibility import EligibilityStatus
from domain.members import Affiliation, EligibilityFacts, Member, Role
from domain.reference import ReferenceData
from domain.rules.dependants import DependantCover, dependant_cover
from domain.rules.insured import insured_status
from domain.rules.maintenance import Rights, Window, covered_from, maintain

Status = EligibilityStatus
ONE_DAY = timedelta(days=1)

# Which answer wins when a person has several affiliations (best first).
RANK = {
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


def evaluate(
    facts: EligibilityFacts,
    affiliation: Affiliation,
    day: date,
    ref: ReferenceData,
    others: Sequence[Window] = (),
) -> Evaluation:
    """The status the affiliation gives; `others`: when the person qualifies elsewhere."""
    found = _precondition(affiliation, day, ref)
    if found is None and affiliation.role is Role.INSURED:
        found = _as_evaluation(insured_status(affiliation, day, ref, others))
    elif found is None:
        found = _dependant(facts, affiliation, day, ref, others)
    return replace(found, member=facts.member, affiliation=affiliation)


def windows(member: Member, day: date, ref: ReferenceData) -> list[tuple[Affiliation, Window]]:
    """When the member qualifies under each affiliation of a scheme in force on the day."""
    found = []
    for affiliation in member.affiliations:
        if ref.scheme(affiliation.scheme, day) is None:
            continue
        if affiliation.role is Role.INSURED:
            found.append((affiliation, Window(affiliation.start, affiliation.end)))
            continue
        rule = ref.dependant_rule(affiliation.scheme, affiliation.role.value, day)
        if rule is not None:
            cover = dependant_cover(member, affiliation, rule, day)
            found.append((affiliation, Window(affiliation.start, cover.end)))
    return found


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
    facts: EligibilityFacts,
    link: Affiliation,
    day: date,
    ref: ReferenceData,
    others: Sequence[Window],
) -> Evaluation:
    rule = ref.dependant_rule(link.scheme, link.role.value, day)
    if rule is None:
        return Evaluation(Status.NOT_FOUND, ("ayant-droit-non-prevu",))
    cover = dependant_cover(facts.member, link, rule, day)
    if cover.end is not None and day >= cover.end:
        return _after_link(facts, link, (cover.end, cover.cause), day, ref, others)
    insured = _insured_evaluation(facts, link, day, ref)
    if insured.status is Status.NOT_FOUND:
        return Evaluation(Status.NOT_FOUND, ("assure-principal-sans-droits", *insured.reasons))
    return _through_insured(insured, cover, link)


def _after_link(
    facts: EligibilityFacts,
    link: Affiliation,
    loss: tuple[date, str],
    day: date,
    ref: ReferenceData,
    others: Sequence[Window],
) -> Evaluation:
    """A dependant who stopped qualifying through the link on a day, for a reason (`loss`):
    the rights maintained, if any."""
    end, cause = loss
    last = end - ONE_DAY
    if last < link.start:
        return Evaluation(Status.NOT_FOUND, (cause,))
    before = _insured_evaluation(facts, link, last, ref)
    held = Rights(before.status, start=before.coverage_start, end=before.coverage_end)
    months = ref.param(link.scheme, "maintain_months", day) or 0
    kept = maintain(held, end, day, months, covered_from(others, end))
    if kept.status is Status.NOT_FOUND:
        return Evaluation(Status.NOT_FOUND, (cause, *kept.reasons))
    start = max(d for d in (link.start, kept.start) if d is not None)
    return Evaluation(kept.status, (*kept.reasons, cause), None, None, start, kept.end)


def _insured_evaluation(
    facts: EligibilityFacts, link: Affiliation, day: date, ref: ReferenceData
) -> Evaluation:
    """The best rights of the link's insured, in the link's scheme, on the day."""
    # A link always names its insured (domain.registry checks it): "" is never looked up.
    insured = facts.insureds.get(link.insured_id or "")  # pragma: no mutate
    if insured is None:
        return Evaluation(Status.NOT_FOUND, ())
    qualifying = windows(insured, day, ref)
    found = [
        _as_evaluation(insured_status(a, day, ref, [w for b, w in qualifying if b != a]))
        for a in insured.affiliations
        if a.role is Role.INSURED and a.scheme == link.scheme and a.start <= day
    ]
    if not found:
        return Evaluation(Status.NOT_FOUND, ())
    return min(found, key=lambda e: RANK[e.status])


def _through_insured(insured: Evaluation, cover: DependantCover, link: Affiliation) -> Evaluation:
    reasons = insured.reasons + cover.reasons
    if not insured.status.in_force:
        reasons = ("assure-principal-sans-droits", *reasons)
    starts = [d for d in (link.start, insured.coverage_start) if d is not None]
    ends = [d for d in (insured.coverage_end, cover.until) if d is not None]
    return Evaluation(
        insured.status,
        reasons,
        coverage_start=max(starts),
        coverage_end=min(ends) if ends else None,
    )
