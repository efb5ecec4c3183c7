"""Eligibility: is a person covered on a date of care, by whom, at which rates.

The decision function `decide_eligibility` lives in `domain/rules/rights.py`; this module
holds the vocabulary every layer shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.members import PersonIdentifier, Role


class EligibilityStatus(StrEnum):
    """The answers the desk gets (DOMAIN.md "Eligibility")."""

    OPEN = "open"
    WAITING_PERIOD = "waiting-period"
    SUSPENDED = "suspended"
    MAINTAINED = "maintained"
    NOT_FOUND = "not-found"
    DOUBLE_AFFILIATION = "double-affiliation"

    @property
    def in_force(self) -> bool:
        """Whether care is covered in general (suspended members keep ALD care only)."""
        return self in (EligibilityStatus.OPEN, EligibilityStatus.MAINTAINED)


class Purpose(StrEnum):
    """CoverageEligibilityRequest.purpose (HL7 eligibilityrequest-purpose)."""

    AUTH_REQUIREMENTS = "auth-requirements"
    BENEFITS = "benefits"
    DISCOVERY = "discovery"
    VALIDATION = "validation"


@dataclass(frozen=True, slots=True)
class Benefit:
    """What the RO pays for one care category on the date of care."""

    category: str
    rate: Decimal  # share paid by the RO, 0..1
    base: str  # TNR | PPV | PBR | FLAT
    situation: str  # the rate rule's situation (standard, ald, ...)
    ald_exempt: bool = False  # ticket modérateur waived for care linked to an ALD


@dataclass(frozen=True, slots=True)
class Candidate:
    """An affiliation in one's own right found in force: one of those a double affiliation
    names for the payer's review (the payer is None where no route is known on the date)."""

    scheme: str
    payer: str | None
    since: date  # the affiliation's start


@dataclass(frozen=True, slots=True)
class EligibilityDecision:
    """The eligibility answer for a person on a date of care (no item detail)."""

    status: EligibilityStatus
    date_of_care: date
    rules_version: str
    scheme: str | None = None
    payer: str | None = None
    role: Role | None = None
    member_id: str | None = None
    coverage_start: date | None = None
    coverage_end: date | None = None  # last day rights are maintained, when they are
    reasons: tuple[str, ...] = ()  # reason codes (CodeSystem reason), most important first
    benefits: tuple[Benefit, ...] = ()
    ald_conditions: tuple[str, ...] = ()  # ALD/ALC active on the date of care
    candidates: tuple[Candidate, ...] = ()  # a double affiliation's affiliations in force


@dataclass(frozen=True, slots=True)
class RequestedItem:
    """An act, drug or stay the provider asks about."""

    category: str
    code: str | None = None  # NGAP act, EAN13 drug, ... or None for the whole category
    ald_condition: str | None = None  # the ALD the care is declared linked to, if any
    sequence: int = 0
    situation: str | None = None  # public-hospital, generic, ... (None: the category's default)


@dataclass(frozen=True, slots=True)
class ItemDecision:
    """The answer for one requested item: covered, at which rate, PA needed."""

    item: RequestedItem
    covered: bool
    rate: Decimal
    base: str | None
    ald_exempt: bool
    needs_prior_authorization: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckEligibility:
    """Command: check a person's rights on a date of care, optionally for given items."""

    identifiers: tuple[PersonIdentifier, ...]
    date_of_care: date
    purposes: frozenset[Purpose]
    items: tuple[RequestedItem, ...] = ()


@dataclass(frozen=True, slots=True)
class EligibilityOutcome:
    """The use case's result: the decision and one answer per requested item."""

    decision: EligibilityDecision
    items: tuple[ItemDecision, ...] = ()
    from_cache: bool = False
    # Why the requesting provider cannot bill the decision's payer in tiers payant (reason
    # codes; empty: it can, or it is not known). The rights are stated all the same.
    tiers_payant: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """The decision's status, kept with the record for statistics."""
        return self.decision.status.value
