"""What a provider is told of a transfer: which claims it paid, how much, and how it ended.

The settlement writes transfers; the FHIR side reads them as `TransferRecord`s, to answer a
PaymentReconciliation per transfer and a PaymentNotice when the bank has executed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.money import Money


class TransferStatus(StrEnum):
    """Where a transfer stands with the bank."""

    SENT = "sent"  # in a credit-transfer file handed to the bank, not yet on a statement
    EXECUTED = "executed"  # the bank's statement shows it paid
    REJECTED = "rejected"  # the bank returned it (closed account, wrong RIB): payable again


@dataclass(frozen=True, slots=True)
class PaidClaim:
    """One claim a transfer settles, with the ClaimResponse that accepted it."""

    claim_id: str  # the Claim's id, as the provider reads it (GET Claim/{id}); "" unknown
    response_id: str  # the ClaimResponse that accepted it; "" when unknown
    amount: Money
    identifier: str = ""  # the provider's own business identifier of the claim


@dataclass(frozen=True, slots=True)
class TransferRecord:
    """One transfer from a payer to a provider, in one settlement cycle."""

    id: str  # the end-to-end id of the credit transfer, derived from what it pays
    payer: str
    provider: str
    cycle: str  # the settlement batch (one pain.001 file per payer and cycle)
    amount: Money
    status: TransferStatus
    created: datetime
    claims: tuple[PaidClaim, ...]
    settled_at: datetime | None = None  # when the bank executed or rejected it
    reason: str | None = None  # the bank's reason code when rejected (ISO 20022, e.g. AC04)
