"""The unit of work and the repositories it names: what the domain needs of one transaction.

Synchronous, used by imports, commands and the adapters themselves (adapters.sql.uow); the
use cases of domain/services/ await the pipeline ports of domain/ports.py instead. The
repositories of prises en charge and claims are in domain/authorization_ports.py, those of
notifications in domain/subscription_ports.py. Unit tests use one fake per Protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from domain.authorization_ports import (
    AnomalyFlagRepository,
    AuthorizationRepository,
    ClaimLineRepository,
    Ledger,
    ProfileStore,
)
from domain.members import EligibilityFacts, PersonIdentifier
from domain.records import (
    AuditEntry,
    Convention,
    ExchangeQuery,
    ExchangeRecord,
    IdempotentAnswer,
    Notification,
    Provider,
    RegistryEntry,
    StoredEntry,
)
from domain.reference import ReferenceData
from domain.subscription_ports import EndpointRepository, SubscriptionRepository


class MemberRepository(Protocol):
    """The members of the payers' registries."""

    def find(self, identifier: PersonIdentifier) -> list[EligibilityFacts]:
        """Every member record carrying that identifier (two: a double affiliation)."""
        ...

    def save(self, entry: RegistryEntry) -> None:
        """Insert or replace a member and its identifiers and names (by member_id)."""
        ...

    def save_all(self, entries: Sequence[StoredEntry]) -> dict[str, tuple[PersonIdentifier, ...]]:
        """Insert or replace members of distinct ids at once (an import's batch); the
        identifiers stored before for those already known (for cache invalidation)."""
        ...

    def identifiers_of(self, member_id: str) -> tuple[PersonIdentifier, ...]:
        """The identifiers currently stored for a member (for cache invalidation)."""
        ...

    def count(self) -> int:
        """How many members are stored."""
        ...

    def advance_version(self) -> int:
        """Mark the registry changed, in this transaction; the new version."""
        ...

    def version(self) -> int:
        """The registry's version: it moves with every change."""
        ...


class ExchangeRepository(Protocol):
    """Stored exchanges (request and answer), scoped to the provider that made them."""

    def add(self, record: ExchangeRecord) -> None:
        """Store one exchange."""
        ...

    def add_many(self, records: Sequence[ExchangeRecord]) -> None:
        """Store several exchanges (one round trip where the store allows it)."""
        ...

    def get(self, tenant: str, kind: str, record_id: str) -> ExchangeRecord | None:
        """The exchange with that answer id, if it belongs to that tenant."""
        ...

    def get_by_request(self, tenant: str, kind: str, request_id: str) -> ExchangeRecord | None:
        """The exchange with that request id, if it belongs to that tenant."""
        ...

    def search(self, query: ExchangeQuery) -> tuple[list[ExchangeRecord], int]:
        """Matching exchanges, newest first, and the total count before paging."""
        ...


class AuditLog(Protocol):
    """The hash-chained audit trail."""

    def append(self, entry: AuditEntry) -> None:
        """Add an entry at the end of the chain."""
        ...

    def append_many(self, entries: Sequence[AuditEntry]) -> None:
        """Add several entries at the end of the chain, in order."""
        ...


class ProviderRepository(Protocol):
    """Registered providers and their OAuth clients."""

    def add(self, provider: Provider) -> None:
        """Register a provider (its INPE and client id are unique)."""
        ...

    def by_client_id(self, client_id: str) -> Provider | None:
        """The provider owning that OAuth client."""
        ...

    def by_inpe(self, inpe: str) -> Provider | None:
        """The provider with that INPE."""
        ...

    def all(self) -> list[Provider]:
        """Every registered provider."""
        ...

    def set_convention(self, inpe: str, convention: Convention) -> bool:
        """Change where a provider stands in its convention; False if no such INPE."""
        ...


class ReplayStore(Protocol):
    """Assertion ids (jti) already used, kept until they expire."""

    def remember(self, client_id: str, jti: str, expires_at: datetime) -> bool:
        """Record a jti; False when that client already used it (a replay)."""
        ...


class ReferenceRepository(Protocol):
    """The versioned reference tables."""

    def current(self) -> ReferenceData | None:
        """The dataset in force (the last one loaded), or None if none was ever loaded."""
        ...

    def store(self, data: ReferenceData) -> bool:
        """Store a dataset under its version and make it current; False if already current."""
        ...


class IdempotencyRepository(Protocol):
    """Answers kept per (tenant, Idempotency-Key), inside a unit of work."""

    def get(self, tenant: str, key: str) -> IdempotentAnswer | None:
        """The answer kept for that key of that tenant, if any."""
        ...

    def claim(self, answer: IdempotentAnswer) -> bool:
        """Keep an answer; False if the key was taken meanwhile (by a concurrent retry)."""
        ...

    def taken(self, keys: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these (tenant, key) pairs have an answer kept."""
        ...

    def put_many(self, answers: Sequence[IdempotentAnswer]) -> None:
        """Keep answers whose keys are free (a key kept meanwhile fails the store's write)."""
        ...

    def purge_before(self, instant: datetime, limit: int | None = None) -> int:
        """Forget the answers kept before that instant, `limit` at most; how many went."""
        ...


class Outbox(Protocol):
    """Notifications waiting for delivery, written in the transaction of their cause."""

    def add_many(self, notifications: Sequence[Notification]) -> None:
        """Queue notifications; the worker fans them out to the tenant's subscriptions."""
        ...


class UnitOfWork(Protocol):
    """One transaction: leaving the block without commit() rolls back."""

    @property
    def members(self) -> MemberRepository: ...

    @property
    def exchanges(self) -> ExchangeRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def providers(self) -> ProviderRepository: ...

    @property
    def replay(self) -> ReplayStore: ...

    @property
    def reference(self) -> ReferenceRepository: ...

    @property
    def idempotency(self) -> IdempotencyRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def authorizations(self) -> AuthorizationRepository: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def claim_lines(self) -> ClaimLineRepository: ...

    @property
    def anomaly_flags(self) -> AnomalyFlagRepository: ...

    @property
    def profiles(self) -> ProfileStore: ...

    @property
    def endpoints(self) -> EndpointRepository: ...

    @property
    def subscriptions(self) -> SubscriptionRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def savepoint(self) -> AbstractContextManager[Callable[[], None]]:
        """A part of the transaction that can be undone alone, by calling what it yields."""
        ...

    def commit(self) -> None:
        """Make the work durable."""
        ...

    def rollback(self) -> None:
        """Undo the work."""
        ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work per use."""

    def __call__(self) -> UnitOfWork: ...
