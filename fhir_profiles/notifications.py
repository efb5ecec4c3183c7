"""Notification Bundles (Subscriptions R5 Backport IG, R4): what a rest-hook receives, what
$events and $status answer.

A notification is a `history` Bundle whose first entry is the SubscriptionStatus, carried in
R4 as a Parameters resource (profile backport-subscription-status-r4). Content is id-only:
each event names its focus by reference, and the receiver reads it with its own credentials.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import orjson

from domain.notifications import Topic
from domain.subscriptions import Delivery, DeliveryEvent, Subscription, SubscriptionStatus
from fhir_profiles import systems
from fhir_profiles.subscriptions import instant, topic_url

Json = dict[str, Any]
EVENT_NOTIFICATION: Final = "event-notification"
QUERY_EVENT: Final = "query-event"
QUERY_STATUS: Final = "query-status"


def notification(delivery: Delivery, base_url: str) -> bytes:
    """The body POSTed for one delivery: the same bytes at every attempt and replay."""
    base = base_url.rstrip("/")
    event = delivery.event
    status = _status(
        parameters_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/{delivery.id}")),
        subscription_url=f"{base}/Subscription/{delivery.subscription_id}",
        topic=Topic(event.topic),
        status=SubscriptionStatus.ACTIVE,
        kind=EVENT_NOTIFICATION,
        events_since_start=delivery.events_since_start,
        events=[_event(delivery.event_number, event.at, f"{base}/{event.focus}")],
    )
    bundle = _history(status, f"{base}/Subscription/{delivery.subscription_id}", at=event.at)
    return orjson.dumps(bundle)


def events_bundle(
    subscription: Subscription, events: Sequence[DeliveryEvent], base_url: str, now: datetime
) -> Json:
    """$events: the subscription's events, each with how its delivery went (our own parts
    delivery-status, delivery-attempts, delivery-error, next-attempt, delivered)."""
    base = base_url.rstrip("/")
    status = _status(
        parameters_id=str(uuid.uuid4()),
        subscription_url=f"{base}/Subscription/{subscription.id}",
        topic=subscription.topic,
        status=subscription.status,
        kind=QUERY_EVENT,
        events_since_start=subscription.events,
        events=[_listed(e, base) for e in events],
    )
    return _history(status, f"{base}/Subscription/{subscription.id}", at=now)


def status_bundle(subscription: Subscription, base_url: str) -> Json:
    """$status: a searchset Bundle holding the subscription's status."""
    base = base_url.rstrip("/")
    status = _status(
        parameters_id=str(uuid.uuid4()),
        subscription_url=f"{base}/Subscription/{subscription.id}",
        topic=subscription.topic,
        status=subscription.status,
        kind=QUERY_STATUS,
        events_since_start=subscription.events,
        events=[],
        error=subscription.error,
    )
    entry = {"fullUrl": f"urn:uuid:{status['id']}", "resource": status, "search": {"mode": "match"}}
    return {"resourceType": "Bundle", "type": "searchset", "total": 1, "entry": [entry]}


def _history(status: Json, subscription_url: str, *, at: datetime) -> Json:
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [systems.SD_BACKPORT_NOTIFICATION]},
        "type": "history",
        "timestamp": instant(at),
        "entry": [
            {
                "fullUrl": f"urn:uuid:{status['id']}",
                "resource": status,
                # A history Bundle's entries carry request and response (bdl-3, bdl-4).
                "request": {"method": "GET", "url": f"{subscription_url}/$status"},
                "response": {"status": "200"},
            }
        ],
    }


def _status(
    *,
    parameters_id: str,
    subscription_url: str,
    topic: Topic,
    status: SubscriptionStatus,
    kind: str,
    events_since_start: int,
    events: list[Json],
    error: str | None = None,
) -> Json:
    parameters: list[Json] = [
        {"name": "subscription", "valueReference": {"reference": subscription_url}},
        {"name": "topic", "valueCanonical": topic_url(topic)},
        {"name": "status", "valueCode": status.value},
        {"name": "type", "valueCode": kind},
        {"name": "events-since-subscription-start", "valueString": str(events_since_start)},
        *events,
    ]
    if error:
        parameters.append({"name": "error", "valueCodeableConcept": {"text": error}})
    return {
        "resourceType": "Parameters",
        "id": parameters_id,
        "meta": {"profile": [systems.SD_BACKPORT_STATUS]},
        "parameter": parameters,
    }


def _event(number: int, at: datetime, focus_url: str, *extra: Json) -> Json:
    return {
        "name": "notification-event",
        "part": [
            {"name": "event-number", "valueString": str(number)},
            {"name": "timestamp", "valueInstant": instant(at)},
            {"name": "focus", "valueReference": {"reference": focus_url}},
            *extra,
        ],
    }


def _listed(found: DeliveryEvent, base: str) -> Json:
    parts: list[Json] = [
        {"name": "delivery-status", "valueCode": found.status.value},
        {"name": "delivery-attempts", "valueInteger": found.attempts},
    ]
    if found.last_error:
        parts.append({"name": "delivery-error", "valueString": found.last_error})
    if found.next_attempt is not None:
        parts.append({"name": "next-attempt", "valueInstant": instant(found.next_attempt)})
    if found.delivered is not None:
        parts.append({"name": "delivered", "valueInstant": instant(found.delivered)})
    return _event(found.number, found.event.at, f"{base}/{found.event.focus}", *parts)
