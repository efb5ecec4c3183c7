"""A progress bar on stderr for long imports (plain lines when not on a terminal)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Shows `done/total` with a bar and a rate; redraws at most ten times a second."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._drawn = 0.0
        self._tty = self.stream.isatty()

    def __call__(self, done: int) -> None:
        """Report progress: `done` items so far."""
        now = time.monotonic()
        final = done >= self.total
        if not final and now - self._drawn < (0.1 if self._tty else 5.0):
            return
        self._drawn = now
        self.stream.write(self._line(done, now) + ("\n" if final or not self._tty else ""))
        self.stream.flush()

    def _line(self, done: int, now: float) -> str:
        share = min(done / self.total, 1.0)
        bar = "#" * int(share * 30)
        rate = done / max(now - self.started, 1e-6)
        prefix = "\r" if self._tty else ""
        return (
            f"{prefix}{self.label} [{bar:<30}] {done:>9,}/{self.total:,} "
            f"{share:>4.0%} {rate:,.0f}/s"
        )
