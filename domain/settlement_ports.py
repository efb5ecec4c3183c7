"""Ports of the settlement: the store of batches and transfers, the providers' accounts and
the bank files. (Transfers are read as providers are told of them through
domain.transfer_ports.TransferReader.)"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from domain.authorization_ports import Ledger
from domain.bank_accounts import AccountChange, Rib
from domain.money import Money
from domain.payment_records import TransferRecord, TransferStatus
from domain.settlement import Batch, BatchStatus, Payable, Transfer
from domain.uow_ports import AuditLog, Outbox


@dataclass(frozen=True, slots=True)
class StatementLine:
    """What a bank statement says of one transfer: executed, or returned with a reason."""

    end_to_end_id: str
    status: TransferStatus  # EXECUTED or REJECTED
    at: datetime
    reason: str | None = None  # ISO 20022 return reason code (AC04, AC01...)
    centimes: int | None = None  # the amount the bank booked, when the statement tells it


class BankAccounts(Protocol):
    """Providers' bank accounts and the changes waiting for approval."""

    def active(self, provider: str) -> Rib | None:
        """The account a provider is paid into (None: none approved yet)."""
        ...

    def every_active(self) -> dict[str, Rib]:
        """Every provider's approved account, read at once (a cycle pays many providers)."""
        ...

    def pending(self, provider: str) -> AccountChange | None:
        """The change of account waiting for its second approval, if any."""
        ...

    def every_pending(self) -> list[AccountChange]:
        """Every change waiting for its second approval, oldest first."""
        ...

    def propose(self, change: AccountChange) -> None:
        """Record a proposed change, replacing one still pending."""
        ...

    def approve(self, change: AccountChange) -> None:
        """Make an approved change the provider's account."""
        ...


class SettlementStore(Protocol):
    """Batches, transfers and the claims they pay; it never commits."""

    def lock_payer(self, payer: str) -> None:
        """Hold the payer's settlement until the transaction ends (one cycle at a time)."""
        ...

    def open_batch(self, payer: str) -> Batch | None:
        """The payer's batch not yet filed, if a run stopped half-way."""
        ...

    def batches_on(self, payer: str, cycle: date) -> int:
        """How many batches the payer has on that date."""
        ...

    def due(self, payer: str, cycle: date) -> Iterator[Payable]:
        """The payer's claims due by that date and in no live transfer, in (provider,
        claim) order, streamed."""
        ...

    def add_batch(self, batch: Batch) -> None:
        """Record a new batch."""
        ...

    def add_transfers(self, transfers: Sequence[Transfer], at: datetime) -> None:
        """Record transfers and their claims; AlreadyPaid when a claim is in a live one."""
        ...

    def transfers(self, batch: str) -> Iterator[Transfer]:
        """A batch's transfers, in id order, streamed."""
        ...

    def totals(self, batch: str) -> tuple[int, Money]:
        """A batch's number of transfers and their sum: its file's control totals."""
        ...

    def set_status(self, batch: str, status: BatchStatus) -> None:
        """Move a batch on (and its transfers to SENT once FILED)."""
        ...

    def transfer(self, transfer_id: str) -> TransferRecord | None:
        """One transfer as recorded."""
        ...

    def settle(
        self, transfer_id: str, status: TransferStatus, at: datetime, reason: str | None
    ) -> None:
        """Record the bank's answer; a rejected transfer's claims are payable again."""
        ...


class SettlementUnitOfWork(Protocol):
    """One transaction over the ledger, the settlement store, the accounts and the audit."""

    @property
    def settlement(self) -> SettlementStore: ...

    @property
    def bank_accounts(self) -> BankAccounts: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def outbox(self) -> Outbox: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make the work durable."""
        ...


class BankFiles(Protocol):
    """Writes a batch's credit-transfer file, checked, all or nothing."""

    def write(self, batch: Batch, transfers: Iterator[Transfer]) -> Path:
        """The batch's file, written whole under its final name (or not at all)."""
        ...

    def path(self, batch: str) -> Path:
        """Where a batch's file is written."""
        ...


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """A settlement batch as a payer's finance officer follows it."""

    batch: Batch
    transfers: int
    total: Money
    executed: int = 0
    rejected: int = 0


class SettlementHistory(Protocol):
    """A payer's batches and their transfers, read outside the request's event loop."""

    async def batches(self, payer: str, limit: int, offset: int) -> tuple[list[BatchSummary], int]:
        """The payer's batches, newest cycle first, and how many it has."""
        ...

    async def batch(self, batch_id: str) -> BatchSummary | None:
        """One batch, whoever's (the use case checks whose)."""
        ...

    async def transfers(self, batch_id: str) -> list[TransferRecord]:
        """A batch's transfers with the claims they pay, in id order."""
        ...

    async def answered(self, payer: str, limit: int) -> list[TransferRecord]:
        """The payer's transfers a bank statement executed or rejected, the latest answered
        first (without the claims they pay)."""
        ...
