"""Settlement: what is due to providers, paid in cycles of transfers, one file per payer.

A cycle of a payer on a date takes every claim due by then (its `due` on or before the date,
or no term at all), not yet in a live transfer and not reversed, and groups them per
provider into one transfer each, paid into the provider's approved account. The cycle is a
batch (one pain.001 file); each transfer's end-to-end id is derived from what it pays: the
batch, the payer, the provider and its claims in order. A claim is in at most one live
transfer (the store refuses a second); a transfer the bank rejects gives its claims back to
the payables of the next cycle, under a new batch and so a new id.

A cycle runs in steps, each committed before the next, so that a crash anywhere leaves a
state the next run takes up: the batch planned (transfers and their claims recorded), the
payments posted to the ledger, the file written, the batch filed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain import ledger
from domain.bank_accounts import Rib
from domain.errors import Conflict, DomainError
from domain.money import ZERO, Money

E2E_LENGTH = 24  # hex digits of the hash: well within pain.001's 35 characters


class BatchStatus(StrEnum):
    """Where a settlement batch stands."""

    PLANNED = "planned"  # transfers and their claims recorded, nothing posted yet
    POSTED = "posted"  # payment entries in the ledger, the file not yet written
    FILED = "filed"  # the credit-transfer file written: handed to the bank


class AlreadyPaid(Conflict):
    """A claim already in a live transfer: a claim is paid at most once."""

    code = "deja-en-paiement"


class OutOfOrder(DomainError):
    """Payables not given in (provider, claim) order: transfers would be split."""

    code = "ordre-des-creances"


@dataclass(frozen=True, slots=True)
class Payable:
    """An accepted claim owed to its provider and not yet in a live transfer."""

    source: str  # the ledger source: "<provider>:<claim id>"
    payer: str
    provider: str
    amount: Money
    due: date | None


@dataclass(frozen=True, slots=True)
class Transfer:
    """One credit transfer of a batch: what a payer pays a provider for these claims."""

    id: str  # the end-to-end id
    batch: str
    payer: str
    provider: str
    iban: str
    claims: tuple[Payable, ...]

    @property
    def amount(self) -> Money:
        """What the transfer pays: the sum of its claims."""
        return sum((c.amount for c in self.claims), ZERO)

    def payment(self, at: datetime) -> ledger.Entry:
        """The ledger entry settling its claims."""
        sources = tuple(c.source for c in self.claims)
        return ledger.payment(
            self.id, payer=self.payer, provider=self.provider, claims=sources,
            amount=self.amount, at=at,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Batch:
    """One settlement cycle of a payer: one file of transfers."""

    id: str
    payer: str
    cycle: date
    status: BatchStatus
    created: datetime


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What a cycle did: its batch, transfers and total, and the providers left unpaid for
    want of an approved account."""

    batch: str | None
    transfers: int
    total: Money
    file: str | None = None
    without_account: tuple[str, ...] = ()


def batch_id(payer: str, cycle: date, sequence: int) -> str:
    """A batch's id: the payer, the cycle's date, its rank among that day's batches."""
    return f"{payer}-{cycle:%Y%m%d}-{sequence:02d}"


def end_to_end_id(batch: str, payer: str, provider: str, sources: Iterable[str]) -> str:
    """The transfer's end-to-end id: a short hash of what it pays, in claim order."""
    digest = hashlib.sha256(f"{batch}\n{payer}\n{provider}".encode())
    for source in sources:
        digest.update(b"\n" + source.encode())
    return digest.hexdigest()[:E2E_LENGTH].upper()


def is_due(payable: Payable, cycle: date) -> bool:
    """Whether a payable is paid in a cycle on that date (no term: paid at the next one)."""
    return payable.due is None or payable.due <= cycle


def group_transfers(
    batch: str, payer: str, payables: Iterable[Payable], account: Callable[[str], Rib | None],
    skipped: Callable[[str], None] = lambda provider: None,
) -> Iterator[Transfer]:  # fmt: skip
    """The transfers of a batch from payables in (provider, claim) order, one provider at a
    time: only one provider's claims are held at once. A provider without an approved
    account is passed to `skipped` and left unpaid."""
    current: list[Payable] = []
    for payable in payables:
        if current and (payable.provider, payable.source) <= (
            current[-1].provider,
            current[-1].source,
        ):
            raise OutOfOrder(f"{payable.source} après {current[-1].source}")
        if current and payable.provider != current[-1].provider:
            yield from _transfer(batch, payer, current, account, skipped)
            current = []
        current.append(payable)
    if current:
        yield from _transfer(batch, payer, current, account, skipped)


def _transfer(
    batch: str, payer: str, claims: list[Payable], account: Callable[[str], Rib | None],
    skipped: Callable[[str], None],
) -> Iterator[Transfer]:  # fmt: skip
    provider = claims[0].provider
    rib = account(provider)
    if rib is None:
        skipped(provider)
        return
    if any(c.payer != payer for c in claims):
        raise OutOfOrder(f"Créance d'un autre payeur que {payer} chez {provider}")
    sources = [c.source for c in claims]
    e2e = end_to_end_id(batch, payer, provider, sources)
    yield Transfer(e2e, batch, payer, provider, rib.iban, tuple(claims))
