"""The relay: outbox events fanned out into deliveries, due deliveries attempted once each.

One pass fans new events out to the matching subscriptions, claims the due deliveries under a
lease, attempts them all at once, and records each outcome: delivered, retried later (backoff
with full jitter), or dead once the attempts run out. The worker runs passes in a loop.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from domain.ports import Clock
from domain.subscription_ports import DeliveryQueue, NotificationRenderer, WebhookSender
from domain.subscriptions import Attempted, Delivery, RetryPolicy

log = logging.getLogger("amo.deliveries")


@dataclass(frozen=True, slots=True)
class RelayPorts:
    """What a relay pass needs."""

    queue: DeliveryQueue
    sender: WebhookSender
    render: NotificationRenderer
    policy: RetryPolicy
    clock: Clock
    draw: Callable[[], float] = field(default=random.random)  # the jitter's randomness


async def relay(ports: RelayPorts, *, owner: str, batch: int) -> int:
    """One pass; how much it did (events fanned out plus deliveries attempted)."""
    fanned = await ports.queue.fan_out(ports.clock.now(), batch)
    claimed = await ports.queue.claim(owner, ports.clock.now(), batch)
    if claimed:
        outcomes = await asyncio.gather(*(attempt(ports, d) for d in claimed))
        await ports.queue.settle(owner, outcomes)
        _log(claimed, outcomes)
    return fanned + len(claimed)


def _log(claimed: list[Delivery], outcomes: list[Attempted]) -> None:
    """One line per pass, and one per dead delivery (ids and causes only: no patient data)."""
    delivered = sum(1 for a in outcomes if a.delivered)
    dead = [(d, a) for d, a in zip(claimed, outcomes, strict=True) if a.error and not a.retry_at]
    retried = len(outcomes) - delivered - len(dead)
    log.info("relay pass: %d delivered, %d to retry, %d dead", delivered, retried, len(dead))
    for delivery, attempted in dead:
        log.warning(
            "delivery %s of subscription %s dead after %d attempts: %s",
            delivery.id,
            delivery.subscription_id,
            delivery.attempts,
            attempted.error,
        )


async def attempt(ports: RelayPorts, delivery: Delivery) -> Attempted:
    """Send one delivery once; what came of it."""
    try:
        error = await ports.sender.send(delivery, ports.render(delivery))
    except Exception as exc:  # one broken delivery must not take the batch down with it
        log.exception("delivery %s failed unexpectedly", delivery.id)
        error = f"erreur interne ({type(exc).__name__})"
    now = ports.clock.now()
    if error is None:
        return Attempted(delivery.id, delivery.subscription_id, now)
    retry_at = ports.policy.retry_at(delivery.attempts, now, ports.draw)
    return Attempted(delivery.id, delivery.subscription_id, now, error, retry_at)
