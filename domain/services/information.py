"""Requests for information on a prise en charge, and the provider's answers.

A payer's reviewer may ask the provider for more (a report, results, the prescription): the
request (a CommunicationRequest) is stored with the change that puts the prise en charge in
"information requested", and the provider is notified. The provider answers a request once
(a Communication, possibly with documents): the answer is stored with the change that puts
the prise en charge back in the reviewer's queue. Each side reads only its own: a provider the
requests on its prises en charge, a reviewer the answers on its payer's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain import prior_auth as pa_states
from domain.authorization_ports import MessageComposer
from domain.errors import InvalidRequest, NotFound
from domain.notifications import Topic
from domain.prior_auth import PaStatus, PriorAuthorization, TransitionRefused
from domain.reasons import DECISION_REASONS, INFORMATION_REASONS
from domain.records import Message, MessageKind, Requester
from domain.services import exchanges
from domain.services.prior_auth import (
    PRIOR_AUTH,
    PriorAuthPorts,
    Reviewer,
    addressed,
    as_requester,
    audit_entry,
    commit_change,
    owned,
)

# A question to a colleague, not a report: about a page. Longer is refused, never cut.
MAX_NOTE_CHARS = 2000


class RequestState(StrEnum):
    """Where a request for information stands."""

    OPEN = "open"  # waiting for the provider's answer
    ANSWERED = "answered"
    CLOSED = "closed"  # unanswered, and the prise en charge was decided or cancelled meanwhile


def request_state(request: Message, authorization: PriorAuthorization) -> RequestState:
    """A request is open while unanswered and its prise en charge waits for information (one
    request at most is: a reviewer asks again only once the last one is answered)."""
    if request.answered_by is not None:
        return RequestState.ANSWERED
    if authorization.status is PaStatus.INFO_REQUESTED:
        return RequestState.OPEN
    return RequestState.CLOSED


@dataclass(frozen=True, slots=True)
class Thread:
    """Requests or answers on one prise en charge, as one side may read them, oldest first."""

    authorization: PriorAuthorization
    messages: tuple[Message, ...]


async def ask_information(
    reviewer: Reviewer,
    authorization_id: str,
    reason: str,
    note: str,
    compose: MessageComposer,
    *,
    ports: PriorAuthPorts,
) -> Message:
    """The reviewer asks the provider for more, with a coded reason and a note; the request
    is stored with the change, and the provider is notified."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    _information_reason(reason)
    _fits(note)
    stored = await addressed(reviewer, authorization_id, ports)
    changed = pa_states.request_information(stored.authorization, reason)
    now, message_id = ports.exchange.clock.now(), ports.exchange.new_id()
    body = compose(replace(stored, authorization=changed), message_id, now)
    message = _message(changed, message_id, MessageKind.REQUEST, now, body, reason=reason)
    await commit_change(
        ports,
        stored,
        changed,
        "ask-information",
        None,
        reviewer.client_id,
        topic=Topic.PA_INFORMATION_REQUESTED,
        message=message,
        at=now,
        detail=f"CommunicationRequest/{message_id}",
    )
    return message


async def information_given(
    requester: Requester, request_id: str, compose: MessageComposer, *, ports: PriorAuthPorts
) -> Message:
    """The provider answers one of its requests, once: the answer is stored, and the
    prise en charge is back in the reviewer's queue."""
    await exchanges.throttle(ports.exchange, requester)
    request = await _request_to(requester, request_id, ports)
    if request.answered_by is not None:
        raise TransitionRefused(
            f"Cette demande de complément a déjà reçu sa réponse (Communication/"
            f"{request.answered_by})",
            code="complement-deja-fourni",
        )
    stored = await owned(requester, request.authorization_id, ports)
    changed = pa_states.information_given(stored.authorization)
    now, message_id = ports.exchange.clock.now(), ports.exchange.new_id()
    body = compose(replace(stored, authorization=changed), message_id, now)
    message = _message(changed, message_id, MessageKind.ANSWER, now, body, based_on=request.id)
    await commit_change(
        ports,
        stored,
        changed,
        "information",
        requester.tenant,
        requester.client_id,
        message=message,
        at=now,
        detail=f"Communication/{message_id}",
    )
    return message


async def provider_requests(
    requester: Requester, wanted: str, *, by_claim: bool, ports: PriorAuthPorts
) -> Thread:
    """The requests for information on one of the requester's prises en charge, named by
    its ClaimResponse id or, `by_claim`, its Claim id (another's is not found)."""
    await exchanges.throttle(ports.exchange, requester)
    authorization_id = wanted
    if by_claim:
        record = await ports.exchange.store.get_by_request(
            requester.tenant, PRIOR_AUTH.kind, wanted
        )
        if record is None:
            raise NotFound("Aucune demande de prise en charge (Claim) avec cet identifiant")
        authorization_id = record.id
    stored = await owned(requester, authorization_id, ports)
    found = await ports.authorizations.messages(authorization_id, MessageKind.REQUEST)
    await _audit(ports, "information-requests", requester, authorization_id)
    return Thread(stored.authorization, tuple(found))


async def provider_answers(
    requester: Requester, authorization_id: str, *, ports: PriorAuthPorts
) -> Thread:
    """The requester's own answers on one of its prises en charge, oldest first (another's
    are not found)."""
    await exchanges.throttle(ports.exchange, requester)
    stored = await owned(requester, authorization_id, ports)
    found = await ports.authorizations.messages(authorization_id, MessageKind.ANSWER)
    await _audit(ports, "information-given", requester, authorization_id)
    return Thread(stored.authorization, tuple(found))


async def provider_request(
    requester: Requester, request_id: str, *, ports: PriorAuthPorts
) -> Thread:
    """One request for information to the requester, with the prise en charge it is about
    (another's is not found)."""
    await exchanges.throttle(ports.exchange, requester)
    request = await _request_to(requester, request_id, ports)
    stored = await owned(requester, request.authorization_id, ports)
    detail = f"CommunicationRequest/{request_id}"
    await _audit(ports, "information-request", requester, stored.authorization.id, detail)
    return Thread(stored.authorization, (request,))


async def review_answers(
    reviewer: Reviewer, authorization_id: str, *, ports: PriorAuthPorts
) -> Thread:
    """The provider's answers on a prise en charge of the reviewer's payer (another payer's
    are not found)."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    return await _answers(reviewer, authorization_id, None, ports)


async def review_answers_to(
    reviewer: Reviewer, request_id: str, *, ports: PriorAuthPorts
) -> Thread:
    """The answers to one request for information of the reviewer's payer."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    request = await ports.authorizations.message(request_id)
    if request is None or request.kind is not MessageKind.REQUEST:
        raise NotFound("Aucune demande de complément avec cet identifiant pour ce payeur")
    return await _answers(reviewer, request.authorization_id, request.id, ports)


async def _answers(
    reviewer: Reviewer, authorization_id: str, based_on: str | None, ports: PriorAuthPorts
) -> Thread:
    stored = await addressed(reviewer, authorization_id, ports)
    found = await ports.authorizations.messages(authorization_id, MessageKind.ANSWER)
    if based_on is not None:
        found = [answer for answer in found if answer.based_on == based_on]
    detail = "" if based_on is None else f"CommunicationRequest/{based_on}"
    await _audit(ports, "information-answers", reviewer, authorization_id, detail)
    return Thread(stored.authorization, tuple(found))


async def review_answer(reviewer: Reviewer, answer_id: str, *, ports: PriorAuthPorts) -> Message:
    """One answer of a provider to the reviewer's payer (another payer's is not found)."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    answer = await ports.authorizations.message(answer_id)
    if answer is None or answer.kind is not MessageKind.ANSWER or answer.payer != reviewer.payer:
        raise NotFound("Aucune réponse (Communication) avec cet identifiant pour ce payeur")
    detail = f"Communication/{answer_id}"
    await _audit(ports, "information-read", reviewer, answer.authorization_id, detail)
    return answer


def _message(
    pa: PriorAuthorization,
    message_id: str,
    kind: MessageKind,
    at: datetime,
    body: bytes,
    *,
    reason: str = "",
    based_on: str | None = None,
) -> Message:
    return Message(
        id=message_id,
        authorization_id=pa.id,
        kind=kind,
        tenant=pa.tenant,
        payer=pa.payer,
        at=at,
        body=body,
        reason=reason,
        based_on=based_on,
    )


async def _request_to(requester: Requester, request_id: str, ports: PriorAuthPorts) -> Message:
    request = await ports.authorizations.message(request_id)
    if (
        request is None
        or request.kind is not MessageKind.REQUEST
        or request.tenant != requester.tenant
    ):
        raise NotFound("Aucune demande de complément (CommunicationRequest) avec cet identifiant")
    return request


async def _audit(
    ports: PriorAuthPorts,
    verb: str,
    who: Requester | Reviewer,
    authorization_id: str,
    detail: str = "",
) -> None:
    """A read, audited: a provider's under its tenant, a reviewer's under none (as decisions)."""
    tenant = who.tenant if isinstance(who, Requester) else None
    entry = audit_entry(ports, verb, tenant, who.client_id, authorization_id, detail=detail)
    await ports.exchange.audit.append(entry)


def _information_reason(reason: str) -> None:
    if reason in INFORMATION_REASONS:
        return
    if reason in DECISION_REASONS:
        raise InvalidRequest(
            f"Le motif « {reason} » ne convient pas à une demande de complément : "
            "utilisez un motif complement-*",
            code="motif-non-adapte",
        )
    raise InvalidRequest(
        f"Motif inconnu : « {reason[:64]} » (voir le CodeSystem reason)", code="motif-inconnu"
    )


def _fits(note: str) -> None:
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidRequest(
            f"La note dépasse {MAX_NOTE_CHARS} caractères ({len(note)}) : résumez-la",
            code="texte-trop-long",
        )
