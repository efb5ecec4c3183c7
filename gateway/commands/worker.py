"""`amo-gateway worker`: the worker wired from the settings (its own composition root)."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import httpx

from adapters.clock import SystemClock
from adapters.sql.accounts import forget_expired_sessions
from adapters.sql.deliveries import SqlDeliveryQueue
from adapters.sql.uow import SqlUnitOfWorkFactory
from adapters.webhooks import WebhookSender
from domain.ports import PeriodicJob
from domain.rules.anomalies import Thresholds
from domain.services.deliveries import RelayPorts
from domain.services.idempotency import forget_old_answers
from domain.services.prior_auth_timers import run_timers
from domain.services.profiling import period_ending, run_profiles
from domain.subscriptions import Delivery, RetryPolicy
from fhir_profiles.claim_form import rerender
from fhir_profiles.notifications import notification
from gateway.bootstrap import Storage, data_cipher, open_storage
from gateway.commands.settlement_job import SettlementCycles
from gateway.ids import new_id
from gateway.logs import configure_logging
from gateway.settings import Settings
from gateway.worker import Worker, stop_on_signals


@dataclass(frozen=True, slots=True)
class PriorAuthTimers:
    """Expire the grants past their last valid day and flag the requests past the payer's
    deadline, telling the provider (domain.services.prior_auth.run_timers)."""

    storage: Storage
    every_seconds: float
    batch: int
    name: str = "prior-authorization-timers"

    def run(self, now: datetime) -> int:
        """What was due at `now`, done in one transaction per run."""
        return run_timers(self.storage.uow(), rerender, now=now, new_id=new_id, limit=self.batch)


def _prior_auth_timers(storage: Storage, settings: Settings) -> PeriodicJob:
    return PriorAuthTimers(storage, settings.pa_timer_seconds, settings.pa_timer_batch)


@dataclass(frozen=True, slots=True)
class AnomalyProfiles:
    """Rebuild each payer's statistical anomaly flags from the claim history of the last
    days (domain.services.profiling.run_profiles), replacing the previous run's."""

    storage: Storage
    every_seconds: float
    days: int
    thresholds: Thresholds
    name: str = "anomaly-profiles"

    def run(self, now: datetime) -> int:
        """The flags that stand after this run, in one transaction."""
        period = period_ending(now.date(), self.days)
        return run_profiles(self.storage.uow(), period=period, thresholds=self.thresholds, now=now)


def _anomaly_profiles(storage: Storage, settings: Settings) -> PeriodicJob:
    thresholds = Thresholds(
        Decimal(settings.anomaly_score),
        settings.anomaly_min_peers,
        Decimal(settings.anomaly_relative_excess),
    )
    return AnomalyProfiles(
        storage, settings.anomaly_profile_seconds, settings.anomaly_profile_days, thresholds
    )


@dataclass(frozen=True, slots=True)
class IdempotencyPurge:
    """Forget the answers kept for Idempotency-Keys past their keeping time, a few short
    batches per run (domain.services.idempotency.forget_old_answers)."""

    storage: Storage
    keep_hours: int
    # Every minute, five transactions of a thousand rows at most: over seven million answers
    # a day, far above what providers send, while a run stays in the milliseconds and never
    # keeps a notification waiting.
    every_seconds: float = 60.0
    batch: int = 1000
    rounds: int = 5
    name: str = "idempotency-purge"

    def run(self, now: datetime) -> int:
        """The answers forgotten at `now`."""
        before = now - timedelta(hours=self.keep_hours)
        return forget_old_answers(
            self.storage.uow, before=before, batch=self.batch, rounds=self.rounds
        )


def _idempotency_purge(storage: Storage, settings: Settings) -> PeriodicJob:
    return IdempotencyPurge(storage, settings.idempotency_keep_hours)


@dataclass(frozen=True, slots=True)
class SessionPurge:
    """Forget the portal's sessions past their end (they open nothing already: this keeps
    the table to the sessions alive)."""

    storage: Storage
    every_seconds: float = 600.0  # ten minutes: a working day's sessions end by the hour
    name: str = "session-purge"

    def run(self, now: datetime) -> int:
        """The sessions forgotten at `now`."""
        assert isinstance(self.storage.uow, SqlUnitOfWorkFactory)
        return forget_expired_sessions(self.storage.uow, now)


def _session_purge(storage: Storage, settings: Settings) -> PeriodicJob:
    return SessionPurge(storage)


def _settlement_cycles(storage: Storage, settings: Settings) -> PeriodicJob:
    payers = [p.strip() for p in settings.settlement_payers.split(",") if p.strip()]

    def cycle(payer: str, today: date) -> object:
        # Imported when a cycle runs: the bank-file libraries stay out of a worker's start.
        from gateway.commands.settlement import run_cycle

        return run_cycle(settings, payer, today, quiet=True)

    return SettlementCycles(payers, cycle, settings.settlement_seconds)


# The periodic jobs every worker runs, each made from the storage and the settings.
JOBS: tuple[Callable[[Storage, Settings], PeriodicJob], ...] = (
    _prior_auth_timers,
    _anomaly_profiles,
    _idempotency_purge,
    _session_purge,
    _settlement_cycles,
)


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
