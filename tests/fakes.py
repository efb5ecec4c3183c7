"""In-memory fakes of the ports in `domain/ports.py`: one per Protocol, for unit tests.

They behave like the real adapters where a test can tell the difference (scoping by tenant,
newest first, rollback without commit), and keep what they were given so tests can look.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from domain.eligibility import EligibilityDecision
from domain.errors import Unavailable
from domain.members import EligibilityFacts, Member, PersonIdentifier
from domain.records import (
    AuditEntry,
    Convention,
    ExchangeQuery,
    ExchangeRecord,
    IdempotentAnswer,
    Provider,
    Recording,
    RegistryEntry,
)
from domain.reference import ReferenceData


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
        record.tenant == query.tenant and record.kind == query.kind,
        query.patient_identifier is None or query.patient_identifier in record.patient_identifiers,
        query.patient_ref is None or record.patient_ref == query.patient_ref,
        query.request_id is None or record.request_id == query.request_id,
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
    ) -> None:
        self.members = members or FakeMemberRepository()
        self.exchanges = exchanges or FakeExchangeRepository()
        self.audit = audit or FakeAuditLog()
        self.providers = providers or FakeProviderRepository()
        self.replay = replay or FakeReplayStore()
        self.reference = reference or FakeReferenceRepository()
        self.idempotency = idempotency or FakeIdempotencyRepository()
        self.committed = False  # whether the last block committed
        self.commits = 0
        self.rollbacks = 0
        self.entered = 0
        self._snapshot: dict[str, dict[str, Any]] | None = None

    def _repositories(self) -> dict[str, Any]:
        names = ("members", "exchanges", "audit", "providers", "replay", "reference", "idempotency")
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


class FakeDecisionCache:
    """Decisions by (identifier, date of care, rules version); counts hits and misses."""

    def __init__(self) -> None:
        self.decisions: dict[tuple[PersonIdentifier, date, str], EligibilityDecision] = {}
        self.hits = 0
        self.misses = 0

    async def get(
        self, identifier: PersonIdentifier, day: date, version: str
    ) -> EligibilityDecision | None:
        """A cached decision, or None."""
        decision = self.decisions.get((identifier, day, version))
        if decision is None:
            self.misses += 1
        else:
            self.hits += 1
        return decision

    async def put(
        self, identifier: PersonIdentifier, decision: EligibilityDecision, version: str
    ) -> None:
        """Cache under the decision's date of care and that version."""
        self.decisions[identifier, decision.date_of_care, version] = decision

    def invalidate(self, identifiers: Iterable[PersonIdentifier]) -> bool:
        """Forget every decision cached for these identifiers."""
        gone = set(identifiers)
        self.decisions = {k: v for k, v in self.decisions.items() if k[0] not in gone}
        return True


class FakeRateLimiter:
    """Allows `limit` hits per key, then asks to wait `retry_after` seconds."""

    def __init__(self, limit: int = 1_000_000, retry_after: float = 1.0) -> None:
        self.limit = limit
        self.retry_after = retry_after
        self.counts: dict[str, int] = {}

    async def hit(self, key: str) -> float:
        """Count one request; 0.0 while under the limit."""
        self.counts[key] = self.counts.get(key, 0) + 1
        return 0.0 if self.counts[key] <= self.limit else self.retry_after


class FakeStore:
    """What the pipeline's recorder writes and its stores read back: exchanges, audit entries
    and kept answers in memory, committed together. `down` makes every call fail as a
    database that is unreachable; `before_record` runs first inside each record() (a test
    plays a concurrent retry there)."""

    def __init__(self, members: FakeMemberRepository | None = None) -> None:
        self.members = members or FakeMemberRepository()
        self.exchanges = FakeExchangeRepository()
        self.audit: list[AuditEntry] = []
        self.answers = FakeIdempotencyRepository()
        self.down = False
        self.before_record: Callable[[], None] | None = None

    def _check(self) -> None:
        if self.down:
            raise Unavailable("Base de données indisponible")

    async def record(self, recording: Recording) -> bool:
        """domain.ports.ExchangeRecorder: all of a recording, or nothing if its key is taken."""
        self._check()
        if self.before_record is not None:
            self.before_record()
        if recording.answer is not None and not self.answers.claim(recording.answer):
            return False
        if recording.record is not None:
            self.exchanges.add(recording.record)
        self.audit.append(recording.audit)
        return True

    async def append(self, entry: AuditEntry) -> None:
        """domain.ports.AuditTrail."""
        self._check()
        self.audit.append(entry)

    async def kept(self, tenant: str, key: str) -> IdempotentAnswer | None:
        """domain.ports.IdempotencyStore."""
        self._check()
        return self.answers.get(tenant, key)

    async def find(self, identifiers: Sequence[PersonIdentifier]) -> list[EligibilityFacts]:
        """domain.ports.MemberDirectory: the first identifier that finds anyone."""
        self._check()
        for identifier in identifiers:
            if found := self.members.find(identifier):
                return found
        return []

    async def get(self, tenant: str, kind: str, record_id: str) -> ExchangeRecord | None:
        """domain.ports.ExchangeStore."""
        self._check()
        return self.exchanges.get(tenant, kind, record_id)

    async def get_by_request(
        self, tenant: str, kind: str, request_id: str
    ) -> ExchangeRecord | None:
        """domain.ports.ExchangeStore, by request id."""
        self._check()
        return self.exchanges.get_by_request(tenant, kind, request_id)

    async def search(self, query: ExchangeQuery) -> tuple[list[ExchangeRecord], int]:
        """domain.ports.ExchangeStore, searched."""
        self._check()
        return self.exchanges.search(query)

    def actions(self) -> list[str]:
        """The audit actions written, in order."""
        return [entry.action for entry in self.audit]


class FakeRegistryVersion:
    """The registry version a process knows: set by the test (None: unknown)."""

    def __init__(self, version: str | None = "1") -> None:
        self.version = version

    def current(self) -> str | None:
        """The version the test set."""
        return self.version


class FakeIds:
    """Ids id-1, id-2, ... in order."""

    def __init__(self) -> None:
        self.issued = 0

    def __call__(self) -> str:
        """The next id."""
        self.issued += 1
        return f"id-{self.issued}"


class FakeMeter:
    """Decisions counted, in order."""

    def __init__(self) -> None:
        self.counted: list[tuple[str, bool]] = []

    def decided(self, status: str, from_cache: bool) -> None:
        """Count one decision."""
        self.counted.append((status, from_cache))
