"""Ports of notifications: where subscriptions and endpoints are kept (repositories, in the
unit of work, and the store the API's use cases await) and what the worker's relay uses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.subscriptions import (
    Attempted,
    Delivery,
    DeliveryEvent,
    EventQuery,
    Subscription,
    SubscriptionQuery,
    WebhookEndpoint,
)


class EndpointRepository(Protocol):
    """The webhook endpoints the operator registered for providers."""

    def add(self, endpoint: WebhookEndpoint, secret: str) -> None:
        """Register an endpoint and its signing secret (a URL is registered once per tenant)."""
        ...

    def of(self, tenant: str) -> list[WebhookEndpoint]:
        """A tenant's endpoints, oldest first."""
        ...

    def by_url(self, tenant: str, url: str) -> WebhookEndpoint | None:
        """The tenant's endpoint with exactly that URL."""
        ...

    def remove(self, tenant: str, endpoint_id: str) -> int | None:
        """Remove an endpoint and the subscriptions using it; how many subscriptions went,
        None when the tenant has no such endpoint."""
        ...


class SubscriptionRepository(Protocol):
    """Providers' subscriptions and the events delivered to them, scoped to a tenant."""

    def add(self, subscription: Subscription) -> None:
        """Store a new subscription."""
        ...

    def get(self, tenant: str, subscription_id: str) -> Subscription | None:
        """The subscription with that id, if it is the tenant's."""
        ...

    def search(self, query: SubscriptionQuery) -> tuple[list[Subscription], int]:
        """The tenant's matching subscriptions, oldest first, and their total."""
        ...

    def remove(self, tenant: str, subscription_id: str) -> bool:
        """Delete a subscription of the tenant's and its deliveries; False if none."""
        ...

    def events(self, tenant: str, subscription_id: str, query: EventQuery) -> list[DeliveryEvent]:
        """The subscription's most recent matching events, by event number."""
        ...

    def replay(self, tenant: str, subscription_id: str, query: EventQuery, now: datetime) -> int:
        """Put the subscription's dead deliveries in the range back in the queue, due now
        with their attempts reset; how many."""
        ...


class SubscriptionStore(Protocol):
    """Providers' subscriptions as the API's use cases await them; each call is one
    transaction, scoped to the tenant."""

    async def endpoint(self, tenant: str, url: str) -> WebhookEndpoint | None:
        """The tenant's registered endpoint with exactly that URL."""
        ...

    async def add(self, subscription: Subscription) -> None:
        """Store a new subscription; durable once it returns."""
        ...

    async def get(self, tenant: str, subscription_id: str) -> Subscription | None:
        """The subscription with that id, if it is the tenant's."""
        ...

    async def search(self, query: SubscriptionQuery) -> tuple[list[Subscription], int]:
        """The tenant's matching subscriptions and their total."""
        ...

    async def remove(self, tenant: str, subscription_id: str) -> bool:
        """Delete a subscription of the tenant's; False if none."""
        ...

    async def events(
        self, tenant: str, subscription_id: str, query: EventQuery
    ) -> list[DeliveryEvent]:
        """The subscription's most recent matching events."""
        ...

    async def replay(
        self, tenant: str, subscription_id: str, query: EventQuery, now: datetime
    ) -> int:
        """Queue the subscription's dead deliveries in the range again; how many."""
        ...


class DeliveryQueue(Protocol):
    """The outbox seen from the worker: events fanned out into deliveries, claimed under a
    lease so that several workers never attempt the same delivery at once."""

    async def fan_out(self, now: datetime, limit: int) -> int:
        """Turn up to `limit` new events into deliveries for the matching subscriptions;
        how many events were handled."""
        ...

    async def claim(self, owner: str, now: datetime, limit: int) -> list[Delivery]:
        """Lease up to `limit` due deliveries to `owner`, counting the attempt; a lease that
        ran out (its worker died) is taken again."""
        ...

    async def settle(self, owner: str, attempts: Sequence[Attempted]) -> None:
        """Record what the attempts came to, for the deliveries `owner` still holds."""
        ...


class WebhookSender(Protocol):
    """Posts a signed notification to an endpoint."""

    async def send(self, delivery: Delivery, body: bytes) -> str | None:
        """None once the endpoint answered 2xx, else why not (no patient data)."""
        ...


class NotificationRenderer(Protocol):
    """The body of a delivery's notification."""

    def __call__(self, delivery: Delivery) -> bytes:
        """The notification as sent, in bytes."""
        ...
