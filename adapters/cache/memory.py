"""In-process decision cache and rate limiter: the embedded default when no Redis is set."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date

from adapters.crypto import BlindIndex
from domain.eligibility import EligibilityDecision
from domain.members import PersonIdentifier

Clock = Callable[[], float]


class MemoryDecisionCache:
    """domain.ports.DecisionCache and CacheInvalidation in a dict: least recently used go first."""

    def __init__(
        self,
        *,
        max_entries: int = 100_000,
        ttl_seconds: float = 300,
        index: BlindIndex,
        clock: Clock = time.monotonic,
    ) -> None:
        self._max_entries = max_entries  # people (identifiers), each with a few decisions
        self._ttl = ttl_seconds
        self._index = index
        self._clock = clock
        self._lock = threading.Lock()
        self._people: OrderedDict[str, dict[str, tuple[float, EligibilityDecision]]] = OrderedDict()

    def _key(self, identifier: PersonIdentifier) -> str:
        return self._index.digest(identifier.kind.value, identifier.value)

    async def get(
        self, identifier: PersonIdentifier, day: date, version: str
    ) -> EligibilityDecision | None:
        """A cached decision still fresh, or None (never waits: a dict lookup)."""
        key = self._key(identifier)
        with self._lock:
            decisions = self._people.get(key)
            entry = None if decisions is None else decisions.get(_field(day, version))
            if entry is None or entry[0] <= self._clock():
                return None
            self._people.move_to_end(key)
            return entry[1]

    async def put(
        self, identifier: PersonIdentifier, decision: EligibilityDecision, version: str
    ) -> None:
        """Cache a decision for that identifier, its date of care and that version."""
        key = self._key(identifier)
        field = _field(decision.date_of_care, version)
        with self._lock:
            decisions = self._people.setdefault(key, {})
            decisions[field] = (self._clock() + self._ttl, decision)
            self._people.move_to_end(key)
            while len(self._people) > self._max_entries:
                self._people.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (another process changed the registry)."""
        with self._lock:
            self._people.clear()

    def invalidate(self, identifiers: Iterable[PersonIdentifier]) -> bool:
        """Forget every decision cached for these identifiers (always reachable)."""
        keys = [self._key(identifier) for identifier in identifiers]
        with self._lock:
            for key in keys:
                self._people.pop(key, None)
        return True


def _field(day: date, version: str) -> str:
    return f"{day.isoformat()}|{version}"


class MemoryRateLimiter:
    """domain.ports.RateLimiter as a GCRA token bucket per key, for one process."""

    def __init__(
        self, *, rate_per_second: float, burst: int, clock: Clock = time.monotonic
    ) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("the rate must be positive and the burst at least 1")
        self._interval = 1.0 / rate_per_second
        self._burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        self._tats: dict[str, float] = {}  # theoretical arrival time of the next request

    async def hit(self, key: str) -> float:
        """Count one request; 0.0 if allowed, else the seconds to wait before retrying."""
        with self._lock:
            now = self._clock()
            tat = max(self._tats.get(key, now), now) + self._interval
            allow_at = tat - self._interval * self._burst
            if allow_at > now:
                return allow_at - now
            self._tats[key] = tat
            if len(self._tats) > 10_000:
                self._forget_idle(now)
            return 0.0

    def _forget_idle(self, now: float) -> None:
        # A key whose bucket is full again carries no state worth keeping.
        for key in [key for key, tat in self._tats.items() if tat <= now]:
            del self._tats[key]
