"""Members and affiliations for the rule tests, with sensible defaults."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.members import (
    Affiliation,
    AldGrant,
    ContributionMonth,
    DependantFacts,
    EligibilityFacts,
    Member,
    Role,
)
from domain.rules.calendar import add_months, month_start


def months_of_work(before: date, count: int = 6, days: int = 26) -> tuple[ContributionMonth, ...]:
    """`days` declared in each of the `count` complete months before the month of `before`."""
    end = month_start(before)
    return tuple(ContributionMonth(add_months(end, -i), days) for i in range(1, count + 1))


def salarie(
    care: date, *, start: date = date(2019, 1, 1), days: int = 26, **changes: Any
) -> Affiliation:
    """A CNSS salarié affiliation with `days` declared in each of the 6 months before care."""
    fields: dict[str, Any] = {
        "scheme": "AMO_SALARIES",
        "role": Role.INSURED,
        "start": start,
        "contributions": months_of_work(care, days=days),
    }
    fields.update(changes)
    return Affiliation(**fields)


def newcomer(care: date, **changes: Any) -> Affiliation:
    """A salarié immatriculated on the first of the month before care, 20 days declared:
    in the stage on the date of care."""
    start = add_months(month_start(care), -1)
    return salarie(care, start=start, contributions=(ContributionMonth(start, 20),), **changes)


def affiliation(scheme: str, start: date = date(2019, 1, 1), **changes: Any) -> Affiliation:
    """An affiliation in one's own right to any scheme."""
    return Affiliation(scheme=scheme, role=Role.INSURED, start=start, **changes)


def member(
    *affiliations: Affiliation,
    member_id: str = "M1",
    birth: date = date(1980, 3, 14),
    ald: tuple[AldGrant, ...] = (),
    dependant: DependantFacts | None = None,
) -> Member:
    """A member with the given affiliations."""
    return Member(member_id, birth, affiliations, ald=ald, dependant=dependant)


def facts(m: Member, *insureds: Member) -> EligibilityFacts:
    """The eligibility facts of a member and the insureds they depend on."""
    return EligibilityFacts(member=m, insureds={i.member_id: i for i in insureds})


def child_of(
    insured: Member,
    *,
    birth: date,
    scheme: str = "AMO_SALARIES",
    role: Role = Role.CHILD,
    dependant: DependantFacts | None = None,
) -> Member:
    """A dependant of `insured` in the same scheme."""
    link = Affiliation(scheme, role, date(2019, 1, 1), insured_id=insured.member_id)
    return member(link, member_id=f"{insured.member_id}-D", birth=birth, dependant=dependant)
