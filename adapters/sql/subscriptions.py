"""Webhook endpoints, subscriptions and their deliveries as the provider sees them.

The endpoints' signing secrets are encrypted at rest like personal data (FieldCipher, bound
to their row); every read and change is scoped to the tenant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import ColumnElement, Row, delete, func, insert, select, update
from sqlalchemy.orm import Session

from adapters.crypto import FieldCipher
from adapters.sql.reads import in_thread
from adapters.sql.tables import DeliveryRow, OutboxEventRow, SubscriptionRow, WebhookEndpointRow
from domain.notifications import Topic
from domain.records import Notification
from domain.subscriptions import (
    DeliveryEvent,
    DeliveryStatus,
    EventQuery,
    FocusFilter,
    Subscription,
    SubscriptionQuery,
    SubscriptionStatus,
    WebhookEndpoint,
)
from domain.uow_ports import UnitOfWork, UnitOfWorkFactory

ENDPOINT = WebhookEndpointRow.__table__
SUBSCRIPTION = SubscriptionRow.__table__
EVENT = OutboxEventRow.__table__
DELIVERY = DeliveryRow.__table__
T = TypeVar("T")


def secret_aad(endpoint_id: str) -> bytes:
    """What binds a secret's ciphertext to its endpoint row."""
    return b"webhook-endpoint\x1f" + endpoint_id.encode()


class SqlEndpointRepository:
    """domain.subscription_ports.EndpointRepository over the webhook_endpoint table."""

    def __init__(self, session: Session, *, cipher: FieldCipher) -> None:
        self._session = session
        self._cipher = cipher

    def add(self, endpoint: WebhookEndpoint, secret: str) -> None:
        """Register an endpoint; the same URL twice for a tenant raises IntegrityError."""
        row = {
            "id": endpoint.id,
            "tenant": endpoint.tenant,
            "url": endpoint.url,
            "key_id": self._cipher.current_key_id,
            "secret_enc": self._cipher.encrypt(secret.encode(), aad=secret_aad(endpoint.id)),
            "created_at": endpoint.created,
        }
        self._session.execute(insert(ENDPOINT), [row])

    def of(self, tenant: str) -> list[WebhookEndpoint]:
        """A tenant's endpoints, oldest first."""
        query = _ENDPOINTS.where(ENDPOINT.c.tenant == tenant)
        return [_endpoint(row) for row in self._session.execute(query)]

    def by_url(self, tenant: str, url: str) -> WebhookEndpoint | None:
        """The tenant's endpoint with exactly that URL."""
        query = _ENDPOINTS.where(ENDPOINT.c.tenant == tenant, ENDPOINT.c.url == url)
        row = self._session.execute(query).first()
        return None if row is None else _endpoint(row)

    def remove(self, tenant: str, endpoint_id: str) -> int | None:
        """Remove an endpoint and its subscriptions (their deliveries go with them)."""
        mine = (ENDPOINT.c.id == endpoint_id, ENDPOINT.c.tenant == tenant)
        if self._session.execute(select(ENDPOINT.c.id).where(*mine)).first() is None:
            return None
        using = select(SUBSCRIPTION.c.id).where(SUBSCRIPTION.c.endpoint_id == endpoint_id)
        ids = list(self._session.execute(using).scalars())
        _remove_subscriptions(self._session, ids)
        self._session.execute(delete(ENDPOINT).where(*mine))
        return len(ids)


_ENDPOINTS = select(
    ENDPOINT.c.id, ENDPOINT.c.tenant, ENDPOINT.c.url, ENDPOINT.c.created_at
).order_by(ENDPOINT.c.created_at, ENDPOINT.c.id)


def _endpoint(row: Row[Any]) -> WebhookEndpoint:
    return WebhookEndpoint(row.id, row.tenant, row.url, row.created_at)


def _remove_subscriptions(session: Session, ids: list[str]) -> None:
    """Delete subscriptions and their deliveries (explicitly: not every store cascades)."""
    if ids:
        session.execute(delete(DELIVERY).where(DELIVERY.c.subscription_id.in_(ids)))
        session.execute(delete(SUBSCRIPTION).where(SUBSCRIPTION.c.id.in_(ids)))


class SqlSubscriptionRepository:
    """domain.subscription_ports.SubscriptionRepository over the subscription and delivery
    tables."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, subscription: Subscription) -> None:
        """Store a new subscription."""
        self._session.execute(insert(SUBSCRIPTION), [subscription_row(subscription)])

    def get(self, tenant: str, subscription_id: str) -> Subscription | None:
        """The tenant's subscription with that id."""
        query = _SUBSCRIPTIONS.where(
            SUBSCRIPTION.c.id == subscription_id, SUBSCRIPTION.c.tenant == tenant
        )
        row = self._session.execute(query).first()
        return None if row is None else subscription_of(row)

    def search(self, query: SubscriptionQuery) -> tuple[list[Subscription], int]:
        """The tenant's matching subscriptions, oldest first, paged, and their total."""
        where: list[ColumnElement[bool]] = [SUBSCRIPTION.c.tenant == query.tenant]
        if query.status is not None:
            where.append(SUBSCRIPTION.c.status == query.status.value)
        if query.url is not None:
            where.append(ENDPOINT.c.url == query.url)
        total = self._session.execute(
            select(func.count()).select_from(_JOINED).where(*where)
        ).scalar_one()
        page = _SUBSCRIPTIONS.where(*where).limit(query.limit).offset(query.offset)
        return [subscription_of(row) for row in self._session.execute(page)], int(total)

    def remove(self, tenant: str, subscription_id: str) -> bool:
        """Delete the tenant's subscription and its deliveries; False if none."""
        if self.get(tenant, subscription_id) is None:
            return False
        _remove_subscriptions(self._session, [subscription_id])
        return True

    def events(self, tenant: str, subscription_id: str, query: EventQuery) -> list[DeliveryEvent]:
        """The most recent matching events of the subscription, oldest first."""
        listing = (
            select(DELIVERY, EVENT.c.topic, EVENT.c.focus, EVENT.c.at)
            .join(EVENT, EVENT.c.id == DELIVERY.c.event_id)
            .where(*_in_range(tenant, subscription_id, query))
            .order_by(DELIVERY.c.event_number.desc())
            .limit(query.limit)
        )
        return [_event(row) for row in reversed(self._session.execute(listing).all())]

    def replay(self, tenant: str, subscription_id: str, query: EventQuery, now: datetime) -> int:
        """Dead deliveries in the range back in the queue, due now, attempts reset."""
        dead = _in_range(tenant, subscription_id, query, DeliveryStatus.DEAD)
        change = update(DELIVERY).where(*dead)
        fresh = {"status": DeliveryStatus.PENDING.value, "attempts": 0, "next_attempt_at": now}
        unleased = {"lease_owner": None, "lease_until": None, "last_error": None}
        count = int(self._session.execute(change.values(**fresh, **unleased)).rowcount)  # type: ignore[attr-defined]
        if count:
            self._session.execute(
                update(SUBSCRIPTION)
                .where(SUBSCRIPTION.c.id == subscription_id, SUBSCRIPTION.c.tenant == tenant)
                .values(status=SubscriptionStatus.ACTIVE.value, error=None)
            )
        return count


def _in_range(
    tenant: str, subscription_id: str, query: EventQuery, status: DeliveryStatus | None = None
) -> list[ColumnElement[bool]]:
    where = [DELIVERY.c.subscription_id == subscription_id, DELIVERY.c.tenant == tenant]
    if query.since is not None:
        where.append(DELIVERY.c.event_number >= query.since)
    if query.until is not None:
        where.append(DELIVERY.c.event_number <= query.until)
    wanted = status or query.status
    if wanted is not None:
        where.append(DELIVERY.c.status == wanted.value)
    return where


_JOINED = SUBSCRIPTION.join(ENDPOINT, ENDPOINT.c.id == SUBSCRIPTION.c.endpoint_id)
_SUBSCRIPTIONS = (
    select(SUBSCRIPTION, ENDPOINT.c.url)
    .select_from(_JOINED)
    .order_by(SUBSCRIPTION.c.created_at, SUBSCRIPTION.c.id)
)


def subscription_row(subscription: Subscription) -> dict[str, Any]:
    """A subscription as a row of the subscription table."""
    return {
        "id": subscription.id,
        "tenant": subscription.tenant,
        "topic": subscription.topic.value,
        "endpoint_id": subscription.endpoint_id,
        "reason": subscription.reason,
        "status": subscription.status.value,
        "filters": orjson.dumps(
            [[f.resource_type, list(f.ids)] for f in subscription.filters]
        ).decode(),
        "end_at": subscription.end,
        "events": subscription.events,
        "error": subscription.error,
        "created_at": subscription.created,
    }


def subscription_of(row: Row[Any]) -> Subscription:
    """A row of the subscription table (joined with its endpoint's url) as the domain's."""
    filters = orjson.loads(row.filters) if row.filters else []
    return Subscription(
        id=row.id,
        tenant=row.tenant,
        topic=Topic(row.topic),
        endpoint_id=row.endpoint_id,
        endpoint_url=row.url,
        reason=row.reason,
        status=SubscriptionStatus(row.status),
        created=row.created_at,
        filters=tuple(FocusFilter(kind, tuple(ids)) for kind, ids in filters),
        end=row.end_at,
        events=row.events,
        error=row.error,
    )


def _event(row: Row[Any]) -> DeliveryEvent:
    status = DeliveryStatus(row.status)
    return DeliveryEvent(
        number=row.event_number,
        event=Notification(row.event_id, row.tenant, row.topic, row.focus, row.at),
        status=status,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt=row.next_attempt_at if status is DeliveryStatus.PENDING else None,
        delivered=row.delivered_at,
    )


class SqlSubscriptionStore:
    """domain.subscription_ports.SubscriptionStore: each call one unit of work in a worker
    thread, given up after `deadline` seconds (Unavailable, as when the database fails)."""

    def __init__(self, uow: UnitOfWorkFactory, *, deadline: float) -> None:
        self._uow = uow
        self._deadline = deadline

    async def endpoint(self, tenant: str, url: str) -> WebhookEndpoint | None:
        """The tenant's registered endpoint with exactly that URL."""
        return await self._read(lambda uow: uow.endpoints.by_url(tenant, url))

    async def add(self, subscription: Subscription) -> None:
        """Store a new subscription, committed."""
        await self._write(lambda uow: uow.subscriptions.add(subscription))

    async def get(self, tenant: str, subscription_id: str) -> Subscription | None:
        """The tenant's subscription with that id."""
        return await self._read(lambda uow: uow.subscriptions.get(tenant, subscription_id))

    async def search(self, query: SubscriptionQuery) -> tuple[list[Subscription], int]:
        """The tenant's matching subscriptions and their total."""
        return await self._read(lambda uow: uow.subscriptions.search(query))

    async def remove(self, tenant: str, subscription_id: str) -> bool:
        """Delete the tenant's subscription, committed; False if none."""
        return await self._write(lambda uow: uow.subscriptions.remove(tenant, subscription_id))

    async def events(
        self, tenant: str, subscription_id: str, query: EventQuery
    ) -> list[DeliveryEvent]:
        """The subscription's most recent matching events."""
        return await self._read(
            lambda uow: uow.subscriptions.events(tenant, subscription_id, query)
        )

    async def replay(
        self, tenant: str, subscription_id: str, query: EventQuery, now: datetime
    ) -> int:
        """Queue the subscription's dead deliveries again, committed; how many."""
        return await self._write(
            lambda uow: uow.subscriptions.replay(tenant, subscription_id, query, now)
        )

    async def _read(self, work: Callable[[UnitOfWork], T]) -> T:
        def run() -> T:
            with self._uow() as uow:
                return work(uow)

        return await in_thread(run, deadline=self._deadline)

    async def _write(self, work: Callable[[UnitOfWork], T]) -> T:
        def run() -> T:
            with self._uow() as uow:
                result = work(uow)
                uow.commit()
                return result

        return await in_thread(run, deadline=self._deadline)
