"""In-memory fakes of the notification repositories (domain/subscription_ports.py and the
outbox), which tests/fakes.py's unit of work holds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.records import Notification
from domain.subscriptions import (
    DeliveryEvent,
    EventQuery,
    Subscription,
    SubscriptionQuery,
    WebhookEndpoint,
)


class FakeOutbox:
    """Notifications queued, in order."""

    def __init__(self) -> None:
        self.notifications: list[Notification] = []

    def add_many(self, notifications: Sequence[Notification]) -> None:
        """Queue notifications."""
        self.notifications.extend(notifications)


class FakeEndpointRepository:
    """Endpoints by id, with their secrets; a URL once per tenant."""

    def __init__(self) -> None:
        self.endpoints: dict[str, WebhookEndpoint] = {}
        self.secrets: dict[str, str] = {}
        self.removed_subscriptions: list[str] = []  # endpoint ids whose subscriptions went

    def add(self, endpoint: WebhookEndpoint, secret: str) -> None:
        """Register an endpoint; the same URL twice for a tenant is refused."""
        if self.by_url(endpoint.tenant, endpoint.url) is not None:
            raise ValueError("duplicate endpoint URL")
        self.endpoints[endpoint.id] = endpoint
        self.secrets[endpoint.id] = secret

    def of(self, tenant: str) -> list[WebhookEndpoint]:
        """A tenant's endpoints, in registration order."""
        return [e for e in self.endpoints.values() if e.tenant == tenant]

    def by_url(self, tenant: str, url: str) -> WebhookEndpoint | None:
        """The tenant's endpoint with that URL."""
        return next((e for e in self.of(tenant) if e.url == url), None)

    def remove(self, tenant: str, endpoint_id: str) -> int | None:
        """Remove an endpoint of the tenant's (its subscriptions are not tracked here)."""
        found = self.endpoints.get(endpoint_id)
        if found is None or found.tenant != tenant:
            return None
        del self.endpoints[endpoint_id]
        self.removed_subscriptions.append(endpoint_id)
        return 0


class FakeSubscriptionRepository:
    """Subscriptions by id, with the events a test gives them; scoped by tenant."""

    def __init__(self) -> None:
        self.subscriptions: dict[str, Subscription] = {}
        self.listed: dict[str, list[DeliveryEvent]] = {}  # by subscription id
        self.replayed: list[tuple[str, EventQuery]] = []

    def add(self, subscription: Subscription) -> None:
        """Store a new subscription."""
        self.subscriptions[subscription.id] = subscription

    def get(self, tenant: str, subscription_id: str) -> Subscription | None:
        """The tenant's subscription with that id."""
        found = self.subscriptions.get(subscription_id)
        return found if found is not None and found.tenant == tenant else None

    def search(self, query: SubscriptionQuery) -> tuple[list[Subscription], int]:
        """The tenant's matching subscriptions, in creation order, paged."""
        hits = [
            s
            for s in self.subscriptions.values()
            if s.tenant == query.tenant
            and (query.status is None or s.status == query.status)
            and (query.url is None or s.endpoint_url == query.url)
        ]
        return hits[query.offset : query.offset + query.limit], len(hits)

    def remove(self, tenant: str, subscription_id: str) -> bool:
        """Delete the tenant's subscription; False if none."""
        if self.get(tenant, subscription_id) is None:
            return False
        del self.subscriptions[subscription_id]
        return True

    def events(self, tenant: str, subscription_id: str, query: EventQuery) -> list[DeliveryEvent]:
        """The events a test gave the subscription, in the range."""
        if self.get(tenant, subscription_id) is None:
            return []
        return [
            e
            for e in self.listed.get(subscription_id, [])
            if (query.since is None or e.number >= query.since)
            and (query.until is None or e.number <= query.until)
            and (query.status is None or e.status == query.status)
        ][-query.limit :]

    def replay(self, tenant: str, subscription_id: str, query: EventQuery, now: datetime) -> int:
        """Count the dead events in the range (and remember the call)."""
        if self.get(tenant, subscription_id) is None:
            return 0
        self.replayed.append((subscription_id, query))
        dead = [e for e in self.events(tenant, subscription_id, query) if e.status == "dead"]
        return len(dead)


class FakeSubscriptionStore:
    """domain.subscription_ports.SubscriptionStore over the repositories' fakes (each call
    committed)."""

    def __init__(self) -> None:
        self.endpoints = FakeEndpointRepository()
        self.subscriptions = FakeSubscriptionRepository()

    async def endpoint(self, tenant: str, url: str) -> WebhookEndpoint | None:
        """The tenant's endpoint with that URL."""
        return self.endpoints.by_url(tenant, url)

    async def add(self, subscription: Subscription) -> None:
        """Store a subscription."""
        self.subscriptions.add(subscription)

    async def get(self, tenant: str, subscription_id: str) -> Subscription | None:
        """The tenant's subscription."""
        return self.subscriptions.get(tenant, subscription_id)

    async def search(self, query: SubscriptionQuery) -> tuple[list[Subscription], int]:
        """The tenant's matching subscriptions."""
        return self.subscriptions.search(query)

    async def remove(self, tenant: str, subscription_id: str) -> bool:
        """Delete the tenant's subscription."""
        return self.subscriptions.remove(tenant, subscription_id)

    async def events(
        self, tenant: str, subscription_id: str, query: EventQuery
    ) -> list[DeliveryEvent]:
        """The subscription's events a test gave."""
        return self.subscriptions.events(tenant, subscription_id, query)

    async def replay(
        self, tenant: str, subscription_id: str, query: EventQuery, now: datetime
    ) -> int:
        """The dead events in the range, counted."""
        return self.subscriptions.replay(tenant, subscription_id, query, now)
