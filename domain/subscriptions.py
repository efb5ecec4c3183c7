"""Subscriptions to notifications and their deliveries: plain values and the retry rule.

A provider registers its webhook endpoints with the operator beforehand (an endpoint is where
the gateway will POST, so a provider cannot point it at anything it likes by itself); it then
subscribes one of them to a topic. Each event of the outbox becomes one delivery per matching
subscription, attempted until the endpoint answers 2xx or the attempts run out (dead letter,
which the provider can replay).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.notifications import Topic
from domain.records import Notification


class SubscriptionStatus(StrEnum):
    """FHIR R4 subscription-status: where a subscription stands."""

    REQUESTED = "requested"
    ACTIVE = "active"
    ERROR = "error"  # a delivery went dead: still attempted, until the provider replays it
    OFF = "off"


class DeliveryStatus(StrEnum):
    """Where one delivery of one event to one subscription stands."""

    PENDING = "pending"  # due at its next attempt
    DELIVERED = "delivered"  # the endpoint answered 2xx
    DEAD = "dead"  # every attempt failed: waits for a replay


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """A URL the operator registered for a provider; its signing secret stays in the store."""

    id: str
    tenant: str
    url: str
    created: datetime


@dataclass(frozen=True, slots=True)
class FocusFilter:
    """A filter-by criterion: events whose focus is of that resource type and, when ids are
    given, one of those resources."""

    resource_type: str
    ids: tuple[str, ...] = ()

    def matches(self, focus: str) -> bool:
        """Whether an event about `focus` ("ClaimResponse/abc") passes the filter."""
        kind, _, resource_id = focus.partition("/")
        return kind == self.resource_type and (not self.ids or resource_id in self.ids)


@dataclass(frozen=True, slots=True)
class Subscribe:
    """Subscribe a registered endpoint to a topic's events."""

    topic: Topic
    endpoint_url: str
    reason: str
    filters: tuple[FocusFilter, ...] = ()  # all must match (logical AND)
    end: datetime | None = None  # no event after this instant is delivered


@dataclass(frozen=True, slots=True)
class Subscription:
    """A provider's subscription of one of its endpoints to a topic."""

    id: str
    tenant: str
    topic: Topic
    endpoint_id: str
    endpoint_url: str
    reason: str
    status: SubscriptionStatus
    created: datetime
    filters: tuple[FocusFilter, ...] = ()
    end: datetime | None = None
    events: int = 0  # events since the subscription started (the last event number)
    error: str | None = None  # why its last delivery went dead: never patient data

    def hears(self, event: Notification) -> bool:
        """Whether an event is delivered to this subscription."""
        return (
            event.tenant == self.tenant
            and event.topic == self.topic
            and self.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.ERROR)
            and (self.end is None or event.at < self.end)
            and all(f.matches(event.focus) for f in self.filters)
        )


@dataclass(frozen=True, slots=True)
class SubscriptionQuery:
    """Search criteria over a tenant's subscriptions."""

    tenant: str
    status: SubscriptionStatus | None = None
    url: str | None = None  # the channel endpoint
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Which of a subscription's events to list or replay, by event number (inclusive)."""

    since: int | None = None
    until: int | None = None
    status: DeliveryStatus | None = None
    limit: int = 50  # the most recent ones


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery claimed for an attempt, with what the attempt needs."""

    id: str  # the webhook-id: the same for every attempt and replay, receivers deduplicate
    event: Notification
    subscription_id: str
    event_number: int
    events_since_start: int
    url: str
    secret: str = field(repr=False)  # the endpoint's signing secret (whsec_...)
    attempts: int = 1  # this one included


@dataclass(frozen=True, slots=True)
class DeliveryEvent:
    """An event of a subscription and how its delivery went, for the provider to look at."""

    number: int
    event: Notification
    status: DeliveryStatus
    attempts: int
    last_error: str | None = None
    next_attempt: datetime | None = None  # pending: when it is tried next
    delivered: datetime | None = None


@dataclass(frozen=True, slots=True)
class Attempted:
    """What one attempt came to: delivered (no error), retried at `retry_at`, or dead."""

    delivery_id: str
    subscription_id: str
    at: datetime
    error: str | None = None  # why it failed: a status or a network cause, never a body
    retry_at: datetime | None = None  # None with an error: no attempt left, dead

    @property
    def delivered(self) -> bool:
        """Whether the endpoint took it."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter (a random wait between zero and the exponential
    ceiling, so that receivers coming back up are not hit by every retry at once)."""

    max_attempts: int
    base_seconds: float
    cap_seconds: float

    def ceiling(self, attempts: int) -> float:
        """The longest wait after `attempts` failed attempts: base x 2^(attempts-1), capped."""
        return min(self.cap_seconds, self.base_seconds * 2.0 ** min(attempts - 1, 62))

    def retry_at(
        self, attempts: int, now: datetime, draw: Callable[[], float] = random.random
    ) -> datetime | None:
        """When to try again after `attempts` failed attempts; None when none is left."""
        if attempts >= self.max_attempts:
            return None
        return now + timedelta(seconds=self.ceiling(attempts) * draw())


def delivery_id(event_id: str, subscription_id: str) -> str:
    """The id of an event's delivery to a subscription: derived, so that a fan-out done
    twice (a crash before its commit) names the same delivery, and receivers see one id."""
    digest = hashlib.sha256(f"{event_id}\x1f{subscription_id}".encode()).hexdigest()
    return f"msg_{digest[:32]}"
