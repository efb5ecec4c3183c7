"""The port the FHIR payment answers read transfers through.

The settlement writes transfers (its own tables); PaymentReconciliation and PaymentNotice read
them as `TransferRecord`s, always for one provider: a query names the provider, taken from the
caller's credential, and an implementation never returns another provider's transfer.
A transfer's id is its resources' id too (PaymentReconciliation/{id}, PaymentNotice/{id}): the
settlement writes end-to-end ids of letters, digits, "-" and "." (FHIR ids; ISO 20022 allows
35 characters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.payment_records import TransferRecord, TransferStatus

# Where a page ends, in the order transfers are listed (newest first): (created, id).
Position = tuple[datetime, str]


@dataclass(frozen=True, slots=True)
class TransferQuery:
    """One page of a provider's transfers; every criterion given must hold."""

    provider: str  # always the caller's own
    payer: str | None = None
    statuses: tuple[TransferStatus, ...] = ()  # empty: any status
    created_from: datetime | None = None  # inclusive
    created_to: datetime | None = None  # exclusive
    settled_from: datetime | None = None  # inclusive: when the bank executed or rejected it
    settled_to: datetime | None = None  # exclusive
    limit: int = 20
    after: Position | None = None  # the page starts after this transfer


@dataclass(frozen=True, slots=True)
class TransferPage:
    """A page of transfers, newest first, and where the next one starts (None: the last)."""

    records: tuple[TransferRecord, ...]
    next: Position | None = None


class TransferReader(Protocol):
    """The settlement's transfers, read for one provider at a time."""

    async def get(self, provider: str, transfer_id: str) -> TransferRecord | None:
        """The transfer with that id, if it is the provider's."""
        ...

    async def search(self, query: TransferQuery) -> TransferPage:
        """One page of the provider's transfers the query selects, newest first (created,
        then id, both descending)."""
        ...


def position(record: TransferRecord) -> Position:
    """Where a transfer stands in the listing order."""
    return (record.created, record.id)


def selects(query: TransferQuery, record: TransferRecord) -> bool:
    """Whether a transfer meets the query's criteria (its page position aside)."""
    settled = record.settled_at
    return (
        record.provider == query.provider
        and (query.payer is None or record.payer == query.payer)
        and (not query.statuses or record.status in query.statuses)
        and (query.created_from is None or record.created >= query.created_from)
        and (query.created_to is None or record.created < query.created_to)
        and (query.settled_from is None or (settled is not None and settled >= query.settled_from))
        and (query.settled_to is None or (settled is not None and settled < query.settled_to))
    )
