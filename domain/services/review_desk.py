"""What a payer's reviewer works from: its queue as prises en charge (kind, provider, date of
care, deadline), a request's whole exchange of information (questions and answers), and the
patient's rights on the date of care; each read through the reviewer's own payer, never
another's."""

from __future__ import annotations

from domain.eligibility import EligibilityOutcome
from domain.records import QueueQuery, StoredAuthorization
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility
from domain.services import exchanges
from domain.services.information import Thread
from domain.services.prior_auth import (
    PRIOR_AUTH,
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


async def review_rights(
    reviewer: Reviewer, authorization_id: str, *, ref: ReferenceData, ports: PriorAuthPorts
) -> EligibilityOutcome | None:
    """The rights of the request's patient on its date of care, as the registry says them
    now (None: the patient is no longer found, or is not the one the request was for);
    audited as a read."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    stored = await addressed(reviewer, authorization_id, ports)
    pa = stored.authorization
    record = await ports.exchange.store.get(pa.tenant, PRIOR_AUTH.kind, pa.id)
    if record is None or not record.patient_identifiers:
        return None
    facts = await ports.members.find(record.patient_identifiers)
    decision = decide_eligibility(facts, pa.date_of_care or pa.requested_at.date(), ref)
    if decision.member_id is None or not pa.for_patient(ports.patient(decision.member_id)):
        return None  # never another person's rights
    entry = audit_entry(ports, "review-rights", None, reviewer.client_id, authorization_id)
    await ports.exchange.audit.append(entry)
    return EligibilityOutcome(decision)
