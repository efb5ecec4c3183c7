"""The delivery queue: outbox events fanned out, and deliveries claimed by the workers.

Several workers share the queue on PostgreSQL: each takes its rows with
`SELECT ... FOR UPDATE SKIP LOCKED`, so that two workers never take the same row, and a
claimed delivery carries a lease (owner, until) so that a dead worker's claims are taken
again once the lease runs out. On SQLite the clause is left out: the writer's transactions
begin IMMEDIATE (adapters/sql/engine.py) and so run one at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, insert, or_, select, update
from sqlalchemy.orm import Session

from adapters.crypto import FieldCipher
from adapters.sql.reads import in_thread
from adapters.sql.subscriptions import (
    DELIVERY,
    ENDPOINT,
    EVENT,
    SUBSCRIPTION,
    secret_aad,
    subscription_of,
)
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.records import Notification
from domain.subscriptions import (
    Attempted,
    Delivery,
    DeliveryStatus,
    SubscriptionStatus,
    delivery_id,
)

# A worker's query taking this long means the database is gone or hung: the pass fails, and
# the worker tries again after its poll interval.
DEADLINE_SECONDS = 30.0
HEARD = (SubscriptionStatus.ACTIVE.value, SubscriptionStatus.ERROR.value)


class SqlDeliveryQueue:
    """domain.subscription_ports.DeliveryQueue; the `*_now` methods do the same work,
    synchronously."""

    def __init__(
        self, uow: SqlUnitOfWorkFactory, *, cipher: FieldCipher, lease_seconds: float
    ) -> None:
        self._uow = uow
        self._cipher = cipher
        self._lease = timedelta(seconds=lease_seconds)

    async def fan_out(self, now: datetime, limit: int) -> int:
        """Turn new events into deliveries; how many events were handled."""
        return await in_thread(lambda: self.fan_out_now(now, limit), deadline=DEADLINE_SECONDS)

    async def claim(self, owner: str, now: datetime, limit: int) -> list[Delivery]:
        """Lease due deliveries to `owner`."""
        return await in_thread(lambda: self.claim_now(owner, now, limit), deadline=DEADLINE_SECONDS)

    async def settle(self, owner: str, attempts: Sequence[Attempted]) -> None:
        """Record the attempts' outcomes."""
        await in_thread(lambda: self.settle_now(owner, attempts), deadline=DEADLINE_SECONDS)

    def fan_out_now(self, now: datetime, limit: int) -> int:
        """One delivery per event and matching subscription, numbered in the subscription."""
        new = (
            select(EVENT)
            .where(EVENT.c.dispatched_at.is_(None))
            .order_by(EVENT.c.at, EVENT.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self._uow() as uow:
            session = uow.session
            events = [_notification(row) for row in session.execute(new)]
            for event in events:
                _fan_out_one(session, event, now)
            if events:
                done = update(EVENT).where(EVENT.c.id.in_([e.id for e in events]))
                session.execute(done.values(dispatched_at=now))
            uow.commit()
        return len(events)

    def claim_now(self, owner: str, now: datetime, limit: int) -> list[Delivery]:
        """Lease up to `limit` due deliveries, their attempt counted now (a delivery that
        crashes its worker every time still runs out of attempts)."""
        due = (
            select(DELIVERY.c.id)
            .where(
                DELIVERY.c.status == DeliveryStatus.PENDING.value,
                DELIVERY.c.next_attempt_at <= now,
                or_(DELIVERY.c.lease_until.is_(None), DELIVERY.c.lease_until < now),
            )
            .order_by(DELIVERY.c.next_attempt_at, DELIVERY.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self._uow() as uow:
            session = uow.session
            ids = list(session.execute(due).scalars())
            if not ids:
                return []
            lease = {"lease_owner": owner, "lease_until": now + self._lease}
            taken = update(DELIVERY).where(DELIVERY.c.id.in_(ids))
            session.execute(taken.values(attempts=DELIVERY.c.attempts + 1, **lease))
            rows = session.execute(_CLAIMED.where(DELIVERY.c.id.in_(ids))).all()
            uow.commit()
        return [self._delivery(row) for row in rows]

    def settle_now(self, owner: str, attempts: Sequence[Attempted]) -> None:
        """Delivered, retried later or dead, for the deliveries `owner` still holds."""
        with self._uow() as uow:
            for attempted in attempts:
                _settle(uow.session, owner, attempted)
            uow.commit()

    def _delivery(self, row: Row[Any]) -> Delivery:
        token = bytes(row.secret_enc)
        secret = self._cipher.decrypt(token, aad=secret_aad(row.endpoint_id)).decode()
        return Delivery(
            id=row.id,
            event=Notification(row.event_id, row.tenant, row.topic, row.focus, row.at),
            subscription_id=row.subscription_id,
            event_number=row.event_number,
            events_since_start=row.events,
            url=row.url,
            secret=secret,
            attempts=row.attempts,
        )


_CLAIMED = (
    select(
        DELIVERY,
        EVENT.c.topic,
        EVENT.c.focus,
        EVENT.c.at,
        SUBSCRIPTION.c.events,
        SUBSCRIPTION.c.endpoint_id,
        ENDPOINT.c.url,
        ENDPOINT.c.secret_enc,
    )
    .join(EVENT, EVENT.c.id == DELIVERY.c.event_id)
    .join(SUBSCRIPTION, SUBSCRIPTION.c.id == DELIVERY.c.subscription_id)
    .join(ENDPOINT, ENDPOINT.c.id == SUBSCRIPTION.c.endpoint_id)
    .order_by(DELIVERY.c.next_attempt_at, DELIVERY.c.id)
)


def _notification(row: Row[Any]) -> Notification:
    return Notification(row.id, row.tenant, row.topic, row.focus, row.at)


def _fan_out_one(session: Session, event: Notification, now: datetime) -> None:
    """The event's deliveries to the subscriptions that hear it."""
    candidates = (
        select(SUBSCRIPTION, ENDPOINT.c.url)
        .join(ENDPOINT, ENDPOINT.c.id == SUBSCRIPTION.c.endpoint_id)
        .where(
            SUBSCRIPTION.c.tenant == event.tenant,
            SUBSCRIPTION.c.topic == event.topic,
            SUBSCRIPTION.c.status.in_(HEARD),
        )
        .order_by(SUBSCRIPTION.c.id)
    )
    for row in session.execute(candidates).all():
        subscription = subscription_of(row)
        if not subscription.hears(event):
            continue
        number = session.execute(
            update(SUBSCRIPTION)
            .where(SUBSCRIPTION.c.id == subscription.id)
            .values(events=SUBSCRIPTION.c.events + 1)
            .returning(SUBSCRIPTION.c.events)
        ).scalar_one()
        row_values = {
            "id": delivery_id(event.id, subscription.id),
            "event_id": event.id,
            "subscription_id": subscription.id,
            "tenant": event.tenant,
            "event_number": number,
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        session.execute(insert(DELIVERY), [row_values])


def _settle(session: Session, owner: str, attempted: Attempted) -> None:
    held = update(DELIVERY).where(
        DELIVERY.c.id == attempted.delivery_id, DELIVERY.c.lease_owner == owner
    )
    released = {"lease_owner": None, "lease_until": None}
    if attempted.delivered:
        session.execute(
            held.values(
                status=DeliveryStatus.DELIVERED.value,
                delivered_at=attempted.at,
                last_error=None,
                **released,
            )
        )
    elif attempted.retry_at is not None:
        change = held.values(next_attempt_at=attempted.retry_at, last_error=attempted.error)
        session.execute(change.values(**released))
    else:
        dead = held.values(status=DeliveryStatus.DEAD.value, last_error=attempted.error, **released)
        if session.execute(dead).rowcount and attempted.error:  # type: ignore[attr-defined]
            _subscription_status(session, attempted.subscription_id, attempted.error)


def _subscription_status(session: Session, subscription_id: str, error: str) -> None:
    """A dead delivery puts its subscription in error until the provider replays it: the
    status and its error say that something waits for the provider's attention."""
    failed = f"Notification non livrée après toutes ses tentatives : {error}"
    session.execute(
        update(SUBSCRIPTION)
        .where(SUBSCRIPTION.c.id == subscription_id)
        .values(status=SubscriptionStatus.ERROR.value, error=failed)
    )
