"""The worker's settlement job: cycles started off the loop, never two at once."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import date

import pytest

from gateway.commands.settlement_job import SettlementCycles
from tests.fakes import FakeClock
from tests.unit.gateway.test_worker import IdleQueue, worker

pytestmark = pytest.mark.anyio


class SlowCycles:
    """Cycles that last until released, recording who was settled on which day."""

    def __init__(self, fails_for: str = "") -> None:
        self.release = threading.Event()
        self.done: list[tuple[str, date]] = []
        self.fails_for = fails_for

    def __call__(self, payer: str, today: date) -> object:
        self.release.wait(5.0)
        if payer == self.fails_for:
            raise RuntimeError("bank file refused")
        self.done.append((payer, today))
        return "ok"


class TestSettlementCycles:
    def test_off_without_payers(self) -> None:
        cycles = SlowCycles()
        assert SettlementCycles([], cycles, 60.0).run(FakeClock().now()) == 0

    def test_a_slow_cycle_does_not_hold_the_run_back(self) -> None:
        cycles = SlowCycles()
        job = SettlementCycles(["CNSS", "CNOPS"], cycles, 60.0)
        started = time.monotonic()
        assert job.run(FakeClock().now()) == 2
        assert time.monotonic() - started < 0.5
        assert job.run(FakeClock().now()) == 0  # the previous cycles still run
        cycles.release.set()
        job.join(5.0)
        today = FakeClock().now().date()
        assert cycles.done == [("CNSS", today), ("CNOPS", today)]

    def test_one_payer_failing_leaves_the_others_paid(self) -> None:
        cycles = SlowCycles(fails_for="CNSS")
        cycles.release.set()
        job = SettlementCycles(["CNSS", "CNOPS"], cycles, 60.0)
        job.run(FakeClock().now())
        job.join(5.0)
        assert [payer for payer, _ in cycles.done] == ["CNOPS"]

    async def test_the_worker_keeps_relaying_during_a_cycle(self) -> None:
        cycles, queue, stop = SlowCycles(), IdleQueue(), asyncio.Event()
        job = SettlementCycles(["CNSS"], cycles, 0.0)
        running = asyncio.create_task(worker(queue, job).run(stop))  # type: ignore[arg-type]
        await asyncio.sleep(0.2)
        passes = queue.passes
        await asyncio.sleep(0.2)
        assert queue.passes > passes  # passes go on while the cycle waits
        stop.set()
        await asyncio.wait_for(running, 2.0)
        cycles.release.set()
        job.join(5.0)
        assert len(cycles.done) == 1
