"""The ledger: what the payers owe providers, in double entry, each movement once.

Every movement is an `Entry` of postings that add up to zero (a posting is a debit when
positive, a credit when negative), on accounts named by what they hold:

    claim accepted:   debit  benefits:<payer>            credit payable:<payer>:<provider>
    claim reversed:   the accepted entry's postings, negated (cancel, correction)
    payment:          debit  payable:<payer>:<provider>  credit bank:<payer>
    rejection:        the payment's postings, negated (the bank returned the transfer)

An entry's id is derived from what it records (`claim:<id>`, `reversal:claim:<id>`,
`payment:<id>`, `rejection:payment:<id>`): recording it twice is recording the same id
twice, which the store refuses, so a retried claim or a replayed payment file can never pay
twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.errors import Conflict, DomainError
from domain.money import ZERO, Money


class EntryKind(StrEnum):
    """What an entry records."""

    CLAIM = "claim"  # a claim accepted: the RO benefit becomes payable to the provider
    REVERSAL = "reversal"  # an entry undone (a claim cancelled or corrected)
    PAYMENT = "payment"  # a transfer to the provider settles what was payable
    REJECTION = "rejection"  # the bank returned a transfer: what it paid is payable again


class Unbalanced(DomainError):
    """An entry whose postings do not add up to zero, or that moves nothing."""

    code = "ecriture-desequilibree"


class AlreadyRecorded(Conflict):
    """An entry whose id was recorded before: the claim (or payment) it records was too."""

    code = "deja-comptabilise"


class AlreadyReversed(Conflict):
    """A claim already cancelled or corrected is not corrected again."""

    code = "demande-deja-annulee"


class AlreadySettled(DomainError):
    """A claim already paid to the provider is neither cancelled nor corrected by a new claim:
    what was paid is settled; a difference is taken up with the payer."""

    code = "deja-regle"


@dataclass(frozen=True, slots=True)
class Posting:
    """An amount on one account: a debit when positive, a credit when negative."""

    account: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Entry:
    """One movement, balanced, with the id of what it records."""

    id: str
    kind: EntryKind
    at: datetime
    postings: tuple[Posting, ...]
    source: str  # the claim (or payment) it records
    due: date | None = None  # a claim's: when the payer promised to pay it (payment_clock)
    request: str | None = None  # a claim's: the Claim it was recorded with (its exchange)
    response: str | None = None  # and the ClaimResponse that answered it

    def __post_init__(self) -> None:
        if not self.postings or all(p.amount == ZERO for p in self.postings):
            raise Unbalanced(f"L'écriture {self.id} ne porte aucun montant")
        if sum((p.amount for p in self.postings), ZERO) != ZERO:
            raise Unbalanced(f"L'écriture {self.id} n'est pas équilibrée")


def benefits(payer: str) -> str:
    """The account of what a payer has taken on as benefits."""
    return f"benefits:{payer}"


def payable(payer: str, provider: str) -> str:
    """The account of what a payer owes a provider."""
    return f"payable:{payer}:{provider}"


def bank(payer: str) -> str:
    """The account of a payer's transfers."""
    return f"bank:{payer}"


def claim_accepted(
    claim_id: str, *, payer: str, provider: str, benefit: Money, at: datetime,
    due: date | None = None, request: str | None = None, response: str | None = None,
) -> Entry | None:  # fmt: skip
    """The RO benefit of an accepted claim made payable to the provider, due on the date the
    payer's term gives (None: nothing is payable, e.g. every line rejected); `request` and
    `response` name the Claim and ClaimResponse of its exchange."""
    if benefit < ZERO:
        raise Unbalanced(f"Prestation négative pour la demande {claim_id}")
    if benefit == ZERO:
        return None
    postings = (Posting(benefits(payer), benefit), Posting(payable(payer, provider), -benefit))
    return Entry(f"claim:{claim_id}", EntryKind.CLAIM, at, postings, claim_id, due, request,
                 response)  # fmt: skip


def reversal(entry: Entry, *, at: datetime, settled: Iterable[Entry] = ()) -> Entry:
    """The entry undone: its postings negated, under an id derived from it. A claim already
    settled by a payment is not reversed (AlreadySettled)."""
    if entry.kind is not EntryKind.CLAIM:
        raise Unbalanced(f"Seule une demande acceptée s'annule ainsi, pas {entry.id}")
    if any(p.kind is EntryKind.PAYMENT and entry.source in p.source.split() for p in settled):
        raise AlreadySettled(f"La demande {entry.source} est déjà réglée au prestataire")
    postings = tuple(Posting(p.account, -p.amount) for p in entry.postings)
    return Entry(f"reversal:{entry.id}", EntryKind.REVERSAL, at, postings, entry.source)


def payment(
    payment_id: str, *, payer: str, provider: str, claims: tuple[str, ...], amount: Money,
    at: datetime,
) -> Entry:  # fmt: skip
    """A transfer settling what a payer owes a provider for these claims."""
    if amount < ZERO:
        raise Unbalanced(f"Virement {payment_id} d'un montant négatif")
    postings = (Posting(payable(payer, provider), amount), Posting(bank(payer), -amount))
    return Entry(f"payment:{payment_id}", EntryKind.PAYMENT, at, postings, " ".join(claims))


def rejection(entry: Entry, *, at: datetime) -> Entry:
    """A payment the bank returned, undone: its claims are owed to the provider again."""
    if entry.kind is not EntryKind.PAYMENT:
        raise Unbalanced(f"Seul un virement est rejeté par la banque, pas {entry.id}")
    postings = tuple(Posting(p.account, -p.amount) for p in entry.postings)
    return Entry(f"rejection:{entry.id}", EntryKind.REJECTION, at, postings, entry.source)


def balance(entries: Iterable[Entry], account: str) -> Money:
    """What an account holds: its debits less its credits."""
    return sum((p.amount for e in entries for p in e.postings if p.account == account), ZERO)
