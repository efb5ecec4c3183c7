"""Prior authorization (prise en charge) routes: a provider's Claim (use = preauthorization),
its ClaimResponse and Task; a payer's reviewer's queue and decisions.

Each route reads: parse the HTTP request -> the use case -> render the FHIR answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response

from domain.errors import NotFound
from domain.records import Answer, QueueQuery
from domain.services import claim_corrections, claims, prior_auth
from domain.services.exchanges import Submission
from domain.services.prior_auth import Reviewer
from fhir_profiles import claim_billing_out, envelope, review
from fhir_profiles.bundle import searchset
from fhir_profiles.claim_billing_form import ClaimForm
from fhir_profiles.claim_form import PriorAuthForm
from gateway.auth import Caller
from gateway.deps import (
    AnswerLanguage,
    ClaimPortsDep,
    DocumentsBody,
    FhirBody,
    IdempotencyHeader,
    PriorAuthPortsDep,
    ReferenceDep,
    SettingsDep,
    authorized,
    idempotency_key,
    reviewing,
)
from gateway.fastpath import hot
from gateway.fhirjson import FHIR_BODY, created, fhir_response, submitted
from gateway.search import PA_SEARCH, SEARCH_OPENAPI, ResourceId, parse_query
from gateway.searchset import Searched, bundle_of

router = APIRouter(prefix="/fhir", tags=["prior-authorization"])
Writer = Annotated[Caller, Depends(authorized("Claim", "c"))]
ClaimReader = Annotated[Caller, Depends(authorized("Claim", "r"))]
ClaimSearcher = Annotated[Caller, Depends(authorized("Claim", "s"))]
Reader = Annotated[Caller, Depends(authorized("ClaimResponse", "r"))]
Searcher = Annotated[Caller, Depends(authorized("ClaimResponse", "s"))]
TaskWriter = Annotated[Caller, Depends(authorized("Task", "c"))]
QueueReader = Annotated[Reviewer, Depends(reviewing("ClaimResponse", "s"))]
Decider = Annotated[Reviewer, Depends(reviewing("ClaimResponse", "u"))]
OPENAPI = FHIR_BODY(
    "Claim (use = preauthorization), or a Bundle (collection, document, message) carrying one "
    "with its Patient, Coverage and Practitioner"
)
ANSWERS = Searched("ClaimResponse", "Claim")
REQUESTS = Searched("Claim", "Claim", requests=True)


@router.post("/Claim/$submit", name="preauthorization.submit", openapi_extra=OPENAPI)
@hot
async def submit(
    caller: Writer,
    body: DocumentsBody,
    key: IdempotencyHeader,
    language: AnswerLanguage,
    ref: ReferenceDep,
    ports: PriorAuthPortsDep,
    claim_ports: ClaimPortsDep,
    settings: SettingsDep,
) -> Response:
    """The $submit operation (Da Vinci PAS, HCX): the ClaimResponse (200)."""
    answer = await ask(
        caller,
        body,
        Asked(key, "$submit", language, settings.max_attachment_bytes),
        ref,
        ports,
        claim_ports,
    )
    location = f"{settings.fhir_base}/ClaimResponse/{answer.response_id}"
    return submitted(answer.body, location, replayed=answer.replayed)


@router.post("/Claim", status_code=201, name="preauthorization.submit", openapi_extra=OPENAPI)
@hot
async def create(
    caller: Writer,
    body: DocumentsBody,
    key: IdempotencyHeader,
    language: AnswerLanguage,
    ref: ReferenceDep,
    ports: PriorAuthPortsDep,
    claim_ports: ClaimPortsDep,
    settings: SettingsDep,
) -> Response:
    """Ask for a prise en charge, or bill a claim; the answer is a ClaimResponse (201,
    stored)."""
    answer = await ask(
        caller,
        body,
        Asked(key, "create", language, settings.max_attachment_bytes),
        ref,
        ports,
        claim_ports,
    )
    base = settings.fhir_base
    return created(
        answer.body,
        f"{base}/Claim/{answer.request_id}",
        f"{base}/ClaimResponse/{answer.response_id}",
        replayed=answer.replayed,
    )


@dataclass(frozen=True, slots=True)
class Asked:
    """How a Claim was sent: its Idempotency-Key, the operation, the answer's language, and
    the largest document it may join (Settings.max_attachment_bytes)."""

    key: str | None
    operation: str
    language: str
    max_attachment_bytes: int


async def ask(
    caller: Caller,
    body: dict[str, Any],
    asked: Asked,
    ref: ReferenceDep,
    ports: PriorAuthPortsDep,
    claim_ports: ClaimPortsDep,
) -> Answer:
    """Run one Claim, in whatever envelope, through its use case: a prior-authorization
    request, or a claim (and its counter check, a predetermination)."""
    idempotency = idempotency_key(asked.key, asked.operation, body)
    inpe, language = caller.inpe, asked.language
    if _use(body) in BILLING:
        billing = ClaimForm(body, ref=ref, requestor_inpe=inpe, language=language,
                            max_attachment_bytes=asked.max_attachment_bytes)  # fmt: skip
        return await claims.submit_claim(
            Submission(caller.requester, billing, idempotency), ref=ref, ports=claim_ports
        )
    form = PriorAuthForm(body, ref=ref, requestor_inpe=inpe, language=language,
                         max_attachment_bytes=asked.max_attachment_bytes)  # fmt: skip
    submission = Submission(caller.requester, form, idempotency)
    return await prior_auth.request_prior_auth(submission, ref=ref, ports=ports)


BILLING = ("claim", "predetermination")  # Claim.use: the other is preauthorization


def _use(body: dict[str, Any]) -> str | None:
    """The Claim's use, wherever its envelope carries it (the reader checks it after)."""
    use = envelope.read(body, "Claim").request.get("use")
    return use if isinstance(use, str) else None


@router.get("/ClaimResponse/$queue", name="preauthorization.queue")
async def queue(
    reviewer: QueueReader,
    ports: PriorAuthPortsDep,
    settings: SettingsDep,
    overdue: Annotated[bool, Query(description="only those past their deadline")] = False,
    count: Annotated[int, Query(alias="_count", ge=1, le=100)] = 20,
    offset: Annotated[int, Query(alias="_offset", ge=0, le=1_000_000)] = 0,
) -> Response:
    """The reviewer's queue: its payer's pending requests, earliest deadline first, each
    ClaimResponse with the Claim it answers."""
    now = ports.exchange.clock.now()
    query = QueueQuery(reviewer.payer, now if overdue else None, limit=count, offset=offset)
    records, total = await prior_auth.review_queue(reviewer, query, ports=ports)
    base = settings.fhir_base
    url = f"{base}/ClaimResponse/$queue?overdue={str(overdue).lower()}&_count={count}"
    more = offset + len(records) < total
    return fhir_response(
        searchset(
            [orjson.loads(r.response_body) for r in records],
            total,
            self_url=f"{url}&_offset={offset}",
            next_url=f"{url}&_offset={offset + count}" if more else None,
            base_url=base,
            included=[orjson.loads(r.request_body) for r in records],
        )
    )


@router.post("/ClaimResponse/{response_id}/$decide", name="preauthorization.decide")
async def decide(
    response_id: ResourceId,
    reviewer: Decider,
    body: FhirBody,
    ref: ReferenceDep,
    ports: PriorAuthPortsDep,
) -> Response:
    """A reviewer grants (wholly or in part) or refuses, with a coded reason: the
    ClaimResponse as it now stands."""
    await prior_auth.decide(reviewer, response_id, review.decision(body), ref=ref, ports=ports)
    return await _current(reviewer, response_id, ports)


async def _current(reviewer: Reviewer, response_id: str, ports: PriorAuthPortsDep) -> Response:
    stored = await prior_auth.review_read(reviewer, response_id, ports=ports)
    body = ports.render(stored.request_body, stored.authorization, ports.exchange.clock.now())
    return fhir_response(body)


@router.get("/ClaimResponse/{response_id}", name="preauthorization.read")
async def read_response(
    response_id: ResourceId, caller: Reader, ports: PriorAuthPortsDep, claim_ports: ClaimPortsDep
) -> Response:
    """A ClaimResponse (a prise en charge as it now stands, or a claim's), if the caller's."""
    try:
        record = await prior_auth.read_answer(caller.requester, response_id, ports=ports)
    except NotFound:
        record = await claims.read_answer(caller.requester, response_id, ports=claim_ports)
    return fhir_response(record.response_body)


@router.get("/Claim/{request_id}", name="preauthorization.read")
async def read_request(
    request_id: ResourceId,
    caller: ClaimReader,
    ports: PriorAuthPortsDep,
    claim_ports: ClaimPortsDep,
) -> Response:
    """A Claim (asking a prise en charge, or billed), if it is the caller's."""
    try:
        record = await prior_auth.read_request(caller.requester, request_id, ports=ports)
    except NotFound:
        record = await claims.read_request(caller.requester, request_id, ports=claim_ports)
        state = await claim_corrections.claim_state(caller.requester, record, ports=claim_ports)
        if state in WITHDRAWN:
            return fhir_response(claim_billing_out.withdrawn(record.request_body))
    return fhir_response(record.request_body)


WITHDRAWN = ("cancelled", "corrected")  # a billed claim's states once its benefit is reversed


@router.get("/ClaimResponse", name="preauthorization.search", openapi_extra=SEARCH_OPENAPI)
async def search_answers(
    request: Request, caller: Searcher, ref: ReferenceDep, ports: ClaimPortsDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    """Search the caller's ClaimResponses by patient, status, outcome, created, request and
    preAuthRef."""
    return await _search(request, caller, ref, ports, settings, ANSWERS)


@router.get("/Claim", name="preauthorization.search", openapi_extra=SEARCH_OPENAPI)
async def search_requests(
    request: Request, caller: ClaimSearcher, ref: ReferenceDep, ports: ClaimPortsDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    """Search the caller's Claims by the same criteria as their answers."""
    return await _search(request, caller, ref, ports, settings, REQUESTS)


async def _search(
    request: Request,
    caller: Caller,
    ref: ReferenceDep,
    claim_ports: ClaimPortsDep,
    settings: SettingsDep,
    searched: Searched,
) -> Response:
    query = parse_query(
        request.query_params.multi_items(),
        tenant=caller.tenant,
        kind=prior_auth.PRIOR_AUTH.kind,
        ref=ref,
        request_type="Claim",
        extra=PA_SEARCH,
    )
    records, total = await claims.search_with(
        caller.requester, query, ports=claim_ports, also=(prior_auth.PRIOR_AUTH,)
    )
    return fhir_response(bundle_of(records, total, query, settings.fhir_base, searched))


@router.post("/Task", name="preauthorization.task")
async def task(
    caller: TaskWriter, body: FhirBody, ports: PriorAuthPortsDep, claim_ports: ClaimPortsDep
) -> Response:
    """A financial Task on the caller's Claim: `status` (where it stands) or `cancel`
    (withdraw a prise en charge: nothing can be claimed on it afterwards; or a claim not yet
    settled: its benefit is reversed)."""
    code, claim_id = review.task_request(body)
    try:
        record = await prior_auth.read_request(caller.requester, claim_id, ports=ports)
    except NotFound:
        return await _claim_task(caller, body, code, claim_id, claim_ports)
    if code == "cancel":
        note = await _cancel(caller, record.id, ports)
    else:
        note = "Statut de la prise en charge"
    stored = await prior_auth.status(caller.requester, record.id, ports=ports)
    answer = review.task_answer(
        body,
        task_id=ports.exchange.new_id(),
        claim_id=claim_id,
        response_id=stored.authorization.id,
        state=stored.authorization.status.value,
        at=ports.exchange.clock.now(),
        done=True,
        note=note,
    )
    return fhir_response(answer)


CANCEL_NOTES = {
    claim_corrections.Cancelled.REVERSED: "Demande annulée : sa part AMO n'est plus due, les "
    "unités de prise en charge qu'elle utilisait redeviennent disponibles",
    claim_corrections.Cancelled.ALREADY: "Demande déjà annulée",
    claim_corrections.Cancelled.NOTHING: "Demande annulée : rien n'en était payable",
}
STATE_NOTES = {
    "cancelled": "Demande annulée",
    "corrected": "Demande corrigée : une nouvelle demande la remplace (Claim.related)",
}


async def _claim_task(
    caller: Caller, body: dict[str, Any], code: str, claim_id: str, ports: ClaimPortsDep
) -> Response:
    """A Task on a billed claim (another's, or none, is not found)."""
    record = await claims.read_request(caller.requester, claim_id, ports=ports)
    if code == "cancel":
        done = await claim_corrections.cancel_claim(caller.requester, claim_id, ports=ports)
        note, state = CANCEL_NOTES[done], "cancelled"
        if done is claim_corrections.Cancelled.ALREADY:  # cancelled, or corrected, before
            state = await claim_corrections.claim_state(caller.requester, record, ports=ports)
            if state == "corrected":
                note = STATE_NOTES[state]
    else:
        state = await claim_corrections.claim_state(caller.requester, record, ports=ports)
        note = STATE_NOTES.get(state, "Statut de la demande")
    answer = review.task_answer(
        body,
        task_id=ports.exchange.new_id(),
        claim_id=claim_id,
        response_id=record.id,
        state=state,
        at=ports.exchange.clock.now(),
        done=True,
        note=note,
    )
    return fhir_response(answer)


async def _cancel(caller: Caller, authorization_id: str, ports: PriorAuthPortsDep) -> str:
    """Cancel, answering a repeated cancel as done (a retried Task never acts twice)."""
    stored = await prior_auth.status(caller.requester, authorization_id, ports=ports)
    if stored.authorization.status.value == "cancelled":
        return "Prise en charge déjà annulée"
    await prior_auth.cancel(caller.requester, authorization_id, ports=ports)
    return "Prise en charge annulée"
