"""Requests for information on a prise en charge and their answers: a payer's reviewer asks
(CommunicationRequest), the provider reads what it is asked and answers (Communication, with
documents), the reviewer reads the answers. Each side reads only its own; another's is not
found.

Each route reads: parse the HTTP request -> the use case -> render the FHIR answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from domain.services import information
from domain.services.prior_auth import Reviewer
from fhir_profiles import communications, review
from fhir_profiles.bundle import searchset
from gateway.auth import Caller
from gateway.deps import (
    DocumentsBody,
    FhirBody,
    PriorAuthPortsDep,
    SettingsDep,
    authorized,
    reviewing,
)
from gateway.fhirjson import FHIR_BODY, fhir_response
from gateway.search import MAX_VALUE_CHARS, ResourceId, reference_parameter

router = APIRouter(prefix="/fhir", tags=["prior-authorization"])
Asker = Annotated[Reviewer, Depends(reviewing("CommunicationRequest", "c"))]
AnswerReader = Annotated[Reviewer, Depends(reviewing("Communication", "r"))]
AnswerSearcher = Annotated[Reviewer, Depends(reviewing("Communication", "s"))]
RequestReader = Annotated[Caller, Depends(authorized("CommunicationRequest", "r"))]
RequestSearcher = Annotated[Caller, Depends(authorized("CommunicationRequest", "s"))]
Answerer = Annotated[Caller, Depends(authorized("Communication", "c"))]

REQUESTS_ABOUT = {"about": ("Claim", "ClaimResponse")}
ANSWERS_TO = {"about": ("ClaimResponse",), "based-on": ("CommunicationRequest",)}
_TEXT = {"type": "string", "maxLength": MAX_VALUE_CHARS}
ASK_OPENAPI = FHIR_BODY(
    "Parameters: reason (valueCode or valueCoding of the reason CodeSystem, complement-*), "
    "note (valueString, optional)"
)
ANSWER_OPENAPI = FHIR_BODY(
    "Communication, status completed, basedOn CommunicationRequest/[id], payload of "
    "contentString and contentAttachment (application/pdf, image/png, image/jpeg, in data)"
)


def _search_openapi(parameters: dict[str, tuple[str, ...]]) -> dict[str, object]:
    return {
        "parameters": [
            {"name": name, "in": "query", "description": " or ".join(f"{t}/[id]" for t in types),
             "schema": _TEXT}
            for name, types in parameters.items()
        ]
    }  # fmt: skip


@router.post(
    "/ClaimResponse/{response_id}/$request-information",
    status_code=201,
    name="preauthorization.ask-information",
    openapi_extra=ASK_OPENAPI,
)
async def request_information(
    response_id: ResourceId,
    reviewer: Asker,
    body: FhirBody,
    ports: PriorAuthPortsDep,
    settings: SettingsDep,
) -> Response:
    """A reviewer asks the provider for more, with a coded reason and a note: the
    CommunicationRequest (201); the provider is notified."""
    reason, note = review.information_request(body)
    compose = communications.request_composer(reason, note)
    message = await information.ask_information(
        reviewer, response_id, reason, note, compose, ports=ports
    )
    location = f"{settings.fhir_base}/CommunicationRequest/{message.id}"
    return fhir_response(message.body, status=201, headers={"Location": location})


@router.get("/CommunicationRequest/{request_id}", name="preauthorization.information-request")
async def read_request(
    request_id: ResourceId, caller: RequestReader, ports: PriorAuthPortsDep
) -> Response:
    """A request for information addressed to the caller, with the status it now has."""
    thread = await information.provider_request(caller.requester, request_id, ports=ports)
    return fhir_response(communications.request_as_read(thread.messages[0], thread.authorization))


@router.get(
    "/CommunicationRequest",
    name="preauthorization.information-requests",
    openapi_extra=_search_openapi(REQUESTS_ABOUT),
)
async def search_requests(
    request: Request, caller: RequestSearcher, ports: PriorAuthPortsDep, settings: SettingsDep
) -> Response:
    """The requests for information on one of the caller's prises en charge:
    about=Claim/[id] or about=ClaimResponse/[id]."""
    name, kind, found = reference_parameter(request.query_params.multi_items(), REQUESTS_ABOUT)
    thread = await information.provider_requests(
        caller.requester, found, by_claim=kind == "Claim", ports=ports
    )
    entries = [communications.request_as_read(m, thread.authorization) for m in thread.messages]
    url = f"{settings.fhir_base}/CommunicationRequest?{name}={kind}/{found}"
    return fhir_response(searchset(entries, len(entries), url, None, settings.fhir_base))


@router.post(
    "/Communication",
    status_code=201,
    name="preauthorization.information",
    openapi_extra=ANSWER_OPENAPI,
)
async def answer(
    caller: Answerer, body: DocumentsBody, ports: PriorAuthPortsDep, settings: SettingsDep
) -> Response:
    """The provider answers a request for information, once: the Communication as kept
    (201); the prise en charge is back in the reviewer's queue. A retry after the answer
    was kept is refused (409 complement-deja-fourni), naming the answer to read."""
    read = communications.read_answer(body, max_attachment_bytes=settings.max_attachment_bytes)
    compose = communications.answer_composer(read, caller.inpe)
    message = await information.information_given(
        caller.requester, read.request_id, compose, ports=ports
    )
    location = f"{settings.fhir_base}/Communication/{message.id}"
    return fhir_response(message.body, status=201, headers={"Location": location})


@router.get("/Communication/{answer_id}", name="preauthorization.information-read")
async def read_answer(
    answer_id: ResourceId, reviewer: AnswerReader, ports: PriorAuthPortsDep
) -> Response:
    """A provider's answer to the reviewer's payer, its documents included."""
    message = await information.review_answer(reviewer, answer_id, ports=ports)
    return fhir_response(message.body)


@router.get(
    "/Communication",
    name="preauthorization.information-answers",
    openapi_extra=_search_openapi(ANSWERS_TO),
)
async def search_answers(
    request: Request, reviewer: AnswerSearcher, ports: PriorAuthPortsDep, settings: SettingsDep
) -> Response:
    """The answers on a prise en charge of the reviewer's payer (about=ClaimResponse/[id])
    or to one of its requests (based-on=CommunicationRequest/[id])."""
    name, kind, found = reference_parameter(request.query_params.multi_items(), ANSWERS_TO)
    if name == "about":
        thread = await information.review_answers(reviewer, found, ports=ports)
    else:
        thread = await information.review_answers_to(reviewer, found, ports=ports)
    entries = [communications.answer_as_read(m) for m in thread.messages]
    url = f"{settings.fhir_base}/Communication?{name}={kind}/{found}"
    return fhir_response(searchset(entries, len(entries), url, None, settings.fhir_base))
