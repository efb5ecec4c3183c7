"""The shape every exchange follows, written once.

    limit the client's rate -> read the request into a command -> replay an Idempotency-Key
    (or wait for the request answering it: domain.services.idempotency) -> decide -> record
    (exchange, audit entry, kept answer: one durable write) -> answer

An exchange (eligibility, prior authorization, claim) brings only its own `decide` step and
the `Form` that reads its request and renders its answer; everything else is here. The rate
limit comes first so that every answer counts against it, replays and refusals included, and
reading a request costs nothing to a client already over its share. A refused request raises a
`DomainError`; the edge answers it and writes its audit entry, since only the edge knows what
was answered (status, code) to whom.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Generic, Protocol, TypeVar

from domain.errors import Conflict, DomainError, NotFound, RateLimited, StaleState
from domain.idempotency_ports import InFlight, Unguarded
from domain.members import PersonIdentifier
from domain.ports import (
    AuditTrail,
    Clock,
    ExchangeRecorder,
    ExchangeStore,
    IdempotencyStore,
    IdGenerator,
    RateLimiter,
)
from domain.records import (
    Answer,
    AuditEntry,
    Effects,
    ExchangeQuery,
    ExchangeRecord,
    IdempotencyKey,
    IdempotentAnswer,
    Recording,
    Rendered,
    Requester,
)
from domain.services import idempotency

# A decision whose grounds keep changing under it is made again this many times at most: each
# new attempt starts from a state another request has just moved on.
DECISIONS_AT_MOST = 5
C = TypeVar("C")  # the exchange's command
R = TypeVar("R", bound="Decided")  # what its decide step returns
F = TypeVar("F")
C_co = TypeVar("C_co", covariant=True)
R_contra = TypeVar("R_contra", contravariant=True)


@dataclass(frozen=True, slots=True)
class Exchange:
    """What names one kind of exchange in records, audit entries and errors."""

    kind: str  # stored with each record: eligibility, preauthorization, claim
    request_type: str  # FHIR resource types, for audit entries and "not found" messages
    response_type: str

    def action(self, verb: str) -> str:
        """The audit action of a step: eligibility.check, eligibility.read, ..."""
        return f"{self.kind}.{verb}"


@dataclass(frozen=True, slots=True)
class ExchangePorts:
    """The ports every exchange needs; the composition root builds them once."""

    limiter: RateLimiter
    idempotency: IdempotencyStore
    recorder: ExchangeRecorder
    audit: AuditTrail
    store: ExchangeStore
    clock: Clock
    new_id: IdGenerator
    # Requests being answered per Idempotency-Key, and how long a retry waits for one's
    # answer; by default the stored answers alone keep a key once.
    in_flight: InFlight = field(default_factory=Unguarded)
    wait_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Stamp:
    """The ids and instant an exchange is recorded under, chosen once it is decided."""

    response_id: str
    request_id: str
    created: datetime


class Decided(Protocol):
    """A decision that says its status (kept with the record, for statistics)."""

    @property
    def status(self) -> str: ...


class Form(Protocol[C_co, R_contra]):
    """A request as the client wrote it: read into a command, and its answer rendered."""

    def read(self, today: date) -> C_co:
        """The command; raises a DomainError when the request is malformed or invalid."""
        ...

    def render(self, result: R_contra, stamp: Stamp) -> Rendered:
        """The stored request and the answer for a decision."""
        ...

    def identifiers(self) -> tuple[PersonIdentifier, ...]:
        """The patient identifiers the request carried (stored, for searches by patient)."""
        ...


@dataclass(frozen=True, slots=True)
class Submission(Generic[F]):
    """One submitted request: who sends it, what it says, and its Idempotency-Key."""

    requester: Requester
    form: F
    key: IdempotencyKey | None = None


async def submit(
    exchange: Exchange,
    submission: Submission[Form[C, R]],
    decide: Callable[[C], Awaitable[R]],
    ports: ExchangePorts,
    effects: Callable[[R, Stamp], Effects] | None = None,
) -> Answer:
    """Run one submission through the pipeline; once per Idempotency-Key.

    `effects` says what the decision changes beyond the exchange's record (a prise en
    charge, the notifications it causes): recorded in the same durable write, or not at all.
    When what the decision was made from changed before it was recorded (another claim used
    the same prise en charge first), nothing is recorded and it is decided again, from the
    new state, a few times at most."""
    requester, key = submission.requester, submission.key
    await throttle(ports, requester)
    command = submission.form.read(ports.clock.now().date())
    if key is None:
        return await _decided(exchange, submission, command, decide, ports, effects)
    tenant = requester.tenant
    found = await idempotency.reserve(
        ports.idempotency, ports.in_flight, tenant, key, wait_seconds=ports.wait_seconds
    )
    if isinstance(found, IdempotentAnswer):
        return await _replay(exchange, ports, requester, found)
    try:
        return await _decided(exchange, submission, command, decide, ports, effects)
    except DomainError:
        # Answered meanwhile under the same key (by a replica, or while the in-flight store
        # could not tell): from a state that answer changed, this decision may be a refusal
        # (the claim paid already); the answer kept for this request is the answer.
        kept = await idempotency.kept(ports.idempotency, tenant, key)
        if kept is None:
            raise
        return await _replay(exchange, ports, requester, kept)
    finally:
        await ports.in_flight.end(found)


async def _decided(
    exchange: Exchange,
    submission: Submission[Form[C, R]],
    command: C,
    decide: Callable[[C], Awaitable[R]],
    ports: ExchangePorts,
    effects: Callable[[R, Stamp], Effects] | None,
) -> Answer:
    """Decide and record, again while what the decision was made from changed meanwhile."""
    requester, key = submission.requester, submission.key
    for attempt in range(1, DECISIONS_AT_MOST + 1):
        result = await decide(command)
        stamp = Stamp(ports.new_id(), ports.new_id(), ports.clock.now())
        rendered = submission.form.render(result, stamp)
        recording = Recording(
            _record(exchange, requester, submission.form, result, stamp, rendered),
            _audit(ports, requester, exchange.action("check"), exchange.response_type, stamp),
            None if key is None else _keep(requester, key, stamp, rendered),
            Effects() if effects is None else effects(result, stamp),
        )
        try:
            stored = await ports.recorder.record(recording)
        except StaleState:
            if attempt == DECISIONS_AT_MOST:
                raise
            continue
        break
    if stored:
        return Answer(rendered.response_body, stamp.response_id, stamp.request_id)
    # A concurrent retry with the same key was recorded first: its answer is the answer.
    kept = None if key is None else await idempotency.kept(ports.idempotency, requester.tenant, key)
    if kept is None:
        raise Conflict("La requête concurrente n'a laissé aucune réponse", code="conflit")
    return await _replay(exchange, ports, requester, kept)


async def read(
    exchange: Exchange, requester: Requester, wanted: str, *, by_request: bool, ports: ExchangePorts
) -> ExchangeRecord:
    """A stored exchange of the requester's, by answer id or by request id (else NotFound)."""
    await throttle(ports, requester)
    if by_request:
        record = await ports.store.get_by_request(requester.tenant, exchange.kind, wanted)
    else:
        record = await ports.store.get(requester.tenant, exchange.kind, wanted)
    if record is None:
        resource = exchange.request_type if by_request else exchange.response_type
        raise NotFound(f"Aucune ressource {resource} avec cet identifiant")
    action = exchange.action("read")
    await ports.audit.append(_entry(ports, requester, action, exchange.response_type, record.id))
    return record


async def search(
    exchange: Exchange,
    requester: Requester,
    query: ExchangeQuery,
    ports: ExchangePorts,
    also: tuple[Exchange, ...] = (),
) -> tuple[list[ExchangeRecord], int]:
    """The requester's stored exchanges matching a query, newest first, and their total;
    `also` adds exchanges answered with the same resources (claims and prises en charge)."""
    await throttle(ports, requester)
    kinds = tuple(other.kind for other in also)
    query = replace(query, tenant=requester.tenant, kind=exchange.kind, also_kinds=kinds)
    found, total = await ports.store.search(query)
    entry = _entry(ports, requester, exchange.action("search"), None, detail=f"{total} résultat(s)")
    await ports.audit.append(entry)
    return found, total


async def throttle(ports: ExchangePorts, requester: Requester) -> None:
    """Count one request of the client's; RateLimited when it is over its share."""
    wait = await ports.limiter.hit(requester.client_id)
    if wait > 0:
        raise RateLimited(wait)


async def _replay(
    exchange: Exchange, ports: ExchangePorts, requester: Requester, kept: IdempotentAnswer
) -> Answer:
    """The kept answer given again, audited as a replay; nothing else is recorded."""
    answer = Answer(kept.body, kept.response_id, kept.request_id, replayed=True)
    action = exchange.action("replay")
    entry = _entry(ports, requester, action, exchange.response_type, answer.response_id)
    await ports.audit.append(entry)
    return answer


def _record(
    exchange: Exchange,
    requester: Requester,
    form: Form[C, R],
    result: R,
    stamp: Stamp,
    rendered: Rendered,
) -> ExchangeRecord:
    return ExchangeRecord(
        id=stamp.response_id,
        kind=exchange.kind,
        tenant=requester.tenant,
        created=stamp.created,
        request_id=stamp.request_id,
        status=result.status,
        patient_ref=rendered.patient_ref,
        patient_identifiers=form.identifiers(),
        request_body=rendered.request_body,
        response_body=rendered.response_body,
    )


def _keep(
    requester: Requester, key: IdempotencyKey, stamp: Stamp, rendered: Rendered
) -> IdempotentAnswer:
    return IdempotentAnswer(
        requester.tenant,
        key.key,
        key.request_hash,
        200,
        rendered.response_body,
        response_id=stamp.response_id,
        request_id=stamp.request_id,
    )


def _audit(
    ports: ExchangePorts, requester: Requester, action: str, resource: str, stamp: Stamp
) -> AuditEntry:
    return _entry(ports, requester, action, resource, stamp.response_id, at=stamp.created)


def _entry(
    ports: ExchangePorts,
    requester: Requester,
    action: str,
    resource: str | None,
    resource_id: str | None = None,
    *,
    detail: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    return AuditEntry(
        at=at or ports.clock.now(),
        action=action,
        outcome=200,
        tenant=requester.tenant,
        client_id=requester.client_id,
        resource=f"{resource}/{resource_id}" if resource and resource_id else None,
        detail=detail,
    )
