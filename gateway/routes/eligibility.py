"""Eligibility routes: submit a CoverageEligibilityRequest, read and search the answers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gateway import eligibility
from gateway.deps import (
    Call,
    RequestReader,
    ResponseReader,
    ResponseSearcher,
    authorized,
    fhir_body,
)
from gateway.fhirjson import FHIR_JSON, dumps
from gateway.idempotency import idempotency_key
from gateway.search import parse_query
from gateway.searchset import bundle_of

router = APIRouter(prefix="/fhir", tags=["eligibility"])
WRITER = authorized("CoverageEligibilityRequest", "c")


# The two submit routes are the hot path: they take the Request alone and call the same
# checks the dependencies of deps.py make, explicitly (FastAPI's dependency solving costs
# more than the eligibility decision itself). The body is documented for OpenAPI by hand.
FHIR_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/fhir+json": {
                "schema": {
                    "type": "object",
                    "description": "CoverageEligibilityRequest, or a collection Bundle "
                    "carrying one with its Patient, Coverage and Organization",
                }
            }
        },
    }
}


@router.post("/CoverageEligibilityRequest/$submit", openapi_extra=FHIR_BODY)
async def submit(request: Request) -> Response:
    """The $submit operation: the answer (200), as HCX and Da Vinci clients expect."""
    call = await WRITER(request)
    done = await _submit(request, call, "$submit")
    location = f"{call.container.settings.fhir_base}/CoverageEligibilityResponse/{done.response_id}"
    headers = {"Content-Location": location, **_replayed(done)}
    return Response(done.body, media_type=FHIR_JSON, headers=headers)


@router.post("/CoverageEligibilityRequest", status_code=201, openapi_extra=FHIR_BODY)
async def create(request: Request) -> Response:
    """Check a patient's rights; the answer is a CoverageEligibilityResponse (201, stored)."""
    call = await WRITER(request)
    done = await _submit(request, call, "create")
    base = call.container.settings.fhir_base
    headers = {
        "Location": f"{base}/CoverageEligibilityRequest/{done.request_id}",
        "Content-Location": f"{base}/CoverageEligibilityResponse/{done.response_id}",
        **_replayed(done),
    }
    return Response(done.body, status_code=201, media_type=FHIR_JSON, headers=headers)


async def _submit(request: Request, call: Call, operation: str) -> eligibility.Submitted:
    key = idempotency_key(request.headers)
    body = await fhir_body(request)
    return await eligibility.submit(call.container, call.caller, body, operation=operation, key=key)


def _replayed(done: eligibility.Submitted) -> dict[str, str]:
    return {"Idempotent-Replayed": "true"} if done.replayed else {}


@router.get("/CoverageEligibilityResponse/{response_id}")
async def read_response(response_id: str, call: ResponseReader) -> Response:
    """A stored answer, if it is the caller's."""
    body = await eligibility.read_response(call.container, call.caller, response_id)
    return Response(body, media_type=FHIR_JSON)


@router.get("/CoverageEligibilityRequest/{request_id}")
async def read_request(request_id: str, call: RequestReader) -> Response:
    """A stored request, if it is the caller's."""
    body = await eligibility.read_request(call.container, call.caller, request_id)
    return Response(body, media_type=FHIR_JSON)


@router.get("/CoverageEligibilityResponse")
async def search(request: Request, call: ResponseSearcher) -> Response:
    """Search the caller's answers by patient, created and request."""
    container = call.container
    query = parse_query(
        request.query_params.multi_items(),
        tenant=call.caller.tenant,
        kind=eligibility.KIND,
        ref=container.ref,
    )
    records, total = await eligibility.search(container, call.caller, query)
    bundle = bundle_of(records, total, query, container.settings.fhir_base)
    return Response(dumps(bundle), media_type=FHIR_JSON)
