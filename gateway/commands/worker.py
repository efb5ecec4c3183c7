"""`amo-gateway worker`: the worker wired from the settings (its own composition root)."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Callable

import httpx

from adapters.clock import SystemClock
from adapters.sql.deliveries import SqlDeliveryQueue
from adapters.sql.uow import SqlUnitOfWorkFactory
from adapters.webhooks import WebhookSender
from domain.ports import PeriodicJob
from domain.services.deliveries import RelayPorts
from domain.subscriptions import Delivery, RetryPolicy
from fhir_profiles.notifications import notification
from gateway.bootstrap import Storage, data_cipher, open_storage
from gateway.logs import configure_logging
from gateway.settings import Settings
from gateway.worker import Worker, stop_on_signals

# The periodic jobs every worker runs, each made from the storage and the settings. A
# prise en charge's timers (expiry, overdue) register here.
JOBS: tuple[Callable[[Storage, Settings], PeriodicJob], ...] = ()


def run_worker(settings: Settings) -> int:
    """Run the worker until SIGTERM or SIGINT; returns the exit status."""
    settings = settings.with_secrets()
    configure_logging(settings.log_level, settings.log_json)
    asyncio.run(_main(settings))
    return 0


async def _main(settings: Settings) -> None:
    with open_storage(settings) as storage:
        # trust_env=False: no proxy from the environment, the checked address is the one
        # connected to; redirects are never followed.
        async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as client:
            worker = Worker(
                relay_ports(settings, storage, client),
                jobs=[make(storage, settings) for make in JOBS],
                owner=f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}",
                poll_seconds=settings.worker_poll_seconds,
            )
            stop = asyncio.Event()
            stop_on_signals(stop)
            await worker.run(stop)


def relay_ports(settings: Settings, storage: Storage, client: httpx.AsyncClient) -> RelayPorts:
    """The relay's ports: the SQL queue, the signed sender, the Backport IG renderer."""
    uow = storage.uow
    if not isinstance(uow, SqlUnitOfWorkFactory):
        raise TypeError("the worker needs the SQL store")
    base = settings.fhir_base

    def render(delivery: Delivery) -> bytes:
        return notification(delivery, base)

    return RelayPorts(
        queue=SqlDeliveryQueue(
            uow, cipher=data_cipher(settings), lease_seconds=settings.worker_lease_seconds
        ),
        sender=WebhookSender(
            client,
            timeout=settings.webhook_timeout_seconds,
            allow_private=settings.webhook_allow_private_networks,
        ),
        render=render,
        policy=RetryPolicy(
            max_attempts=settings.webhook_max_attempts,
            base_seconds=settings.webhook_backoff_base_seconds,
            cap_seconds=settings.webhook_backoff_cap_seconds,
        ),
        clock=SystemClock(),
    )
