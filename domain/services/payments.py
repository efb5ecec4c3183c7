"""What a provider is told of its payments: a PaymentReconciliation per transfer, and a
PaymentNotice once the bank has executed it, announced to its subscriptions.

Every read is scoped to the requester: the query's provider is the credential's tenant, so
another provider's transfers are never selected, and read by id they are as good as absent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from domain.errors import NotFound
from domain.notifications import Topic
from domain.payment_records import TransferRecord, TransferStatus
from domain.ports import IdGenerator
from domain.records import Notification, Requester
from domain.transfer_ports import TransferPage, TransferQuery, TransferReader
from domain.uow_ports import Outbox

NOTICE = "PaymentNotice"


@dataclass(frozen=True, slots=True)
class PaymentPorts:
    """What the payment answers read."""

    transfers: TransferReader


async def read_transfer(
    requester: Requester, transfer_id: str, *, ports: PaymentPorts
) -> TransferRecord:
    """One of the requester's transfers (its PaymentReconciliation)."""
    found = await ports.transfers.get(requester.tenant, transfer_id)
    if found is None:
        raise NotFound(f"Aucun virement {transfer_id} pour ce prestataire")
    return found


async def search_transfers(
    requester: Requester, query: TransferQuery, *, ports: PaymentPorts
) -> TransferPage:
    """A page of the requester's transfers; the query's provider is the requester, whatever
    it said."""
    return await ports.transfers.search(replace(query, provider=requester.tenant))


async def read_notice(
    requester: Requester, transfer_id: str, *, ports: PaymentPorts
) -> TransferRecord:
    """The transfer a PaymentNotice tells of: the requester's, executed by the bank."""
    found = await ports.transfers.get(requester.tenant, transfer_id)
    if found is None or found.status is not TransferStatus.EXECUTED:
        raise NotFound(f"Aucun avis de paiement {transfer_id} pour ce prestataire")
    return found


async def search_notices(
    requester: Requester, query: TransferQuery, *, ports: PaymentPorts
) -> TransferPage:
    """A page of the requester's executed transfers, each told by a PaymentNotice."""
    executed = replace(query, provider=requester.tenant, statuses=(TransferStatus.EXECUTED,))
    return await ports.transfers.search(executed)


class WithOutbox(Protocol):
    """A unit of work with an outbox: the whole one, or the settlement's."""

    @property
    def outbox(self) -> Outbox: ...


def announce_paid(
    transfers: Iterable[TransferRecord], *, uow: WithOutbox, new_id: IdGenerator
) -> tuple[Notification, ...]:
    """Queue a PaymentNotice event for each executed transfer, in the caller's open unit of
    work: committed with the status change that caused it (the outbox), delivered by the
    worker to the provider's subscriptions. Transfers not executed are passed over."""
    events = tuple(
        Notification(
            new_id(),
            transfer.provider,
            Topic.PAYMENT_NOTIFIED.value,
            f"{NOTICE}/{transfer.id}",
            transfer.settled_at or transfer.created,
        )
        for transfer in transfers
        if transfer.status is TransferStatus.EXECUTED
    )
    if events:
        uow.outbox.add_many(events)
    return events
