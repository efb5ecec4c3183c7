"""Subscription routes (Subscriptions R5 Backport IG, R4): subscribe a registered endpoint to a
topic, read, search, delete, and the $status, $events and $replay operations.

Each route reads: parse the HTTP request -> the use case -> render the FHIR answer.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from domain.services import subscriptions as use
from domain.services.subscriptions import SubscriptionPorts
from domain.subscriptions import Subscription
from fhir_profiles import notifications
from fhir_profiles import subscriptions as fhir
from fhir_profiles.bundle import searchset
from gateway.auth import Caller
from gateway.deps import FhirBody, SettingsDep, authorized, fhir_body, gateway_of
from gateway.fhirjson import FHIR_BODY, fhir_response
from gateway.search import ResourceId
from gateway.subscription_params import event_query, replay_range, subscription_query

router = APIRouter(prefix="/fhir", tags=["subscriptions"])
Creator = Annotated[Caller, Depends(authorized("Subscription", "c"))]
Reader = Annotated[Caller, Depends(authorized("Subscription", "r"))]
Searcher = Annotated[Caller, Depends(authorized("Subscription", "s"))]
Deleter = Annotated[Caller, Depends(authorized("Subscription", "d"))]
Updater = Annotated[Caller, Depends(authorized("Subscription", "u"))]
OPENAPI = FHIR_BODY(
    "Subscription R4 (Backport IG): criteria = topic canonical, channel rest-hook to a "
    "pre-registered endpoint, payload application/fhir+json id-only"
)
REPLAY_OPENAPI = {
    "requestBody": {
        "required": False,
        "content": {"application/fhir+json": {"schema": {"type": "object"}}},
    }
}


def ports_of(request: Request) -> SubscriptionPorts:
    """The subscription use cases' ports."""
    return gateway_of(request).subscriptions


PortsDep = Annotated[SubscriptionPorts, Depends(ports_of)]


@router.post("/Subscription", status_code=201, name="subscription.create", openapi_extra=OPENAPI)
async def create(
    caller: Creator, body: FhirBody, ports: PortsDep, settings: SettingsDep
) -> Response:
    """Subscribe one of the caller's registered endpoints to a topic (201, active at once)."""
    created = await use.subscribe(caller.requester, fhir.to_domain(body), ports=ports)
    location = f"{settings.fhir_base}/Subscription/{created.id}"
    return fhir_response(fhir.from_domain(created), status=201, headers={"Location": location})


@router.get("/Subscription/{subscription_id}", name="subscription.read")
async def read(subscription_id: ResourceId, caller: Reader, ports: PortsDep) -> Response:
    """One of the caller's subscriptions."""
    found = await use.read(caller.requester, subscription_id, ports=ports)
    return fhir_response(fhir.from_domain(found))


@router.get("/Subscription", name="subscription.search")
async def search(
    request: Request, caller: Searcher, ports: PortsDep, settings: SettingsDep
) -> Response:
    """The caller's subscriptions, by status and channel endpoint."""
    query = subscription_query(request.query_params.multi_items(), tenant=caller.tenant)
    found, total = await use.search(caller.requester, query, ports=ports)
    base = settings.fhir_base
    more = query.offset + len(found) < total
    criteria = [("status", query.status.value if query.status else None), ("url", query.url)]
    kept = [(name, value) for name, value in criteria if value is not None]
    page = f"{base}/Subscription?{urlencode([*kept, ('_count', query.limit)])}"
    return fhir_response(
        searchset(
            [fhir.from_domain(s) for s in found],
            total,
            self_url=f"{page}&_offset={query.offset}",
            next_url=f"{page}&_offset={query.offset + query.limit}" if more else None,
            base_url=base,
        )
    )


@router.delete("/Subscription/{subscription_id}", status_code=204, name="subscription.delete")
async def delete(subscription_id: ResourceId, caller: Deleter, ports: PortsDep) -> Response:
    """Delete one of the caller's subscriptions; its undelivered notifications go with it."""
    await use.unsubscribe(caller.requester, subscription_id, ports=ports)
    return Response(status_code=204)


@router.get("/Subscription/{subscription_id}/$status", name="subscription.status")
async def status(
    subscription_id: ResourceId, caller: Reader, ports: PortsDep, settings: SettingsDep
) -> Response:
    """$status: the subscription's status, as a notification's SubscriptionStatus says it."""
    found: Subscription = await use.read(caller.requester, subscription_id, ports=ports)
    return fhir_response(notifications.status_bundle(found, settings.fhir_base))


@router.get("/Subscription/{subscription_id}/$events", name="subscription.events")
async def events(
    subscription_id: ResourceId,
    request: Request,
    caller: Reader,
    ports: PortsDep,
    settings: SettingsDep,
) -> Response:
    """$events: the subscription's recent events and how their delivery went."""
    query = event_query(request.query_params.multi_items())
    found, listed = await use.events(caller.requester, subscription_id, query, ports=ports)
    now = ports.exchange.clock.now()
    return fhir_response(notifications.events_bundle(found, listed, settings.fhir_base, now))


@router.post(
    "/Subscription/{subscription_id}/$replay",
    name="subscription.replay",
    openapi_extra=REPLAY_OPENAPI,
)
async def replay(
    subscription_id: ResourceId, request: Request, caller: Updater, ports: PortsDep
) -> Response:
    """$replay: the subscription's dead deliveries (all, or an event range) queued again."""
    query = replay_range(await _optional_body(request))
    count = await use.replay(caller.requester, subscription_id, query, ports=ports)
    body = {
        "resourceType": "Parameters",
        "parameter": [{"name": "replayed", "valueInteger": count}],
    }
    return fhir_response(body)


async def _optional_body(request: Request) -> dict[str, Any] | None:
    """The request's FHIR body, or None when it has none (a bare POST)."""
    if (
        request.headers.get("content-length", "0") == "0"
        and "transfer-encoding" not in request.headers
    ):
        return None
    return await fhir_body(request)
