"""Eligibility routes: submit a CoverageEligibilityRequest, read and search the answers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from fhir_profiles.bundle import searchset
from gateway import eligibility
from gateway.deps import (
    ContainerDep,
    EligibilityWriter,
    FhirBody,
    RequestReader,
    ResponseReader,
    ResponseSearcher,
)
from gateway.fhirjson import FHIR_JSON, dumps
from gateway.search import parse_query
from gateway.searchset import bundle_of

router = APIRouter(prefix="/fhir", tags=["eligibility"])


@router.post("/CoverageEligibilityRequest", status_code=201)
async def create(body: FhirBody, caller: EligibilityWriter, container: ContainerDep) -> Response:
    """Check a patient's rights; the answer is a CoverageEligibilityResponse (201, stored)."""
    done = await run_in_threadpool(eligibility.submit, container, caller, body)
    base = container.settings.fhir_base
    headers = {
        "Location": f"{base}/CoverageEligibilityRequest/{done.request_id}",
        "Content-Location": f"{base}/CoverageEligibilityResponse/{done.response_id}",
    }
    return Response(done.body, status_code=201, media_type=FHIR_JSON, headers=headers)


@router.post("/CoverageEligibilityRequest/$submit")
async def submit(body: FhirBody, caller: EligibilityWriter, container: ContainerDep) -> Response:
    """The $submit operation: the same check, answered 200 as HCX and Da Vinci clients expect."""
    done = await run_in_threadpool(eligibility.submit, container, caller, body)
    location = f"{container.settings.fhir_base}/CoverageEligibilityResponse/{done.response_id}"
    return Response(done.body, media_type=FHIR_JSON, headers={"Content-Location": location})


@router.get("/CoverageEligibilityResponse/{response_id}")
async def read_response(
    response_id: str, caller: ResponseReader, container: ContainerDep
) -> Response:
    """A stored answer, if it is the caller's."""
    body = await run_in_threadpool(eligibility.read_response, container, caller, response_id)
    return Response(body, media_type=FHIR_JSON)


@router.get("/CoverageEligibilityRequest/{request_id}")
async def read_request(request_id: str, caller: RequestReader, container: ContainerDep) -> Response:
    """A stored request, if it is the caller's."""
    body = await run_in_threadpool(eligibility.read_request, container, caller, request_id)
    return Response(body, media_type=FHIR_JSON)


@router.get("/CoverageEligibilityResponse")
async def search(request: Request, caller: ResponseSearcher, container: ContainerDep) -> Response:
    """Search the caller's answers by patient, created and request."""
    query = parse_query(
        request.query_params.multi_items(),
        tenant=caller.tenant,
        kind=eligibility.KIND,
        ref=container.ref,
    )
    records, total = await run_in_threadpool(eligibility.search, container, caller, query)
    bundle = bundle_of(records, total, query, container.settings.fhir_base, searchset)
    return Response(dumps(bundle), media_type=FHIR_JSON)
