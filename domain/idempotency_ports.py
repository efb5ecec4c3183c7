"""The port that says an Idempotency-Key's request is being answered (adapters.cache.in_flight).

The stored answers (domain.ports.IdempotencyStore) say what was answered; this port says what
is being answered right now, so that a retry sent while the first request is still at work
waits for its answer instead of deciding a second time. It is a courtesy, never the guard: the
unique (tenant, key) of the stored answers refuses a second record whatever this port said,
so an adapter that cannot tell (Redis unreachable) lets the request go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Lease:
    """The right to answer one (tenant, key), until given back or until it lapses."""

    tenant: str
    key: str
    token: str = ""  # the holder's proof, so that only it gives the lease back ("": unheld)


class InFlight(Protocol):
    """Requests being answered, per (tenant, Idempotency-Key)."""

    async def begin(self, tenant: str, key: str) -> Lease | None:
        """A lease on the key, or None while another request holds it."""
        ...

    async def end(self, lease: Lease) -> None:
        """Give the lease back (nothing happens if it lapsed or was never held)."""
        ...


class Unguarded:
    """InFlight that always lets a request go on: the stored answers alone keep a key once
    (a concurrent retry decides too, and its record is refused; it answers the first's)."""

    async def begin(self, tenant: str, key: str) -> Lease | None:
        """Always a lease, held by no one."""
        return Lease(tenant, key)

    async def end(self, lease: Lease) -> None:
        """Nothing to give back."""
