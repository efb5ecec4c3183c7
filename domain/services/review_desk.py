"""What a payer's reviewer works from: its queue as prises en charge (kind, provider, date of
care, deadline), and a request's whole exchange of information (questions and answers), each
read through the reviewer's own payer, never another's."""

from __future__ import annotations

from domain.records import QueueQuery, StoredAuthorization
from domain.services import exchanges
from domain.services.information import Thread
from domain.services.prior_auth import (
    PriorAuthPorts,
    Reviewer,
    addressed,
    as_requester,
    audit_entry,
    review_queue,
)


async def worklist(
    reviewer: Reviewer, query: QueueQuery, *, ports: PriorAuthPorts
) -> tuple[list[StoredAuthorization], int]:
    """The reviewer's payer's pending requests, earliest deadline first (so those past it
    come first), each with its state, and their total; audited as the queue is."""
    records, total = await review_queue(reviewer, query, ports=ports)
    found = [await ports.authorizations.get(record.id) for record in records]
    mine = [s for s in found if s is not None and s.authorization.payer == reviewer.payer]
    return mine, total


async def review_thread(
    reviewer: Reviewer, authorization_id: str, *, ports: PriorAuthPorts
) -> Thread:
    """The questions the payer asked on one of its prises en charge and the provider's
    answers, oldest first (another payer's is not found); audited as a read."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    stored = await addressed(reviewer, authorization_id, ports)
    found = await ports.authorizations.messages(authorization_id)
    entry = audit_entry(ports, "information-thread", None, reviewer.client_id, authorization_id)
    await ports.exchange.audit.append(entry)
    return Thread(stored.authorization, tuple(found))
