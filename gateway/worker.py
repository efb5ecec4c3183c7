"""The worker's loop: relay passes over the outbox, and the periodic jobs, until told to stop.

Why a home-made relay and no job library. The requirement is that a notification is queued in
the same transaction as the change that causes it, on SQLite (the embedded default) as on
PostgreSQL. procrastinate and pgqueuer are PostgreSQL only, and enqueue through their own
connection (psycopg, asyncpg): neither can join a SQLAlchemy transaction on SQLite, and even on
PostgreSQL sharing the transaction means handing them our connection. huey stores its queue
in Redis, SQLite or memory through its own connections: never in our transaction, and Redis is
never the only copy of anything here. The outbox is therefore our own table (written by
`uow.outbox` in the exchange's transaction, adapters/sql/recorder.py), relayed by this loop:
`SELECT ... FOR UPDATE SKIP LOCKED` plus a lease shares the work among several workers on
PostgreSQL, and the same code runs one worker on SQLite.

Each pass fans new events out into deliveries, attempts the due ones (all at once), then runs
the jobs that are due. Periodic jobs (domain.ports.PeriodicJob: a prise en charge's expiry
and overdue timers will be some) are handed to the worker as a sequence; the loop never
changes to add one. SIGTERM or SIGINT ends the loop after the pass under way: its attempts are
settled, nothing is left leased.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass

import anyio.to_thread

from domain.ports import PeriodicJob
from domain.services.deliveries import RelayPorts, relay

log = logging.getLogger("amo.worker")

# Deliveries claimed and attempted at once per pass: enough to keep a worker busy during a
# burst, few enough that one pass of timeouts (each bounded by the webhook timeout) ends well
# within a lease.
BATCH = 50


@dataclass
class Worker:
    """Relays the outbox and runs the periodic jobs."""

    ports: RelayPorts
    jobs: Sequence[PeriodicJob]
    owner: str  # this process, as leases name it
    poll_seconds: float
    batch: int = BATCH

    def __post_init__(self) -> None:
        self._due = {id(job): 0.0 for job in self.jobs}  # monotonic instants

    async def run(self, stop: asyncio.Event) -> None:
        """Pass after pass until `stop` is set; an idle pass waits the poll interval."""
        log.info("worker %s started with %d periodic job(s)", self.owner, len(self.jobs))
        while not stop.is_set():
            busy = await self.once()
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
        log.info("worker %s stopped", self.owner)

    async def once(self) -> bool:
        """One pass; whether there may be more work right away."""
        done = 0
        try:
            done = await relay(self.ports, owner=self.owner, batch=self.batch)
        except Exception:  # the database may be away: the next pass tries again
            log.exception("relay pass failed")
        await self.run_due_jobs()
        return done > 0

    async def run_due_jobs(self) -> int:
        """Run the jobs whose time has come, each in a thread; how many ran."""
        ran = 0
        for job in self.jobs:
            if time.monotonic() < self._due[id(job)]:
                continue
            self._due[id(job)] = time.monotonic() + job.every_seconds
            ran += 1
            try:
                count = await anyio.to_thread.run_sync(job.run, self.ports.clock.now())
            except Exception:
                log.exception("periodic job %s failed", job.name)
                continue
            if count:
                log.info("periodic job %s: %d", job.name, count)
        return ran


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGTERM (a deployment stopping us) and SIGINT (Ctrl-C) end the loop gracefully."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
