"""Members of the AMO schemes as the payers' registries describe them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class IdentifierKind(StrEnum):
    """The identifier systems a person can be found by (published as FHIR identifier systems)."""

    IDCS = "idcs"  # identifiant civil et social, 10 digits
    CNSS = "cnss"  # CNSS immatriculation number
    CNOPS = "cnops"  # CNOPS affiliation number
    CIN = "cin"  # carte d'identité nationale


@dataclass(frozen=True, slots=True)
class PersonIdentifier:
    """One identifier of a person: its kind and its normalised value."""

    kind: IdentifierKind
    value: str


class Role(StrEnum):
    """A person's place in an affiliation: in their own right or as a dependant."""

    INSURED = "insured"
    SPOUSE = "spouse"
    CHILD = "child"


@dataclass(frozen=True, slots=True)
class ContributionMonth:
    """Working days declared for the insured in one calendar month (CNSS salariés)."""

    month: date  # first day of the month
    working_days: int


@dataclass(frozen=True, slots=True)
class AldGrant:
    """A long-term condition (ALD/ALC) recognised for a member, for a period."""

    condition: str
    start: date
    end: date | None = None

    def active_on(self, day: date) -> bool:
        """Whether the grant covers that date of care."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Affiliation:
    """A person's affiliation to one scheme, in their own right or through an insured."""

    scheme: str
    role: Role
    start: date
    # The day the person stopped qualifying (None: still affiliated): an insured's loss of the
    # job, a dependant's link to the insured ended (a divorce, for one).
    end: date | None = None
    insured_id: str | None = None  # for dependants: member_id of the insured
    contributions: tuple[ContributionMonth, ...] = ()
    first_payment: date | None = None  # TNS: first contribution paid
    suspended_from: date | None = None  # contributions in arrears from that date
    suspended_until: date | None = None  # arrears settled on that date (None: still in arrears)
    transferred_from: str | None = None  # previous AMO scheme: no waiting period on a move


@dataclass(frozen=True, slots=True)
class DependantFacts:
    """What the dependant rules need to know about a spouse or child."""

    student_until: date | None = None  # enrolled in higher education until that date
    married: bool = False
    disabled: bool = False
    married_on: date | None = None  # the day of the marriage, when known: the studies'
    # extension ends that day (married without a date: no extension at all)


@dataclass(frozen=True, slots=True)
class Member:
    """A person in a payer's registry with everything eligibility depends on.

    Names and identifiers are not here: they are personal data, held encrypted by the
    adapters; the rules never need them.
    """

    member_id: str
    birth_date: date
    affiliations: tuple[Affiliation, ...]
    ald: tuple[AldGrant, ...] = ()
    dependant: DependantFacts | None = None
    version: int = 1


@dataclass(frozen=True, slots=True)
class EligibilityFacts:
    """A member and the insured members their dependant affiliations go through."""

    member: Member
    insureds: dict[str, Member] = field(default_factory=dict)
