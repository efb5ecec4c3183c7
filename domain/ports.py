"""Ports: what the use cases of `domain/services/` await, as small Protocols.

These are the pipeline's ports (the time, kept answers, rate limits, the decision cache, the
member directory, the durable recorder, the audit trail, ids); the composition root picks
their in-process, threaded or Redis implementations once. Unit tests use one fake per
Protocol. The unit of work and its synchronous repositories (one transaction, used by
imports, commands and the adapters themselves) are in `domain/uow_ports.py`; the ports of
notifications (subscriptions, endpoints, the worker's relay) in `domain/subscription_ports.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Protocol

from domain.eligibility import EligibilityDecision
from domain.members import EligibilityFacts, PersonIdentifier
from domain.records import AuditEntry, ExchangeQuery, ExchangeRecord, IdempotentAnswer, Recording


class Clock(Protocol):
    """The time, so that rules and tests agree on "now"."""

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class CacheInvalidation(Protocol):
    """Forgets cached decisions when the registry changes (imports, corrections)."""

    def invalidate(self, identifiers: Iterable[PersonIdentifier]) -> bool:
        """Forget every decision cached for these identifiers (the member changed); False
        when the cache could not be reached."""
        ...


class IdempotencyStore(Protocol):
    """Answers kept per (tenant, Idempotency-Key): a retried request never acts twice."""

    async def kept(self, tenant: str, key: str) -> IdempotentAnswer | None:
        """The answer kept for that key of that tenant, if any."""
        ...


class RateLimiter(Protocol):
    """Requests allowed per client."""

    async def hit(self, key: str) -> float:
        """Count one request; 0.0 if allowed, else the seconds to wait before retrying."""
        ...


class DecisionCache(Protocol):
    """Eligibility decisions per person, date of care and version (of the rules and the
    registry they were decided with); never the only copy."""

    async def get(
        self, identifier: PersonIdentifier, day: date, version: str
    ) -> EligibilityDecision | None:
        """A decision cached under that version, or None (also when the cache is unreachable)."""
        ...

    async def put(
        self, identifier: PersonIdentifier, decision: EligibilityDecision, version: str
    ) -> None:
        """Cache a decision for that identifier, its date of care and that version."""
        ...


class RegistryVersion(Protocol):
    """The registry version this process knows, as recently as it can tell."""

    def current(self) -> str | None:
        """The version last seen, or None when it may be out of date (the cache is unused)."""
        ...


class MemberDirectory(Protocol):
    """The payers' registries, read by identifier."""

    async def find(self, identifiers: Sequence[PersonIdentifier]) -> list[EligibilityFacts]:
        """The records of the first identifier that finds any (two: a double affiliation)."""
        ...


class ExchangeRecorder(Protocol):
    """Stores an exchange, its audit entry and its kept answer in one durable write."""

    async def record(self, recording: Recording) -> bool:
        """Durable once it returns; False if its Idempotency-Key was taken meanwhile (by a
        concurrent retry), in which case nothing of it was stored."""
        ...


class AuditTrail(Protocol):
    """The hash-chained audit trail, for what records no exchange (reads, refusals)."""

    async def append(self, entry: AuditEntry) -> None:
        """Add an entry; durable once it returns."""
        ...


class ExchangeStore(Protocol):
    """Stored exchanges, read back by the tenant that made them."""

    async def get(self, tenant: str, kind: str, record_id: str) -> ExchangeRecord | None:
        """The exchange with that answer id, if it belongs to that tenant."""
        ...

    async def get_by_request(
        self, tenant: str, kind: str, request_id: str
    ) -> ExchangeRecord | None:
        """The exchange with that request id, if it belongs to that tenant."""
        ...

    async def search(self, query: ExchangeQuery) -> tuple[list[ExchangeRecord], int]:
        """Matching exchanges, newest first, and the total count before paging."""
        ...


class IdGenerator(Protocol):
    """New resource ids."""

    def __call__(self) -> str:
        """A new id, unique and sortable by creation time."""
        ...


class DecisionMeter(Protocol):
    """Counts decisions for operators (by status, and whether the cache answered)."""

    def decided(self, status: str, from_cache: bool) -> None:
        """Count one decision."""
        ...


class PeriodicJob(Protocol):
    """Work the worker runs on a schedule (a prise en charge's deadlines, purges). Every
    worker runs it: it must be safe to run twice at once (compare-and-set, idempotent)."""

    @property
    def name(self) -> str:
        """A short name, for logs."""
        ...

    @property
    def every_seconds(self) -> float:
        """How long after a run the next one is due."""
        ...

    def run(self, now: datetime) -> int:
        """Do what is due at `now`, in its own unit of work; how many things it did."""
        ...
