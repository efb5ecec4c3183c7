"""Dependants: who is covered through an insured, and until when (loi 65-00, art. 5).

Age limits are reference data (`refdata/dependants.csv`) read as the texts write them:
"enfants à charge âgés de 21 ans au plus" covers a child through the whole year of age 21,
until the day before the 22nd birthday; unmarried students in higher education likewise
through age 26 ("26 ans au plus") or the end of their studies if sooner, disabled children
without limit; spouses without limit. A link the registry ends (`end`: a divorce, for one)
ends the qualifying too. Whoever stops qualifying has their rights maintained for a while
(`domain.rules.maintenance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.members import Affiliation, DependantFacts, Member
from domain.reference_rows import DependantRule
from domain.rules.calendar import birthday

ONE_DAY = timedelta(days=1)
AGE_LIMIT = "ayant-droit-age-limite"
LINK_ENDED = "ayant-droit-lien-termine"


@dataclass(frozen=True, slots=True)
class DependantCover:
    """How a dependant qualifies through one link: until when, why it ends, and on what
    ground past the children's age limit (student, disabled)."""

    end: date | None  # the first day no longer qualifying (None: no end known)
    cause: str  # the reason code of that end
    reasons: tuple[str, ...] = ()  # the ground of the cover on the day, past the child's limit

    @property
    def until(self) -> date | None:
        """The last day qualifying, when known."""
        return None if self.end is None else self.end - ONE_DAY


def past_age(birth: date, age: int) -> date:
    """The first day past "`age` ans au plus": the birthday of the next age."""
    return birthday(birth, age + 1)


def dependant_cover(
    member: Member, link: Affiliation, rule: DependantRule, day: date
) -> DependantCover:
    """How the member qualifies through the link: the link's end or the age limit, sooner."""
    limit = _limit(member, rule)
    grounds = _grounds(member, rule, day)
    if link.end is not None and (limit is None or link.end <= limit):
        return DependantCover(link.end, LINK_ENDED, grounds)
    return DependantCover(limit, AGE_LIMIT, grounds)


def _limit(member: Member, rule: DependantRule) -> date | None:
    """The first day past the age limits (None: none applies)."""
    facts = member.dependant or DependantFacts()
    if rule.max_age is None or (facts.disabled and rule.disabled_unlimited):
        return None
    child_end = past_age(member.birth_date, rule.max_age)
    student_end = _student_end(member, facts, rule)
    return child_end if student_end is None else max(child_end, student_end)


def _student_end(member: Member, facts: DependantFacts, rule: DependantRule) -> date | None:
    """The first day past the students' extension (None: it does not apply)."""
    if rule.student_max_age is None or facts.student_until is None:
        return None
    if facts.married and facts.married_on is None:
        return None  # married on a day not known: unmarried students only
    ends = [facts.student_until + ONE_DAY, past_age(member.birth_date, rule.student_max_age)]
    if facts.married_on is not None:
        ends.append(facts.married_on)
    return min(ends)


def _grounds(member: Member, rule: DependantRule, day: date) -> tuple[str, ...]:
    """Why a dependant past the children's age limit on the day is still covered."""
    if rule.max_age is None or day < past_age(member.birth_date, rule.max_age):
        return ()
    facts = member.dependant or DependantFacts()
    if facts.disabled and rule.disabled_unlimited:
        return ("ayant-droit-handicape",)
    return ("ayant-droit-etudiant",)
