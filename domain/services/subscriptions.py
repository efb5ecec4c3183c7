"""The subscription use cases: subscribe, read, search, unsubscribe, list and replay events.

Every call is scoped to the requester's tenant (another's subscription is not found), counted
by the rate limiter like any request, and the changes (subscribe, unsubscribe, replay) leave
an audit entry: they say where notifications go.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.errors import InvalidRequest, NotFound
from domain.records import AuditEntry, Requester
from domain.services.exchanges import ExchangePorts, throttle
from domain.subscription_ports import SubscriptionStore
from domain.subscriptions import (
    DeliveryEvent,
    EventQuery,
    Subscribe,
    Subscription,
    SubscriptionQuery,
    SubscriptionStatus,
)

RESOURCE = "Subscription"


@dataclass(frozen=True, slots=True)
class SubscriptionPorts:
    """The subscriptions' store, with the pipeline's limiter, audit trail, clock and ids."""

    store: SubscriptionStore
    exchange: ExchangePorts


async def subscribe(
    requester: Requester, cmd: Subscribe, *, ports: SubscriptionPorts
) -> Subscription:
    """Subscribe one of the requester's registered endpoints to a topic."""
    await throttle(ports.exchange, requester)
    endpoint = await ports.store.endpoint(requester.tenant, cmd.endpoint_url)
    if endpoint is None:
        raise InvalidRequest(
            "Ce point de terminaison n'est pas enregistré pour votre organisation : "
            "demandez à l'opérateur de l'enregistrer (amo-gateway providers endpoint add)",
            code="point-de-terminaison-non-enregistre",
            expression="Subscription.channel.endpoint",
        )
    now = ports.exchange.clock.now()
    if cmd.end is not None and cmd.end <= now:
        raise InvalidRequest("La date de fin est déjà passée", expression="Subscription.end")
    subscription = Subscription(
        id=ports.exchange.new_id(),
        tenant=requester.tenant,
        topic=cmd.topic,
        endpoint_id=endpoint.id,
        endpoint_url=endpoint.url,
        reason=cmd.reason,
        status=SubscriptionStatus.ACTIVE,  # the endpoint was vetted when it was registered
        created=now,
        filters=cmd.filters,
        end=cmd.end,
    )
    await ports.store.add(subscription)
    await _audit(ports, requester, "subscription.create", subscription.id, cmd.topic.value)
    return subscription


async def read(
    requester: Requester, subscription_id: str, *, ports: SubscriptionPorts
) -> Subscription:
    """One of the requester's subscriptions (another's is not found)."""
    await throttle(ports.exchange, requester)
    return await _own(ports, requester, subscription_id)


async def search(
    requester: Requester, query: SubscriptionQuery, *, ports: SubscriptionPorts
) -> tuple[list[Subscription], int]:
    """The requester's subscriptions matching a search, and their total."""
    await throttle(ports.exchange, requester)
    return await ports.store.search(replace(query, tenant=requester.tenant))


async def unsubscribe(
    requester: Requester, subscription_id: str, *, ports: SubscriptionPorts
) -> None:
    """Delete one of the requester's subscriptions and its pending deliveries."""
    await throttle(ports.exchange, requester)
    if not await ports.store.remove(requester.tenant, subscription_id):
        raise NotFound("Aucun abonnement avec cet identifiant")
    await _audit(ports, requester, "subscription.delete", subscription_id)


async def events(
    requester: Requester, subscription_id: str, query: EventQuery, *, ports: SubscriptionPorts
) -> tuple[Subscription, list[DeliveryEvent]]:
    """A subscription of the requester's and its recent events with how their delivery went."""
    await throttle(ports.exchange, requester)
    subscription = await _own(ports, requester, subscription_id)
    found = await ports.store.events(requester.tenant, subscription_id, query)
    return subscription, found


async def replay(
    requester: Requester, subscription_id: str, query: EventQuery, *, ports: SubscriptionPorts
) -> int:
    """Put a subscription's dead deliveries back in the queue, attempts reset; how many."""
    await throttle(ports.exchange, requester)
    await _own(ports, requester, subscription_id)
    now = ports.exchange.clock.now()
    count = await ports.store.replay(requester.tenant, subscription_id, query, now)
    await _audit(ports, requester, "subscription.replay", subscription_id, f"{count} relance(s)")
    return count


async def _own(
    ports: SubscriptionPorts, requester: Requester, subscription_id: str
) -> Subscription:
    found = await ports.store.get(requester.tenant, subscription_id)
    if found is None:
        raise NotFound("Aucun abonnement avec cet identifiant")
    return found


async def _audit(
    ports: SubscriptionPorts,
    requester: Requester,
    action: str,
    subscription_id: str,
    detail: str = "",
) -> None:
    entry = AuditEntry(
        at=ports.exchange.clock.now(),
        action=action,
        outcome=200,
        tenant=requester.tenant,
        client_id=requester.client_id,
        resource=f"{RESOURCE}/{subscription_id}",
        detail=detail,
    )
    await ports.exchange.audit.append(entry)
