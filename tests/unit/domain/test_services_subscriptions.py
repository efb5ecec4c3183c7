"""The subscription use cases against fakes: scoped to the tenant, endpoints pre-registered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidRequest, NotFound, RateLimited
from domain.notifications import Topic
from domain.records import Notification, Requester
from domain.services import subscriptions as use
from domain.services.exchanges import ExchangePorts
from domain.services.subscriptions import SubscriptionPorts
from domain.subscriptions import (
    DeliveryEvent,
    DeliveryStatus,
    EventQuery,
    Subscribe,
    SubscriptionQuery,
    SubscriptionStatus,
    WebhookEndpoint,
)
from tests.fakes import FakeClock
from tests.pipeline_fakes import FakeIds, FakeRateLimiter, FakeStore
from tests.subscription_fakes import FakeSubscriptionStore

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PHARMACY = Requester("org-111222333", "client-pharmacy")
CLINIC = Requester("org-444555666", "client-clinic")
URL = "https://pharmacie.example/amo/hooks"


@dataclass
class World:
    store: FakeSubscriptionStore
    audit: FakeStore
    ports: SubscriptionPorts


@pytest.fixture
def world() -> World:
    store, audit = FakeSubscriptionStore(), FakeStore()
    exchange = ExchangePorts(
        FakeRateLimiter(limit=20), audit, audit, audit, audit, FakeClock(NOW), FakeIds()
    )
    store.endpoints.add(WebhookEndpoint("ep-1", PHARMACY.tenant, URL, NOW), "whsec_x")
    return World(store, audit, SubscriptionPorts(store, exchange))


def asked(url: str = URL, **changes: object) -> Subscribe:
    return Subscribe(Topic.PA_DECIDED, url, "suivi des accords", **changes)  # type: ignore[arg-type]


class TestSubscribe:
    async def test_a_registered_endpoint_is_subscribed_active(self, world: World) -> None:
        created = await use.subscribe(PHARMACY, asked(), ports=world.ports)
        assert (created.status, created.endpoint_id, created.tenant) == (
            SubscriptionStatus.ACTIVE,
            "ep-1",
            PHARMACY.tenant,
        )
        assert world.store.subscriptions.get(PHARMACY.tenant, created.id) == created
        assert world.audit.actions() == ["subscription.create"]

    async def test_an_unregistered_endpoint_is_refused(self, world: World) -> None:
        with pytest.raises(InvalidRequest) as refused:
            await use.subscribe(PHARMACY, asked("https://elsewhere.example/"), ports=world.ports)
        assert refused.value.code == "point-de-terminaison-non-enregistre"
        assert world.store.subscriptions.subscriptions == {}

    async def test_another_provider_s_endpoint_is_refused(self, world: World) -> None:
        with pytest.raises(InvalidRequest) as refused:
            await use.subscribe(CLINIC, asked(), ports=world.ports)
        assert refused.value.code == "point-de-terminaison-non-enregistre"

    async def test_an_end_already_past_is_refused(self, world: World) -> None:
        with pytest.raises(InvalidRequest, match="fin"):
            await use.subscribe(PHARMACY, asked(end=NOW - timedelta(days=1)), ports=world.ports)

    async def test_it_counts_against_the_rate_limit(self, world: World) -> None:
        for _ in range(20):
            await use.search(PHARMACY, SubscriptionQuery(PHARMACY.tenant), ports=world.ports)
        with pytest.raises(RateLimited):
            await use.subscribe(PHARMACY, asked(), ports=world.ports)


class TestScoping:
    async def test_another_provider_reads_not_found(self, world: World) -> None:
        created = await use.subscribe(PHARMACY, asked(), ports=world.ports)
        with pytest.raises(NotFound):
            await use.read(CLINIC, created.id, ports=world.ports)
        assert await use.read(PHARMACY, created.id, ports=world.ports) == created

    async def test_another_provider_cannot_delete_it(self, world: World) -> None:
        created = await use.subscribe(PHARMACY, asked(), ports=world.ports)
        with pytest.raises(NotFound):
            await use.unsubscribe(CLINIC, created.id, ports=world.ports)
        await use.unsubscribe(PHARMACY, created.id, ports=world.ports)
        assert world.store.subscriptions.subscriptions == {}
        assert world.audit.actions()[-1] == "subscription.delete"

    async def test_another_provider_cannot_list_nor_replay_its_events(self, world: World) -> None:
        created = await use.subscribe(PHARMACY, asked(), ports=world.ports)
        with pytest.raises(NotFound):
            await use.events(CLINIC, created.id, EventQuery(), ports=world.ports)
        with pytest.raises(NotFound):
            await use.replay(CLINIC, created.id, EventQuery(), ports=world.ports)
        assert world.store.subscriptions.replayed == []

    async def test_a_search_never_reaches_another_tenant(self, world: World) -> None:
        await use.subscribe(PHARMACY, asked(), ports=world.ports)
        query = SubscriptionQuery(tenant=PHARMACY.tenant)  # as if forged: the requester wins
        found, total = await use.search(CLINIC, query, ports=world.ports)
        assert (found, total) == ([], 0)


class TestEvents:
    async def test_replay_counts_the_dead_ones_and_is_audited(self, world: World) -> None:
        created = await use.subscribe(PHARMACY, asked(), ports=world.ports)
        event = Notification("ev", PHARMACY.tenant, Topic.PA_DECIDED.value, "ClaimResponse/1", NOW)
        world.store.subscriptions.listed[created.id] = [
            DeliveryEvent(1, event, DeliveryStatus.DELIVERED, 1),
            DeliveryEvent(2, event, DeliveryStatus.DEAD, 12, "HTTP 503"),
        ]
        assert await use.replay(PHARMACY, created.id, EventQuery(), ports=world.ports) == 1
        assert world.audit.audit[-1].detail == "1 relance(s)"
        _, listed = await use.events(
            PHARMACY, created.id, EventQuery(status=DeliveryStatus.DEAD), ports=world.ports
        )
        assert [e.number for e in listed] == [2]
