"""Eligibility routes: submit a CoverageEligibilityRequest, read and search the answers.

Each route reads: parse the HTTP request -> the use case -> render the FHIR answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from domain.records import Answer
from domain.services import eligibility
from domain.services.exchanges import Submission
from fhir_profiles.eligibility_form import EligibilityForm
from gateway.auth import Caller
from gateway.deps import (
    EligibilityPortsDep,
    FhirBody,
    IdempotencyHeader,
    ReferenceDep,
    SettingsDep,
    authorized,
    idempotency_key,
)
from gateway.fastpath import hot
from gateway.fhirjson import FHIR_BODY, created, fhir_response, submitted
from gateway.search import SEARCH_OPENAPI, ResourceId, parse_query
from gateway.searchset import bundle_of

router = APIRouter(prefix="/fhir", tags=["eligibility"])
Writer = Annotated[Caller, Depends(authorized("CoverageEligibilityRequest", "c"))]
Reader = Annotated[Caller, Depends(authorized("CoverageEligibilityResponse", "r"))]
RequestReader = Annotated[Caller, Depends(authorized("CoverageEligibilityRequest", "r"))]
Searcher = Annotated[Caller, Depends(authorized("CoverageEligibilityResponse", "s"))]
OPENAPI = FHIR_BODY("CoverageEligibilityRequest, or a Bundle (collection, document, message) "
                    "carrying one with its Patient, Coverage and Organization")  # fmt: skip


@router.post("/CoverageEligibilityRequest/$submit", name="eligibility.check", openapi_extra=OPENAPI)
@hot
async def submit(
    caller: Writer,
    body: FhirBody,
    key: IdempotencyHeader,
    ref: ReferenceDep,
    ports: EligibilityPortsDep,
    settings: SettingsDep,
) -> Response:
    """The $submit operation: the answer (200), as HCX and Da Vinci clients expect."""
    answer = await check(caller, body, key, "$submit", ref, ports)
    location = f"{settings.fhir_base}/CoverageEligibilityResponse/{answer.response_id}"
    return submitted(answer.body, location, replayed=answer.replayed)


@router.post(
    "/CoverageEligibilityRequest", status_code=201, name="eligibility.check", openapi_extra=OPENAPI
)
@hot
async def create(
    caller: Writer,
    body: FhirBody,
    key: IdempotencyHeader,
    ref: ReferenceDep,
    ports: EligibilityPortsDep,
    settings: SettingsDep,
) -> Response:
    """Check a patient's rights; the answer is a CoverageEligibilityResponse (201, stored)."""
    answer = await check(caller, body, key, "create", ref, ports)
    base = settings.fhir_base
    return created(
        answer.body,
        f"{base}/CoverageEligibilityRequest/{answer.request_id}",
        f"{base}/CoverageEligibilityResponse/{answer.response_id}",
        replayed=answer.replayed,
    )


async def check(
    caller: Caller,
    body: dict[str, Any],
    key: str | None,
    operation: str,
    ref: ReferenceDep,
    ports: EligibilityPortsDep,
) -> Answer:
    """Run one eligibility request, in whatever envelope, through the use case."""
    form = EligibilityForm(body, ref=ref, requestor_inpe=caller.inpe)
    submission = Submission(caller.requester, form, idempotency_key(key, operation, body))
    return await eligibility.check_eligibility(submission, ref=ref, ports=ports)


@router.get("/CoverageEligibilityResponse/{response_id}", name="eligibility.read")
async def read_response(
    response_id: ResourceId, caller: Reader, ports: EligibilityPortsDep
) -> Response:
    """A stored answer, if it is the caller's."""
    record = await eligibility.read_answer(caller.requester, response_id, ports=ports)
    return fhir_response(record.response_body)


@router.get("/CoverageEligibilityRequest/{request_id}", name="eligibility.read")
async def read_request(
    request_id: ResourceId, caller: RequestReader, ports: EligibilityPortsDep
) -> Response:
    """A stored request, if it is the caller's."""
    record = await eligibility.read_request(caller.requester, request_id, ports=ports)
    return fhir_response(record.request_body)


@router.get("/CoverageEligibilityResponse", name="eligibility.search", openapi_extra=SEARCH_OPENAPI)
async def search(
    request: Request, caller: Searcher, ref: ReferenceDep, ports: EligibilityPortsDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    """Search the caller's answers by patient, created and request."""
    query = parse_query(request.query_params.multi_items(), tenant=caller.tenant,
                        kind=eligibility.ELIGIBILITY.kind, ref=ref)  # fmt: skip
    records, total = await eligibility.search_answers(caller.requester, query, ports=ports)
    return fhir_response(bundle_of(records, total, query, settings.fhir_base))
