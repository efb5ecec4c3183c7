"""Ports: what the domain needs from the outside world, as small Protocols.

Adapters implement them (SQL, Redis, in-process); unit tests use one fake per Protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from domain.eligibility import EligibilityDecision
from domain.members import EligibilityFacts, Member, PersonIdentifier
from domain.reference import ReferenceData


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's names: personal data, encrypted at rest by the adapters."""

    family: str
    given: str


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One person of a payer's registry file, ready to be stored."""

    member: Member
    identifiers: tuple[PersonIdentifier, ...]
    name: PersonName
    sex: str  # male | female | unknown (FHIR administrative-gender)


@dataclass(frozen=True, slots=True)
class Provider:
    """A care provider organization registered with the gateway, and its OAuth client."""

    id: str
    inpe: str
    name: str
    category: str  # pharmacy | gp | specialist | clinic | public-hospital | laboratory | ...
    payers: tuple[str, ...]  # payers it is admitted in tiers payant with
    client_id: str
    jwks: str  # the client's public JWK Set, as JSON text
    active: bool = True


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    """One exchange as stored: the request, the answer, and what finds it again."""

    id: str  # the answer's id (CoverageEligibilityResponse.id)
    kind: str  # eligibility | ...
    tenant: str  # provider id: every read is scoped to it
    created: datetime
    request_id: str
    status: str  # decision status, for statistics
    patient_ref: str | None  # the request's patient reference as written ("Patient/12")
    patient_identifiers: tuple[PersonIdentifier, ...]
    request_body: bytes  # FHIR JSON, encrypted at rest by the adapter
    response_body: bytes  # FHIR JSON, encrypted at rest by the adapter


@dataclass(frozen=True, slots=True)
class ExchangeQuery:
    """Search criteria over a tenant's stored exchanges (all optional but tenant and kind)."""

    tenant: str
    kind: str
    patient_identifier: PersonIdentifier | None = None
    patient_ref: str | None = None
    request_id: str | None = None
    created_from: datetime | None = None  # inclusive
    created_to: datetime | None = None  # exclusive
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What happened in one exchange; the adapter chains entries by hash."""

    at: datetime
    action: str  # e.g. eligibility.check, eligibility.read, token.issue
    outcome: int  # HTTP status answered
    tenant: str | None = None
    client_id: str | None = None
    resource: str | None = None  # "CoverageEligibilityResponse/abc": never patient data
    detail: str = ""


@dataclass(frozen=True, slots=True)
class IdempotentAnswer:
    """The answer given to a request that carried an Idempotency-Key, kept for its retries."""

    tenant: str
    key: str
    request_hash: str  # what was asked: the same key with another request is refused
    status: int
    body: bytes


@dataclass(frozen=True, slots=True)
class Recording:
    """What one exchange leaves behind: its record, its audit entry, its idempotent answer."""

    record: ExchangeRecord | None  # None: an audit entry alone (a read, a refusal)
    audit: AuditEntry
    answer: IdempotentAnswer | None = None


class Clock(Protocol):
    """The time, so that rules and tests agree on "now"."""

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class MemberRepository(Protocol):
    """The members of the payers' registries."""

    def find(self, identifier: PersonIdentifier) -> list[EligibilityFacts]:
        """Every member record carrying that identifier (two: a double affiliation)."""
        ...

    def save(self, entry: RegistryEntry) -> None:
        """Insert or replace a member and its identifiers and names (by member_id)."""
        ...

    def identifiers_of(self, member_id: str) -> tuple[PersonIdentifier, ...]:
        """The identifiers currently stored for a member (for cache invalidation)."""
        ...

    def count(self) -> int:
        """How many members are stored."""
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


class IdempotencyStore(Protocol):
    """Answers kept per (tenant, Idempotency-Key) so that a retried request never acts twice."""

    def get(self, tenant: str, key: str) -> IdempotentAnswer | None:
        """The answer kept for that key of that tenant, if any."""
        ...

    def claim(self, answer: IdempotentAnswer) -> bool:
        """Keep an answer; False if the key was taken meanwhile (by a concurrent retry)."""
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
    def idempotency(self) -> IdempotencyStore: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make the work durable."""
        ...

    def rollback(self) -> None:
        """Undo the work."""
        ...


class DecisionCache(Protocol):
    """Eligibility decisions, cached per person and date of care; never the only copy."""

    def get(
        self, identifier: PersonIdentifier, day: date, rules_version: str
    ) -> EligibilityDecision | None:
        """A cached decision, or None."""
        ...

    def put(self, identifier: PersonIdentifier, decision: EligibilityDecision) -> None:
        """Cache a decision for that identifier and the decision's date of care."""
        ...

    def invalidate(self, identifiers: Iterable[PersonIdentifier]) -> None:
        """Forget every decision cached for these identifiers (the member changed)."""
        ...


class RateLimiter(Protocol):
    """Requests allowed per client."""

    def hit(self, key: str) -> float:
        """Count one request; 0.0 if allowed, else the seconds to wait before retrying."""
        ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work per use."""

    def __call__(self) -> UnitOfWork: ...


__all__ = [
    "AuditEntry",
    "AuditLog",
    "Clock",
    "DecisionCache",
    "ExchangeQuery",
    "ExchangeRecord",
    "ExchangeRepository",
    "IdempotencyStore",
    "IdempotentAnswer",
    "MemberRepository",
    "PersonName",
    "Provider",
    "ProviderRepository",
    "RateLimiter",
    "Recording",
    "ReferenceRepository",
    "RegistryEntry",
    "ReplayStore",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
