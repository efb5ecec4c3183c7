"""Dependants: who is covered through an insured, and until when (loi 65-00, art. 5).

Age limits are reference data (`refdata/dependants.csv`): children while younger than
`max_age` (21), unmarried students in higher education while younger than `student_max_age`
(26), disabled children without limit; spouses without limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.members import Affiliation, DependantFacts, Member
from domain.reference import ReferenceData
from domain.reference_rows import DependantRule
from domain.rules.calendar import age_on, birthday

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DependantCover:
    """Whether a dependant's own conditions (role, age, studies) allow cover on a date."""

    covered: bool
    reasons: tuple[str, ...] = ()
    until: date | None = None  # last day these conditions hold, when known


def dependant_cover(
    member: Member, affiliation: Affiliation, day: date, ref: ReferenceData
) -> DependantCover:
    """The dependant's own conditions on the day; the insured's rights are checked apart."""
    rule = ref.dependant_rule(affiliation.scheme, affiliation.role.value, day)
    if rule is None:
        return DependantCover(False, ("ayant-droit-non-prevu",))
    return _by_age(member, rule, day)


def _by_age(member: Member, rule: DependantRule, day: date) -> DependantCover:
    if rule.max_age is None:
        return DependantCover(True)
    if age_on(member.birth_date, day) < rule.max_age:
        return DependantCover(True, (), birthday(member.birth_date, rule.max_age) - ONE_DAY)
    facts = member.dependant or DependantFacts()
    if facts.disabled and rule.disabled_unlimited:
        return DependantCover(True, ("ayant-droit-handicape",))
    return _as_student(member, facts, rule, day)


def _as_student(
    member: Member, facts: DependantFacts, rule: DependantRule, day: date
) -> DependantCover:
    limit, until = rule.student_max_age, facts.student_until
    if limit is None or until is None or facts.married or day > until:
        return DependantCover(False, ("ayant-droit-age-limite",))
    if age_on(member.birth_date, day) >= limit:
        return DependantCover(False, ("ayant-droit-age-limite",))
    last = min(until, birthday(member.birth_date, limit) - ONE_DAY)
    return DependantCover(True, ("ayant-droit-etudiant",), last)
