"""Reference data: every AMO figure is a row with an effective period and a source.

Rows are loaded from the files in `refdata/` into versioned tables; the rules read them
through `ReferenceData`, always for a date of care.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.rules.reference_lookup import ReferenceIndex


@dataclass(frozen=True, slots=True)
class Validity:
    """When a row is in force: from `valid_from` to `valid_to` inclusive (None: open)."""

    valid_from: date
    valid_to: date | None = None

    def covers(self, day: date) -> bool:
        """Whether the row is in force on that day."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a figure comes from and how sure we are: C confirmed, P one source, U unverified."""

    source: str
    confidence: str = "C"


@dataclass(frozen=True, slots=True)
class Scheme:
    """An AMO scheme (régime): who is covered and under which rules."""

    code: str
    label: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Payer:
    """A body that pays for a scheme (CNSS, CNOPS)."""

    code: str
    label: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class PayerRoute:
    """Which payer pays a scheme's care for dates of care in the validity (law 54.23)."""

    scheme: str
    payer: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class RateRule:
    """The share the RO pays for a care category in a situation, and on which base."""

    scheme: str
    category: str
    situation: str  # standard | public-hospital | generic | costly | ald
    rate: Decimal
    base: str  # TNR | PPV | PBR | FLAT
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class AldCondition:
    """A listed long-term condition (ALD) or long costly condition (ALC)."""

    code: str
    label: str
    kind: str  # ALD | ALC
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class DependantRule:
    """Who may be covered through an insured, and up to which age."""

    scheme: str  # a scheme code or "*"
    role: str  # spouse | child
    max_age: int | None  # covered while younger than this (None: no limit)
    student_max_age: int | None  # extended limit for unmarried students in higher education
    disabled_unlimited: bool
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class EligibilityParam:
    """A named figure of the eligibility rules for a scheme (e.g. min_working_days = 54)."""

    scheme: str  # a scheme code or "*"
    name: str
    value: int
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class PriorAuthRule:
    """Care that needs a prior authorization (prise en charge): a category, or one code in it."""

    scheme: str  # a scheme code or "*"
    category: str
    code: str  # "*" for the whole category, else a code (EAN13, NGAP act, ...)
    reason: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class IdentifierFormat:
    """The shape an identifier system's values must have (a regular expression)."""

    kind: str
    pattern: str
    validity: Validity
    provenance: Provenance
    label: str = ""  # the system's French name, for messages
    hint: str = ""  # the expected shape in words ("10 chiffres"), for messages


@dataclass(frozen=True, slots=True)
class CareCategory:
    """A care category (consultation, pharmacy, ...) with its French label."""

    code: str
    label: str
    validity: Validity
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """All reference rows, as loaded; the version names the dataset they came from."""

    version: str
    schemes: tuple[Scheme, ...] = ()
    payers: tuple[Payer, ...] = ()
    routes: tuple[PayerRoute, ...] = ()
    rates: tuple[RateRule, ...] = ()
    ald: tuple[AldCondition, ...] = ()
    dependants: tuple[DependantRule, ...] = ()
    params: tuple[EligibilityParam, ...] = ()
    prior_auth: tuple[PriorAuthRule, ...] = ()
    identifier_formats: tuple[IdentifierFormat, ...] = ()
    categories: tuple[str, ...] = field(default=())  # care category codes, in display order
    care_categories: tuple[CareCategory, ...] = ()  # the same, with labels and provenance

    def index(self) -> ReferenceIndex:
        """The lookup tables over these rows, built on first use and kept."""
        # Imported here: the index module imports this one.
        from domain.rules.reference_lookup import index_of

        return index_of(self)

    def scheme(self, code: str, day: date) -> Scheme | None:
        """The scheme with that code in force on the day."""
        return self.index().scheme(code, day)

    def payer_for(self, scheme: str, day: date) -> str | None:
        """The payer that pays the scheme's care on that date of care (law 54.23 routing)."""
        return self.index().payer_for(scheme, day)

    def rate_for(self, scheme: str, category: str, situation: str, day: date) -> RateRule | None:
        """The rate rule for a scheme, care category and situation on the day."""
        return self.index().rate_for(scheme, category, situation, day)

    def rates_for(self, scheme: str, category: str, day: date) -> tuple[RateRule, ...]:
        """Every rate rule of a scheme's care category in force on the day."""
        return self.index().rates_for(scheme, category, day)

    def param(self, scheme: str, name: str, day: date) -> int | None:
        """A named eligibility figure; the scheme's own row wins over the "*" row."""
        return self.index().param(scheme, name, day)

    def dependant_rule(self, scheme: str, role: str, day: date) -> DependantRule | None:
        """The dependant rule for a role; the scheme's own row wins over the "*" row."""
        return self.index().dependant_rule(scheme, role, day)

    def prior_auth_rules(
        self, scheme: str, category: str, code: str | None, day: date
    ) -> tuple[PriorAuthRule, ...]:
        """The prior-authorization rules that apply to a category, or to a code in it."""
        return self.index().prior_auth_rules(scheme, category, code, day)

    def ald_condition(self, code: str, day: date) -> AldCondition | None:
        """The listed ALD/ALC with that code, if in force on the day."""
        return self.index().ald(code, day)

    def identifier_format(self, kind: str, day: date) -> IdentifierFormat | None:
        """The format an identifier system requires on the day."""
        return self.index().identifier_format(kind, day)

    def identifier_pattern(self, kind: str, day: date) -> str | None:
        """The regular expression an identifier system's values must match on the day."""
        found = self.identifier_format(kind, day)
        return found.pattern if found else None
