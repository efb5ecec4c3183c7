"""In-memory fakes of the repositories and the unit of work in `domain/uow_ports.py`, one per
Protocol, for unit tests (the pipeline ports' fakes are in tests/pipeline_fakes.py).

They behave like the real adapters where a test can tell the difference (scoping by tenant,
newest first, rollback without commit), and keep what they were given so tests can look.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from domain.members import EligibilityFacts, Member, PersonIdentifier
from domain.records import (
    AuditEntry,
    Convention,
    ExchangeQuery,
    ExchangeRecord,
    IdempotentAnswer,
    Provider,
    RegistryEntry,
)
from domain.reference import ReferenceData
from tests.subscription_fakes import FakeEndpointRepository, FakeOutbox, FakeSubscriptionRepository


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """The current fake instant."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self._now += delta

    def set(self, now: datetime) -> None:
        """Jump to an instant."""
        self._now = now


class FakeMemberRepository:
    """Registry entries by member_id; `find` resolves the insureds of dependants."""

    def __init__(self, entries: Iterable[RegistryEntry] = ()) -> None:
        self.entries: dict[str, RegistryEntry] = {}
        self.registry_version = 0
        for entry in entries:
            self.save(entry)

    def find(self, identifier: PersonIdentifier) -> list[EligibilityFacts]:
        """Every member carrying that identifier, with the insureds they depend on."""
        found = [e.member for e in self.entries.values() if identifier in e.identifiers]
        return [EligibilityFacts(member=m, insureds=self._insureds_of(m)) for m in found]

    def _insureds_of(self, member: Member) -> dict[str, Member]:
        ids = {a.insured_id for a in member.affiliations if a.insured_id is not None}
        return {i: self.entries[i].member for i in ids if i in self.entries}

    def save(self, entry: RegistryEntry) -> None:
        """Insert or replace by member_id."""
        self.entries[entry.member.member_id] = entry

    def save_all(self, entries: Sequence[RegistryEntry]) -> dict[str, tuple[PersonIdentifier, ...]]:
        """Insert or replace each; the identifiers stored before for those already known."""
        assert len({e.member.member_id for e in entries}) == len(entries), "ids not distinct"
        old = {e.member.member_id: self.identifiers_of(e.member.member_id) for e in entries}
        for entry in entries:
            self.save(entry)
        return {member_id: ids for member_id, ids in old.items() if ids}

    def identifiers_of(self, member_id: str) -> tuple[PersonIdentifier, ...]:
        """The identifiers stored for a member (empty if unknown)."""
        entry = self.entries.get(member_id)
        return entry.identifiers if entry else ()

    def count(self) -> int:
        """How many members are stored."""
        return len(self.entries)

    def advance_version(self) -> int:
        """Mark the registry changed; the new version."""
        self.registry_version += 1
        return self.registry_version

    def version(self) -> int:
        """The registry's version."""
        return self.registry_version


class FakeExchangeRepository:
    """Exchanges in insertion order; every read is scoped to a tenant and a kind."""

    def __init__(self) -> None:
        self.records: list[ExchangeRecord] = []

    def add(self, record: ExchangeRecord) -> None:
        """Store one exchange."""
        self.records.append(record)

    def add_many(self, records: Sequence[ExchangeRecord]) -> None:
        """Store several exchanges."""
        self.records.extend(records)

    def get(self, tenant: str, kind: str, record_id: str) -> ExchangeRecord | None:
        """The tenant's exchange with that id."""
        return self._first(tenant, kind, lambda r: r.id == record_id)

    def get_by_request(self, tenant: str, kind: str, request_id: str) -> ExchangeRecord | None:
        """The tenant's exchange with that request id."""
        return self._first(tenant, kind, lambda r: r.request_id == request_id)

    def _first(self, tenant: str, kind: str, match: Any) -> ExchangeRecord | None:
        for record in self.records:
            if record.tenant == tenant and record.kind == kind and match(record):
                return record
        return None

    def search(self, query: ExchangeQuery) -> tuple[list[ExchangeRecord], int]:
        """Matching exchanges, newest first, paged, and the total before paging."""
        hits = [r for r in self.records if _matches(r, query)]
        hits.sort(key=lambda r: r.created, reverse=True)
        return hits[query.offset : query.offset + query.limit], len(hits)


def _matches(record: ExchangeRecord, query: ExchangeQuery) -> bool:
    checks = (
        record.tenant == query.tenant and record.kind in (query.kind, *query.also_kinds),
        query.patient_identifier is None or query.patient_identifier in record.patient_identifiers,
        query.patient_ref is None or record.patient_ref == query.patient_ref,
        query.request_id is None or record.request_id == query.request_id,
        query.record_id is None or record.id == query.record_id,
        not query.statuses or record.status in query.statuses,
        query.created_from is None or record.created >= query.created_from,
        query.created_to is None or record.created < query.created_to,
    )
    return all(checks)


class FakeAuditLog:
    """Audit entries in order (no hashing: the chain is the SQL adapter's business)."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def append(self, entry: AuditEntry) -> None:
        """Add an entry at the end."""
        self.entries.append(entry)

    def append_many(self, entries: Sequence[AuditEntry]) -> None:
        """Add several entries at the end, in order."""
        self.entries.extend(entries)


class FakeProviderRepository:
    """Providers by id; INPE and client id are unique as in the real store."""

    def __init__(self, providers: Iterable[Provider] = ()) -> None:
        self.providers: dict[str, Provider] = {}
        for provider in providers:
            self.add(provider)

    def add(self, provider: Provider) -> None:
        """Register a provider; a duplicate INPE or client id is refused."""
        for other in self.providers.values():
            if other.inpe == provider.inpe or other.client_id == provider.client_id:
                raise ValueError("duplicate INPE or client id")
        self.providers[provider.id] = provider

    def by_client_id(self, client_id: str) -> Provider | None:
        """The provider owning that client."""
        return next((p for p in self.providers.values() if p.client_id == client_id), None)

    def by_inpe(self, inpe: str) -> Provider | None:
        """The provider with that INPE."""
        return next((p for p in self.providers.values() if p.inpe == inpe), None)

    def all(self) -> list[Provider]:
        """Every provider, in registration order."""
        return list(self.providers.values())

    def set_convention(self, inpe: str, convention: Convention) -> bool:
        """Change a provider's convention; False if no such INPE."""
        found = self.by_inpe(inpe)
        if found is not None:
            self.providers[found.id] = replace(found, convention=convention)
        return found is not None


class FakeReplayStore:
    """jti values per client, with their expiry."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], datetime] = {}

    def remember(self, client_id: str, jti: str, expires_at: datetime) -> bool:
        """Record a jti; False if that client already used it."""
        key = (client_id, jti)
        if key in self.seen:
            return False
        self.seen[key] = expires_at
        return True


class FakeReferenceRepository:
    """Datasets by version; the last one stored is current."""

    def __init__(self, current: ReferenceData | None = None) -> None:
        self.versions: dict[str, ReferenceData] = {}
        self._current: str | None = None
        if current is not None:
            self.store(current)

    def current(self) -> ReferenceData | None:
        """The dataset in force, if any."""
        return self.versions[self._current] if self._current else None

    def store(self, data: ReferenceData) -> bool:
        """Store and make current; False when that version is already current."""
        if self._current == data.version:
            return False
        self.versions[data.version] = data
        self._current = data.version
        return True


class FakeIdempotencyRepository:
    """Answers by (tenant, key); a key is claimed once."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], IdempotentAnswer] = {}

    def get(self, tenant: str, key: str) -> IdempotentAnswer | None:
        """The answer kept for that key."""
        return self.answers.get((tenant, key))

    def claim(self, answer: IdempotentAnswer) -> bool:
        """Keep an answer unless its key is taken."""
        if (answer.tenant, answer.key) in self.answers:
            return False
        self.answers[(answer.tenant, answer.key)] = answer
        return True


class FakeUnitOfWork:
    """A transaction over the fakes: state is snapshotted on entry, restored on rollback."""

    def __init__(
        self,
        *,
        members: FakeMemberRepository | None = None,
        exchanges: FakeExchangeRepository | None = None,
        audit: FakeAuditLog | None = None,
        providers: FakeProviderRepository | None = None,
        replay: FakeReplayStore | None = None,
        reference: FakeReferenceRepository | None = None,
        idempotency: FakeIdempotencyRepository | None = None,
        outbox: FakeOutbox | None = None,
        endpoints: FakeEndpointRepository | None = None,
        subscriptions: FakeSubscriptionRepository | None = None,
    ) -> None:
        self.members = members or FakeMemberRepository()
        self.exchanges = exchanges or FakeExchangeRepository()
        self.audit = audit or FakeAuditLog()
        self.providers = providers or FakeProviderRepository()
        self.replay = replay or FakeReplayStore()
        self.reference = reference or FakeReferenceRepository()
        self.idempotency = idempotency or FakeIdempotencyRepository()
        self.outbox = outbox or FakeOutbox()
        self.endpoints = endpoints or FakeEndpointRepository()
        self.subscriptions = subscriptions or FakeSubscriptionRepository()
        self.committed = False  # whether the last block committed
        self.commits = 0
        self.rollbacks = 0
        self.entered = 0
        self._snapshot: dict[str, dict[str, Any]] | None = None

    def _repositories(self) -> dict[str, Any]:
        names = (
            "members", "exchanges", "audit", "providers", "replay", "reference", "idempotency",
            "outbox", "endpoints", "subscriptions",
        )  # fmt: skip
        return {name: getattr(self, name) for name in names}

    def __enter__(self) -> Self:
        self.entered += 1
        self.committed = False
        self._snapshot = self._state()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            self.rollback()
        self._snapshot = None

    def commit(self) -> None:
        """Keep the work done since entry."""
        self.committed = True
        self.commits += 1
        self._snapshot = self._state()

    def rollback(self) -> None:
        """Restore the state of entry (or of the last commit)."""
        self.rollbacks += 1
        if self._snapshot is None:
            return
        for name, repository in self._repositories().items():
            repository.__dict__.update(_copy_state(self._snapshot[name]))

    def _state(self) -> dict[str, dict[str, Any]]:
        return {n: _copy_state(r.__dict__) for n, r in self._repositories().items()}


def _copy_state(state: dict[str, Any]) -> dict[str, Any]:
    # One level is enough: the stored values are frozen dataclasses.
    return {k: v.copy() if isinstance(v, dict | list | set) else v for k, v in state.items()}


class FakeUnitOfWorkFactory:
    """Hands out the same fake unit of work each time, so tests can inspect it."""

    def __init__(self, uow: FakeUnitOfWork | None = None) -> None:
        self.uow = uow or FakeUnitOfWork()

    def __call__(self) -> FakeUnitOfWork:
        """The shared fake unit of work."""
        return self.uow
