"""The worker's loop: passes, periodic jobs as registered, and stopping."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import pytest

from domain.services.deliveries import RelayPorts
from domain.subscriptions import Attempted, Delivery, RetryPolicy
from gateway.worker import Worker
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio


class CountingJob:
    """A periodic job that counts its runs (or fails, when told to)."""

    def __init__(self, name: str, every_seconds: float, fails: bool = False) -> None:
        self.name = name
        self.every_seconds = every_seconds
        self.fails = fails
        self.runs: list[datetime] = []

    def run(self, now: datetime) -> int:
        self.runs.append(now)
        if self.fails:
            raise RuntimeError("broken job")
        return 1


class IdleQueue:
    """No event, no delivery; `broken` makes every call fail as a database gone."""

    def __init__(self, broken: bool = False) -> None:
        self.broken = broken
        self.passes = 0

    async def fan_out(self, now: datetime, limit: int) -> int:
        self.passes += 1
        if self.broken:
            raise ConnectionError("database gone")
        return 0

    async def claim(self, owner: str, now: datetime, limit: int) -> list[Delivery]:
        return []

    async def settle(self, owner: str, attempts: Sequence[Attempted]) -> None:
        pass


class NoSender:
    async def send(self, delivery: Delivery, body: bytes) -> str | None:
        raise AssertionError("nothing to send")


def worker(queue: IdleQueue, *jobs: CountingJob) -> Worker:
    ports = RelayPorts(queue, NoSender(), lambda d: b"", RetryPolicy(5, 1.0, 2.0), FakeClock())
    return Worker(ports, jobs, owner="w1", poll_seconds=0.01)


class TestJobs:
    async def test_a_job_runs_at_once_then_when_due_again(self) -> None:
        hourly, constant = CountingJob("hourly", 3600.0), CountingJob("constant", 0.0)
        loop = worker(IdleQueue(), hourly, constant)
        assert await loop.run_due_jobs() == 2
        assert await loop.run_due_jobs() == 1
        assert (len(hourly.runs), len(constant.runs)) == (1, 2)
        assert hourly.runs[0] == FakeClock().now()

    async def test_a_failing_job_does_not_stop_the_others(self) -> None:
        broken, fine = CountingJob("broken", 0.0, fails=True), CountingJob("fine", 0.0)
        assert await worker(IdleQueue(), broken, fine).run_due_jobs() == 2
        assert len(fine.runs) == 1


class TestLoop:
    async def test_it_stops_when_told_and_idles_between_passes(self) -> None:
        queue, stop = IdleQueue(), asyncio.Event()
        running = asyncio.create_task(worker(queue).run(stop))
        await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(running, 2.0)
        assert 1 <= queue.passes < 50  # idle passes wait the poll interval

    async def test_a_failing_pass_is_tried_again_and_jobs_still_run(self) -> None:
        queue, job, stop = IdleQueue(broken=True), CountingJob("timers", 0.0), asyncio.Event()
        running = asyncio.create_task(worker(queue, job).run(stop))
        await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(running, 2.0)
        assert queue.passes >= 2 and len(job.runs) >= 2
