"""Claims in tiers payant: what a provider bills, line by line, and what the payer answers.

A `SubmitClaim` carries the lines as coded by the provider, the insured's coverage facts and
the provider's admission; `domain.rules.adjudication.adjudicate` answers it with an
`Adjudication`: per line, what was submitted, the eligible base, the RO benefit, the
complementary (RC) share, the patient's share and the billing above tariff, with a status and
coded reasons. Amounts are integer centimes; every line adds up to what was billed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.errors import DomainError
from domain.members import AldGrant, PersonIdentifier
from domain.money import ZERO, Money


class CorrectedClaimUnknown(DomainError):
    """A correction cites a claim the provider never made payable (or another's)."""

    code = "demande-corrigee-inconnue"


class CodeKind(StrEnum):
    """The code system of a line, which says how its base is priced."""

    DRUG = "drug"  # an EAN13 of the payer's catalog; quantity in boxes
    NGAP = "ngap"  # an NGAP key letter (C, Cs, K, ...) times a coefficient
    NABM = "nabm"  # a NABM lab act, priced in B units (the coefficient)
    FLAT = "flat"  # a flat fee (caesarean, vaginal delivery)
    DAYS = "days"  # a hospital day rate; quantity in days


class ClaimUse(StrEnum):
    """A claim to be paid, or a predetermination asked before the care."""

    CLAIM = "claim"
    PREDETERMINATION = "predetermination"


class LineStatus(StrEnum):
    """What became of a line."""

    ACCEPTED = "accepted"  # paid as billed
    REDUCED = "reduced"  # paid on less than billed (tariff, cap, substitution, quantity)
    REJECTED = "rejected"  # not paid, with a coded reason
    INCOMPLETE = "incomplete"  # documents missing: not a refusal, sent again when complete


PAYABLE = frozenset({LineStatus.ACCEPTED, LineStatus.REDUCED})


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One billed item, as coded by the provider."""

    sequence: int
    category: str  # a care category of categories.csv
    kind: CodeKind
    code: str  # EAN13, key letter, NABM act code, flat-fee code or day-rate code
    billed: Money
    service_date: date
    quantity: int = 1
    coefficient: Decimal = Decimal(1)  # NGAP coefficient, or the NABM act's B units
    pa_reference: str | None = None
    pa_valid: bool = False  # a granted, unexpired PA with enough left covers the line
    ald_condition: str | None = None  # the ALD/ALC the provider links the line to
    prescription_id: str | None = None
    prescribed_quantity: int | None = None
    generic_dispensed: bool = False
    documents: frozenset[str] = frozenset()  # document codes sent with the line


@dataclass(frozen=True, slots=True)
class Insured:
    """The patient as coverage sees them on the dates of care: scheme and ALD grants."""

    member_id: str
    scheme: str
    ald: tuple[AldGrant, ...] = ()

    def holds(self, condition: str | None, day: date) -> bool:
        """Whether the patient holds that ALD/ALC on the day."""
        return any(g.condition == condition and g.active_on(day) for g in self.ald)


@dataclass(frozen=True, slots=True)
class Complementary:
    """What the patient's complementary (RC) pays of a line: shares of the ticket modérateur
    and of the billing above tariff (its organisation's row of complementary.csv in force)."""

    ticket_rate: Decimal
    above_tariff_rate: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class SubmitClaim:
    """Adjudicate a claim: a provider's lines for one patient, filed with one payer."""

    claim_id: str  # the provider's business identifier
    provider_id: str
    provider_category: str  # pharmacy, gp, specialist, clinic, public-hospital, ...
    payer: str  # the payer the claim is filed with (it keeps it)
    admitted: bool  # the provider is admitted to that payer's tiers payant
    insured: Insured
    claim_type: str  # ambulatory, costly-drug, facility (filing_windows.csv)
    lines: tuple[ClaimLine, ...]
    filed_on: date
    use: ClaimUse = ClaimUse.CLAIM
    related_claim: str | None = None  # the claim this one corrects
    # The patient's complementary organisation as the claim names it (complementary.csv code;
    # "" for one named in no system of ours), None when it names none.
    complementary: str | None = None


@dataclass(frozen=True, slots=True)
class PastLine:
    """A line already billed for the patient, as the history gives it."""

    claim_id: str
    provider_id: str
    member_id: str
    code: str
    service_date: date
    quantity: int = 1
    prescription_id: str | None = None


@dataclass(frozen=True, slots=True)
class PastBenefit:
    """What the RO already paid for a category (and code), for caps per period."""

    category: str
    code: str
    service_date: date
    benefit: Money


@dataclass(frozen=True, slots=True)
class ClaimHistory:
    """The patient's earlier lines and benefits the checks are made against."""

    lines: tuple[PastLine, ...] = ()
    benefits: tuple[PastBenefit, ...] = ()


@dataclass(frozen=True, slots=True)
class LineResult:
    """The answer for one line; submitted = benefit + complementary + patient."""

    sequence: int
    status: LineStatus
    submitted: Money
    eligible: Money  # the base the rate applies to (at most the billed amount)
    benefit: Money  # what the RO pays
    complementary: Money  # what the RC pays
    patient: Money  # what the patient pays
    above_tariff: Money  # billed above the base: never paid by the RO
    rate: Decimal
    ald_exempt: bool
    reasons: tuple[str, ...]
    missing_documents: tuple[str, ...]
    reference_version: str


@dataclass(frozen=True, slots=True)
class Adjudication:
    """The answer to a claim: its lines, their totals and when the payer pays."""

    claim_id: str
    use: ClaimUse
    lines: tuple[LineResult, ...]
    payment_date: date | None  # None: nothing payable, or a predetermination
    reference_version: str

    def total(self, share: str) -> Money:
        """The sum of one amount (submitted, benefit, complementary, patient, ...) of the
        lines."""
        return sum((getattr(line, share) for line in self.lines), ZERO)

    @property
    def payable(self) -> Money:
        """What the RO pays now: the benefit of accepted and reduced lines."""
        return sum((line.benefit for line in self.lines if line.status in PAYABLE), ZERO)


@dataclass(frozen=True, slots=True)
class ClaimRequest:
    """A claim as the provider wrote it: what the use case finds the rest of the facts for
    (the patient's coverage, the provider's admission, the prises en charge it cites)."""

    identifiers: tuple[PersonIdentifier, ...]
    claim_id: str  # the provider's business identifier: a claim is payable once
    use: ClaimUse
    claim_type: str
    lines: tuple[ClaimLine, ...]
    filed_on: date
    related_claim: str | None = None
    foreign: tuple[int, ...] = ()  # items coded in a system the payer does not read
    complementary: str | None = None  # as SubmitClaim.complementary


@dataclass(frozen=True, slots=True)
class StoredClaim:
    """What the use cases read back of a claim as it was stored."""

    claim_id: str  # the provider's business identifier
    pa_references: frozenset[str]  # the prises en charge its lines cite
    related_claim: str | None = None  # the claim it corrects, as it names it
