"""In-memory fakes of the pipeline ports in `domain/ports.py` (the ones use cases await).

One per Protocol, as tests/fakes.py does for the repositories; `FakeStore` stands for the SQL
store's several ports at once, so that what one records the others read back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from datetime import date

from domain.anomaly_flags import AnomalyFlag
from domain.claim_history import HistoryLine
from domain.eligibility import EligibilityDecision
from domain.errors import StaleState, Unavailable
from domain.idempotency_ports import Lease
from domain.ledger import AlreadyRecorded, Entry, EntryKind
from domain.members import EligibilityFacts, PersonIdentifier
from domain.prior_auth import PriorAuthorization
from domain.records import (
    AuditEntry,
    AuthorizationChange,
    ExchangeQuery,
    ExchangeRecord,
    IdempotentAnswer,
    Message,
    MessageKind,
    Notification,
    QueueQuery,
    Recording,
    StoredAuthorization,
)
from tests.fakes import (
    FakeExchangeRepository,
    FakeIdempotencyRepository,
    FakeMemberRepository,
)


class FakeInFlight:
    """Keys held by requests being answered, until given back; remembers every lease asked."""

    def __init__(self) -> None:
        self.held: set[tuple[str, str]] = set()
        self.asked = 0

    async def begin(self, tenant: str, key: str) -> Lease | None:
        """domain.idempotency_ports.InFlight: a lease unless the key is held."""
        self.asked += 1
        if (tenant, key) in self.held:
            return None
        self.held.add((tenant, key))
        return Lease(tenant, key, "held")

    async def end(self, lease: Lease) -> None:
        """Give the key back."""
        self.held.discard((lease.tenant, lease.key))


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
        self.authorizations: dict[str, tuple[PriorAuthorization, int]] = {}  # with versions
        self.outbox: list[Notification] = []
        self.ledger: list[Entry] = []
        self.claim_lines: list[HistoryLine] = []  # the claim history, as recorded
        self.flags: list[AnomalyFlag] = []  # anomaly flags, as recorded
        self.history_reads = 0
        self.messages: dict[str, Message] = {}  # requests for information and answers, by id

    def _check(self) -> None:
        if self.down:
            raise Unavailable("Base de données indisponible")

    async def record(self, recording: Recording) -> bool:
        """domain.ports.ExchangeRecorder: all of a recording, or nothing if its key is taken."""
        self._check()
        if self.before_record is not None:
            self.before_record()
        for change in recording.effects.changes:  # all of them apply, or nothing is recorded
            found = self.authorizations.get(change.authorization.id)
            if found is None or found[1] != change.expected_version:
                raise StaleState("La prise en charge a changé entre-temps")
        recorded = {entry.id for entry in self.ledger}
        if any(entry.id in recorded for entry in recording.effects.entries):
            raise AlreadyRecorded("Déjà comptabilisé")
        if recording.answer is not None and not self.answers.claim(recording.answer):
            return False
        self.ledger.extend(recording.effects.entries)
        self.claim_lines.extend(recording.effects.history)
        self.flags.extend(recording.effects.flags)
        for change in recording.effects.changes:  # as the repository's change() records it
            self.authorizations[change.authorization.id] = (
                change.authorization,
                change.expected_version + 1,
            )
            self.audit.append(change.audit)
            self.outbox.extend(change.notifications)
        if recording.record is not None:
            self.exchanges.add(recording.record)
        self.audit.append(recording.audit)
        if recording.effects.authorization is not None:
            self.authorizations[recording.effects.authorization.id] = (
                recording.effects.authorization,
                1,
            )
        self.outbox.extend(recording.effects.notifications)
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

    async def by_source(self, source: str) -> list[Entry]:
        """domain.authorization_ports.LedgerReader."""
        self._check()
        return [entry for entry in self.ledger if entry.source == source]

    async def lines(
        self, member_id: str, since: date, prescriptions: Collection[str]
    ) -> list[HistoryLine]:
        """domain.authorization_ports.ClaimHistoryReader: the member's lines since the day and
        the prescriptions' lines, but a reversed claim's; another patient's without its id."""
        self._check()
        self.history_reads += 1
        reversed_ = {e.source for e in self.ledger if e.kind is EntryKind.REVERSAL}
        return [
            replace(
                line,
                member_id=line.member_id if line.member_id == member_id else None,
                prescription_id=line.prescription_id
                if line.prescription_id in prescriptions
                else None,
            )
            for line in self.claim_lines
            if line.source not in reversed_
            and (
                (line.member_id == member_id and line.service_date >= since)
                or line.prescription_id in prescriptions
            )
        ]

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


class FakeAuthorizations:
    """domain.authorization_ports.AuthorizationStore over a FakeStore's prises en charge and
    exchanges. `lose_next` makes the next change lose to a concurrent one, as a stale version
    would."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.lose_next = False

    async def get(self, authorization_id: str) -> StoredAuthorization | None:
        """A prise en charge by id, whoever it belongs to."""
        self.store._check()
        found = self.store.authorizations.get(authorization_id)
        if found is None:
            return None
        pa, version = found
        record = self.store.exchanges.get(pa.tenant, "preauthorization", pa.id)
        if record is None:
            return StoredAuthorization(pa, version, b"")
        return StoredAuthorization(pa, version, record.request_body, record.request_id)

    async def change(self, change: AuthorizationChange) -> bool:
        """The change, if still at its version: state, answer, audit and notifications."""
        self.store._check()
        pa = change.authorization
        _, version = self.store.authorizations[pa.id]
        if self.lose_next or version != change.expected_version:
            self.lose_next = False
            return False
        self.store.authorizations[pa.id] = (pa, version + 1)
        records = self.store.exchanges.records
        for i, record in enumerate(records):
            if record.id == pa.id:
                records[i] = replace(
                    record, status=pa.status.value, response_body=change.response_body
                )
        self.store.audit.append(change.audit)
        self.store.outbox.extend(change.notifications)
        if change.message is not None:
            self.store.messages[change.message.id] = change.message
        return True

    async def message(self, message_id: str) -> Message | None:
        """A request or an answer by id, a request with its answer's id once answered."""
        self.store._check()
        found = self.store.messages.get(message_id)
        return None if found is None else self._answered(found)

    async def messages(
        self, authorization_id: str, kind: MessageKind | None = None
    ) -> list[Message]:
        """A prise en charge's messages (of one kind), oldest first."""
        self.store._check()
        return sorted(
            (
                self._answered(m)
                for m in self.store.messages.values()
                if m.authorization_id == authorization_id and kind in (None, m.kind)
            ),
            key=lambda m: (m.at, m.id),
        )

    def _answered(self, message: Message) -> Message:
        answer = next(
            (m.id for m in self.store.messages.values() if m.based_on == message.id), None
        )
        return replace(message, answered_by=answer)

    async def queue(self, query: QueueQuery) -> tuple[list[ExchangeRecord], int]:
        """The payer's pending requests, earliest deadline first."""
        pending = sorted(
            (
                pa
                for pa, _ in self.store.authorizations.values()
                if pa.payer == query.payer
                and pa.status.pending
                and (query.overdue_at is None or pa.deadline < query.overdue_at)
            ),
            key=lambda pa: (pa.deadline, pa.id),
        )
        page = pending[query.offset : query.offset + query.limit]
        found = [self.store.exchanges.get(pa.tenant, "preauthorization", pa.id) for pa in page]
        return [r for r in found if r is not None], len(pending)


def render_state(request_body: bytes, authorization: PriorAuthorization, at: object) -> bytes:
    """domain.authorization_ports.AnswerRenderer: what a test can check of an answer rendered
    again."""
    return f"{authorization.id}|{authorization.status.value}|{at}".encode()


def patient_key(member_id: str) -> str:
    """domain.authorization_ports.PatientKey: a key a test can read (the real one is keyed)."""
    return f"key:{member_id}"
