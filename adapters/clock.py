"""The system clock, behind the Clock port."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The machine's time, in UTC."""

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        return datetime.now(UTC)
