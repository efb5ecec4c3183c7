"""Dependants: who is covered through an insured, and until when (loi 65-00, art. 5).

Age limits are reference data (`refdata/dependants.csv`) read as the texts write them:
"enfants à charge âgés de 21 ans au plus" covers a child through the whole year of age 21,
until the day before the 22nd birthday; unmarried students in higher education likewise
through age 26 ("26 ans au plus"), disabled children without limit; spouses without limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.members import Affiliation, DependantFacts, Member
from domain.reference import ReferenceData
from domain.reference_rows import DependantRule
from domain.rules.calendar import birthday

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


def past_age(birth: date, age: int) -> date:
    """The first day past "`age` ans au plus": the birthday of the next age."""
    return birthday(birth, age + 1)


def _by_age(member: Member, rule: DependantRule, day: date) -> DependantCover:
    if rule.max_age is None:
        return DependantCover(True)
    child_end = past_age(member.birth_date, rule.max_age)
    if day < child_end:
        return DependantCover(True, (), child_end - ONE_DAY)
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
    student_end = past_age(member.birth_date, limit)
    if day >= student_end:
        return DependantCover(False, ("ayant-droit-age-limite",))
    return DependantCover(True, ("ayant-droit-etudiant",), min(until, student_end - ONE_DAY))
