"""Transfers as the settlement records them, for the payment tests: a provider's, another's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from domain.money import Money
from domain.payment_records import PaidClaim, TransferRecord, TransferStatus

SENT_AT = datetime(2026, 7, 3, 8, 30, tzinfo=UTC)
EXECUTED_AT = datetime(2026, 7, 6, 10, tzinfo=UTC)


def transfer(
    transfer_id: str = "E2E-CNSS-0001",
    *,
    provider: str = "org-111222333",
    payer: str = "CNSS",
    status: TransferStatus = TransferStatus.EXECUTED,
    created: datetime = SENT_AT,
    reason: str | None = None,
    claims: tuple[PaidClaim, ...] | None = None,
) -> TransferRecord:
    """A transfer paying two claims (490.50 and 100 MAD) unless told otherwise."""
    paid = (
        claims
        if claims is not None
        else (
            PaidClaim("claim-1", "resp-1", Money(49_050), "F-2026-1"),
            PaidClaim("claim-2", "resp-2", Money(10_000), "F-2026-2"),
        )
    )
    settled = None if status is TransferStatus.SENT else EXECUTED_AT
    return TransferRecord(
        id=transfer_id,
        payer=payer,
        provider=provider,
        cycle="2026-07-03",
        amount=sum((c.amount for c in paid), Money(0)),
        status=status,
        created=created,
        claims=paid,
        settled_at=settled,
        reason=reason,
    )


def rejected(
    transfer_id: str = "E2E-CNSS-0002", reason: str = "AC04", *, provider: str = "org-111222333"
) -> TransferRecord:
    """A transfer the bank returned: the account is closed."""
    return transfer(transfer_id, status=TransferStatus.REJECTED, reason=reason, provider=provider)


def sent(transfer_id: str = "E2E-CNOPS-0003", **given: object) -> TransferRecord:
    """A transfer handed to the bank, not yet on a statement."""
    return replace(transfer(transfer_id, status=TransferStatus.SENT), **given)  # type: ignore[arg-type]
