"""The worker's settlement job: each scheduled payer's cycle, once a day, off the loop.

A cycle may take minutes; the worker's loop runs its jobs between relay passes, so a job
that ran the cycle itself would hold notifications back that long. The job only starts the
cycles in a thread of their own and returns: a run that finds the previous one still going
does nothing. A worker stopped mid-cycle leaves a batch the next run takes up (the cycle is
made to survive being killed at any point).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

log = logging.getLogger("amo.settlement")


@dataclass
class SettlementCycles:
    """domain.ports.PeriodicJob: start the scheduled payers' cycles in the background."""

    payers: Sequence[str]
    cycle: Callable[[str, date], object]  # one payer's cycle on a date
    every_seconds: float
    name: str = "settlement-cycles"
    _running: threading.Thread | None = field(default=None, repr=False)

    def run(self, now: datetime) -> int:
        """Start today's cycles unless the previous ones still run; how many started."""
        if not self.payers or (self._running is not None and self._running.is_alive()):
            return 0
        thread = threading.Thread(target=self._all, args=(now.date(),), daemon=True, name=self.name)
        self._running = thread
        thread.start()
        return len(self.payers)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the cycles under way (tests, and a worker that wants to finish them)."""
        if self._running is not None:
            self._running.join(timeout)

    def _all(self, today: date) -> None:
        for payer in self.payers:
            try:
                report = self.cycle(payer, today)
                log.info("settlement %s %s: %s", payer, today, report)
            except Exception:  # one payer's trouble does not keep the others unpaid
                log.exception("settlement cycle of %s failed", payer)
