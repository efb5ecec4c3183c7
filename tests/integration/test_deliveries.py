"""The outbox and its deliveries on SQLite and PostgreSQL: fan-out, claims under a lease,
outcomes, dead letters and replays, and concurrent claimers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from adapters.crypto import FieldCipher
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.deliveries import SqlDeliveryQueue
from adapters.sql.recorder import record_all
from adapters.sql.rotation import rotate_keys
from adapters.sql.subscriptions import DELIVERY, EVENT
from domain.notifications import Topic
from domain.records import AuditEntry, Effects, Notification, Recording
from domain.subscriptions import (
    Attempted,
    DeliveryStatus,
    EventQuery,
    FocusFilter,
    Subscription,
    SubscriptionStatus,
    WebhookEndpoint,
)
from tests.integration.builders import provider

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = 30.0
SECRET = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXg="


@pytest.fixture
def queue(uow_factory: SqlUnitOfWorkFactory, cipher: FieldCipher) -> SqlDeliveryQueue:
    """Two providers, P-1 and P-2, each with an endpoint (ep-1, ep-2)."""
    with uow_factory() as uow:
        for number in (1, 2):
            uow.providers.add(provider(number))
            endpoint = WebhookEndpoint(
                f"ep-{number}", f"P-{number}", f"https://h{number}.example/", NOW
            )
            uow.endpoints.add(endpoint, SECRET)
        uow.commit()
    return SqlDeliveryQueue(uow_factory, cipher=cipher, lease_seconds=LEASE)


def subscribe(
    uow_factory: SqlUnitOfWorkFactory, sid: str, tenant: str = "P-1", **changes: object
) -> None:
    values: dict[str, object] = {
        "id": sid,
        "tenant": tenant,
        "topic": Topic.PA_DECIDED,
        "endpoint_id": f"ep-{tenant[-1]}",
        "endpoint_url": "",
        "reason": "suivi",
        "status": SubscriptionStatus.ACTIVE,
        "created": NOW,
        **changes,
    }
    with uow_factory() as uow:
        uow.subscriptions.add(Subscription(**values))  # type: ignore[arg-type]
        uow.commit()


def notify(uow_factory: SqlUnitOfWorkFactory, *events: Notification) -> None:
    """Events written as an exchange writes them: through the recorder's one transaction."""
    audit = AuditEntry(at=NOW, action="preauthorization.decide", outcome=200, tenant="P-1")
    record_all([Recording(None, audit, effects=Effects(notifications=events))], uow=uow_factory())


def event(number: int, tenant: str = "P-1", topic: Topic = Topic.PA_DECIDED) -> Notification:
    return Notification(f"ev-{number:03d}", tenant, topic.value, f"ClaimResponse/cr-{number}", NOW)


def count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


class TestOutbox:
    def test_notifications_are_written_with_the_exchange(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        notify(uow_factory, event(1))
        with engine.connect() as connection:
            row = connection.execute(select(EVENT)).one()
        assert (row.id, row.tenant, row.focus, row.at, row.dispatched_at) == (
            "ev-001", "P-1", "ClaimResponse/cr-1", NOW, None,
        )  # fmt: skip

    def test_nothing_is_queued_when_the_transaction_rolls_back(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        with uow_factory() as uow:
            uow.outbox.add_many([event(1)])
        assert count(engine, EVENT) == 0


class TestFanOut:
    def test_only_the_matching_subscriptions_get_a_delivery(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-yes")
        subscribe(uow_factory, "s-other-topic", topic=Topic.PA_EXPIRED)
        subscribe(uow_factory, "s-other-tenant", tenant="P-2")
        subscribe(uow_factory, "s-filtered-out", filters=(FocusFilter("ClaimResponse", ("x",)),))
        subscribe(uow_factory, "s-filtered-in", filters=(FocusFilter("ClaimResponse", ("cr-1",)),))
        subscribe(uow_factory, "s-off", status=SubscriptionStatus.OFF)
        notify(uow_factory, event(1))
        assert queue.fan_out_now(NOW, 10) == 1
        with engine.connect() as connection:
            rows = connection.execute(select(DELIVERY.c.subscription_id)).scalars().all()
        assert sorted(rows) == ["s-filtered-in", "s-yes"]

    def test_events_are_numbered_per_subscription_and_fanned_out_once(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, event(1), event(2))
        assert queue.fan_out_now(NOW, 10) == 2
        assert queue.fan_out_now(NOW, 10) == 0
        with uow_factory() as uow:
            listed = uow.subscriptions.events("P-1", "s-1", EventQuery())
            assert [(e.number, e.event.id) for e in listed] == [(1, "ev-001"), (2, "ev-002")]
            assert uow.subscriptions.get("P-1", "s-1").events == 2  # type: ignore[union-attr]


class TestClaims:
    def test_a_claim_carries_what_the_attempt_needs(
        self, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, event(1))
        queue.fan_out_now(NOW, 10)
        [claimed] = queue.claim_now("w1", NOW, 10)
        assert (claimed.url, claimed.secret, claimed.attempts) == ("https://h1.example/", SECRET, 1)
        assert (claimed.event.focus, claimed.event_number, claimed.subscription_id) == (
            "ClaimResponse/cr-1", 1, "s-1",
        )  # fmt: skip

    def test_a_leased_delivery_is_not_claimed_twice(
        self, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, event(1))
        queue.fan_out_now(NOW, 10)
        assert len(queue.claim_now("w1", NOW, 10)) == 1
        assert queue.claim_now("w2", NOW + timedelta(seconds=LEASE - 1), 10) == []

    def test_a_dead_worker_s_lease_is_taken_again_once_it_runs_out(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, event(1))
        queue.fan_out_now(NOW, 10)
        [first] = queue.claim_now("w1", NOW, 10)
        later = NOW + timedelta(seconds=LEASE + 1)
        [again] = queue.claim_now("w2", later, 10)
        assert (again.id, again.attempts) == (first.id, 2)
        # The first worker comes back: its outcome no longer counts, the holder's does.
        queue.settle_now("w1", [Attempted(first.id, "s-1", later)])
        assert self.status(engine, first.id) == "pending"
        queue.settle_now("w2", [Attempted(first.id, "s-1", later)])
        assert self.status(engine, first.id) == "delivered"

    def test_a_failed_delivery_waits_for_its_retry(
        self, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, event(1))
        queue.fan_out_now(NOW, 10)
        [first] = queue.claim_now("w1", NOW, 10)
        retry_at = NOW + timedelta(seconds=40)
        queue.settle_now("w1", [Attempted(first.id, "s-1", NOW, "HTTP 503", retry_at)])
        assert queue.claim_now("w1", retry_at - timedelta(seconds=1), 10) == []
        [again] = queue.claim_now("w1", retry_at, 10)
        assert again.attempts == 2

    @staticmethod
    def status(engine: Engine, delivery_id: str) -> str:
        with engine.connect() as connection:
            query = select(DELIVERY.c.status).where(DELIVERY.c.id == delivery_id)
            return str(connection.execute(query).scalar_one())


class TestDeadLetters:
    def test_a_dead_delivery_is_listed_then_replayed(
        self, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, event(1), event(2))
        queue.fan_out_now(NOW, 10)
        claimed = queue.claim_now("w1", NOW, 10)
        dead, delivered = claimed
        queue.settle_now(
            "w1",
            [Attempted(dead.id, "s-1", NOW, "HTTP 410"), Attempted(delivered.id, "s-1", NOW)],
        )
        with uow_factory() as uow:
            assert uow.subscriptions.get("P-1", "s-1").status is SubscriptionStatus.ERROR  # type: ignore[union-attr]
            [listed] = uow.subscriptions.events(
                "P-1", "s-1", EventQuery(status=DeliveryStatus.DEAD)
            )
            assert (listed.number, listed.attempts, listed.last_error) == (1, 1, "HTTP 410")
            assert uow.subscriptions.replay("P-2", "s-1", EventQuery(), NOW) == 0  # not its own
            assert uow.subscriptions.replay("P-1", "s-1", EventQuery(), NOW) == 1
            uow.commit()
        [replayed] = queue.claim_now("w1", NOW, 10)
        assert (replayed.id, replayed.attempts) == (dead.id, 1)
        with uow_factory() as uow:
            assert uow.subscriptions.get("P-1", "s-1").status is SubscriptionStatus.ACTIVE  # type: ignore[union-attr]

    def test_a_replay_takes_the_range_asked_only(
        self, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, *(event(n) for n in range(1, 4)))
        queue.fan_out_now(NOW, 10)
        queue.settle_now(
            "w1", [Attempted(d.id, "s-1", NOW, "HTTP 500") for d in queue.claim_now("w1", NOW, 10)]
        )
        with uow_factory() as uow:
            assert uow.subscriptions.replay("P-1", "s-1", EventQuery(since=2, until=2), NOW) == 1
            uow.commit()
        assert [d.event_number for d in queue.claim_now("w1", NOW, 10)] == [2]

    def test_another_tenant_sees_none_of_its_events(
        self, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, event(1))
        queue.fan_out_now(NOW, 10)
        with uow_factory() as uow:
            assert uow.subscriptions.events("P-2", "s-1", EventQuery()) == []
            assert uow.subscriptions.get("P-2", "s-1") is None
            assert uow.subscriptions.remove("P-2", "s-1") is False


class TestConcurrentClaimers:
    def test_two_claimers_never_get_the_same_delivery(
        self, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, *(event(n) for n in range(40)))
        queue.fan_out_now(NOW, 100)
        start = threading.Barrier(2)
        taken: dict[str, list[str]] = {"w1": [], "w2": []}

        def claim_all(owner: str) -> None:
            start.wait()
            while claimed := queue.claim_now(owner, NOW, 3):
                taken[owner] += [d.id for d in claimed]

        threads = [threading.Thread(target=claim_all, args=(owner,)) for owner in taken]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not set(taken["w1"]) & set(taken["w2"])
        assert len(taken["w1"]) + len(taken["w2"]) == 40

    def test_two_fan_outs_at_once_make_one_delivery_per_event(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, *(event(n) for n in range(30)))
        start = threading.Barrier(2)

        def fan_out() -> None:
            start.wait()
            while queue.fan_out_now(NOW, 4):
                pass

        threads = [threading.Thread(target=fan_out) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert count(engine, DELIVERY) == 30
        with uow_factory() as uow:
            numbers = [
                e.number for e in uow.subscriptions.events("P-1", "s-1", EventQuery(limit=100))
            ]
        assert numbers == list(range(1, 31))


class TestEndpoints:
    def test_removing_an_endpoint_removes_its_subscriptions_and_deliveries(
        self, engine: Engine, uow_factory: SqlUnitOfWorkFactory, queue: SqlDeliveryQueue
    ) -> None:
        subscribe(uow_factory, "s-1")
        notify(uow_factory, event(1))
        queue.fan_out_now(NOW, 10)
        with uow_factory() as uow:
            assert uow.endpoints.remove("P-2", "ep-1") is None  # not its own
            assert uow.endpoints.remove("P-1", "ep-1") == 1
            uow.commit()
        assert count(engine, DELIVERY) == 0
        with uow_factory() as uow:
            assert [e.id for e in uow.endpoints.of("P-1")] == []
            assert [e.id for e in uow.endpoints.of("P-2")] == ["ep-2"]

    def test_a_secret_is_stored_encrypted_and_rotated_with_the_keys(
        self,
        engine: Engine,
        uow_factory: SqlUnitOfWorkFactory,
        queue: SqlDeliveryQueue,
        keyring: dict[str, bytes],
    ) -> None:
        with engine.connect() as connection:
            stored = (
                connection.execute(select(EVENT.metadata.tables["webhook_endpoint"].c.secret_enc))
                .scalars()
                .all()
            )
        assert all(SECRET.encode() not in bytes(token) for token in stored)
        rotated = FieldCipher(keyring, "k2")
        assert rotate_keys(engine, rotated).webhook_secrets == 2
        subscribe(uow_factory, "s-1")
        notify(uow_factory, event(1))
        only_k2 = FieldCipher({"k2": keyring["k2"]}, "k2")
        fresh = SqlDeliveryQueue(uow_factory, cipher=only_k2, lease_seconds=LEASE)
        fresh.fan_out_now(NOW, 10)
        assert [d.secret for d in fresh.claim_now("w1", NOW, 10)] == [SECRET]
