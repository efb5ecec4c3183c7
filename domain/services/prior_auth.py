"""The prior-authorization use case (prise en charge): the pipeline's second exchange.

Its own step is the decision: the person's rights on the date of care, then what the rules
can decide at once (domain.rules.prior_auth); what they cannot is queued for the payer's
medical reviewer with the deadline of its kind. The prise en charge is stored with the
exchange, and the notification its decision causes goes to the outbox in the same write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain import prior_auth as pa_states
from domain.authorization_ports import AnswerRenderer, AuthorizationStore, PatientKey
from domain.eligibility import EligibilityStatus
from domain.errors import Conflict, InvalidRequest, NotFound, ReferenceDataError
from domain.members import PersonIdentifier
from domain.money import Money
from domain.notifications import Topic
from domain.ports import IdGenerator, MemberDirectory
from domain.prior_auth import PaStatus, PriorAuthorization
from domain.reasons import DECISION_REASONS
from domain.records import (
    Answer,
    AuditEntry,
    AuthorizationChange,
    Effects,
    ExchangeQuery,
    ExchangeRecord,
    Message,
    Notification,
    QueueQuery,
    Requester,
    StoredAuthorization,
)
from domain.reference import ReferenceData
from domain.rules.prior_auth import AutoDecision, PaRequest, Verdict, decide_request
from domain.rules.rights import decide_eligibility
from domain.services import exchanges
from domain.services.exchanges import Exchange, ExchangePorts, Form, Stamp, Submission

PRIOR_AUTH = Exchange(kind="preauthorization", request_type="Claim", response_type="ClaimResponse")


@dataclass(frozen=True, slots=True)
class RequestPriorAuth:
    """Command: ask the payer's prise en charge for a person's care."""

    identifiers: tuple[PersonIdentifier, ...]
    request: PaRequest
    # Items coded in a system the payer does not read: answered each with a coded reason,
    # never part of what is granted.
    foreign: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PaOutcome:
    """The decision on a request: the prise en charge as it now stands.

    Its id and request instant are those of the exchange's stamp (`stamped`)."""

    authorization: PriorAuthorization
    rights: EligibilityStatus

    @property
    def status(self) -> str:
        """Kept with the exchange's record, for statistics and searches."""
        return self.authorization.status.value

    def stamped(self, stamp: Stamp) -> PriorAuthorization:
        """The prise en charge under the id and instant the exchange is recorded with."""
        return replace(self.authorization, id=stamp.response_id, requested_at=stamp.created)


@dataclass(frozen=True, slots=True)
class Reviewer:
    """A payer's medical reviewer, as its verified credential says: it sees and decides the
    requests addressed to its payer, and only those."""

    payer: str
    client_id: str


@dataclass(frozen=True, slots=True)
class PriorAuthPorts:
    """What the prior-authorization exchange needs beyond the pipeline's ports."""

    exchange: ExchangePorts
    members: MemberDirectory
    authorizations: AuthorizationStore
    render: AnswerRenderer
    patient: PatientKey  # what a prise en charge records of its patient


async def request_prior_auth(
    submission: Submission[Form[RequestPriorAuth, PaOutcome]],
    *,
    ref: ReferenceData,
    ports: PriorAuthPorts,
) -> Answer:
    """Decide what the rules can of a request, queue the rest; record and answer it (once
    per Idempotency-Key). A decision made at once is notified like a reviewer's."""
    tenant = submission.requester.tenant
    clock, new_id = ports.exchange.clock, ports.exchange.new_id

    async def decide(cmd: RequestPriorAuth) -> PaOutcome:
        facts = await ports.members.find(cmd.identifiers)
        rights = decide_eligibility(facts, cmd.request.date_of_care, ref)
        now = clock.now()
        auto = decide_request(cmd.request, rights, ref, now=now)
        pa = PriorAuthorization(
            id="",
            tenant=tenant,
            payer=rights.payer or "",
            pa_type=cmd.request.pa_type,
            lines=cmd.request.lines,
            requested_at=now,
            deadline=auto.deadline,
            date_of_care=cmd.request.date_of_care,
            rules_version=auto.rules_version,
            foreign=cmd.foreign,
            patient=ports.patient(rights.member_id) if rights.member_id else "",
        )
        return PaOutcome(_apply(pa, auto, now), rights.status)

    def effects(outcome: PaOutcome, stamp: Stamp) -> Effects:
        pa = outcome.stamped(stamp)
        notes = () if pa.status.pending else (note(new_id, pa, Topic.PA_DECIDED, stamp.created),)
        return Effects(pa, notes)

    return await exchanges.submit(PRIOR_AUTH, submission, decide, ports.exchange, effects)


def _apply(pa: PriorAuthorization, auto: AutoDecision, now: datetime) -> PriorAuthorization:
    """The rules' verdict applied through the state machine, with all the rules' reasons."""
    if auto.verdict is Verdict.REFUSED:
        return replace(pa_states.refuse(pa, auto.reasons[0], at=now), reasons=auto.reasons)
    if auto.verdict is Verdict.QUEUED or auto.valid_from is None or auto.valid_until is None:
        return replace(pa, reasons=auto.reasons)
    asked = {line.sequence: (line.quantity, line.amount) for line in pa.lines}
    granted = pa_states.grant(
        pa,
        asked,
        valid_from=auto.valid_from,
        valid_until=auto.valid_until,
        at=now,
        provisional=auto.verdict is Verdict.PROVISIONAL,
    )
    return replace(granted, reasons=auto.reasons)


def note(new_id: IdGenerator, pa: PriorAuthorization, topic: Topic, at: datetime) -> Notification:
    """The notification telling the provider of a change of its prise en charge."""
    return Notification(new_id(), pa.tenant, topic.value, f"ClaimResponse/{pa.id}", at)


class ReviewVerdict(StrEnum):
    """What a reviewer decides."""

    GRANT = "grant"  # every line as asked (or as `lines` says: then possibly partial)
    PARTIAL = "partial"  # the lines given, less than asked
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A reviewer's decision on one request, with its coded reason."""

    verdict: ReviewVerdict
    reason: str
    lines: tuple[tuple[int, int, Money], ...] = ()  # (sequence, quantity, amount) granted
    valid_until: date | None = None  # None: the validity of the kind of prise en charge


async def read_answer(
    requester: Requester, response_id: str, *, ports: PriorAuthPorts
) -> ExchangeRecord:
    """A ClaimResponse of the requester's (another's is not found)."""
    return await exchanges.read(
        PRIOR_AUTH, requester, response_id, by_request=False, ports=ports.exchange
    )


async def read_request(
    requester: Requester, request_id: str, *, ports: PriorAuthPorts
) -> ExchangeRecord:
    """A Claim of the requester's (another's is not found)."""
    return await exchanges.read(
        PRIOR_AUTH, requester, request_id, by_request=True, ports=ports.exchange
    )


async def search_answers(
    requester: Requester, query: ExchangeQuery, *, ports: PriorAuthPorts
) -> tuple[list[ExchangeRecord], int]:
    """The requester's prises en charge matching a search, newest first, and their total."""
    return await exchanges.search(PRIOR_AUTH, requester, query, ports.exchange)


async def cancel(requester: Requester, authorization_id: str, *, ports: PriorAuthPorts) -> None:
    """The provider withdraws its request or its grant: nothing can be claimed on it after."""
    await exchanges.throttle(ports.exchange, requester)
    stored = await owned(requester, authorization_id, ports)
    changed = pa_states.cancel(stored.authorization, "annulation-demandeur")
    await commit_change(ports, stored, changed, "cancel", requester.tenant, requester.client_id)


async def status(
    requester: Requester, authorization_id: str, *, ports: PriorAuthPorts
) -> StoredAuthorization:
    """Where the provider's prise en charge stands (a Task `status`), audited as a read."""
    await exchanges.throttle(ports.exchange, requester)
    stored = await owned(requester, authorization_id, ports)
    await ports.exchange.audit.append(
        audit_entry(ports, "status", requester.tenant, requester.client_id, authorization_id)
    )
    return stored


async def review_queue(
    reviewer: Reviewer, query: QueueQuery, *, ports: PriorAuthPorts
) -> tuple[list[ExchangeRecord], int]:
    """The reviewer's payer's pending requests, the most urgent first (never another's)."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    found = await ports.authorizations.queue(replace(query, payer=reviewer.payer))
    entry = audit_entry(
        ports, "queue", None, reviewer.client_id, None, detail=f"{found[1]} en attente"
    )
    await ports.exchange.audit.append(entry)
    return found


async def review_read(
    reviewer: Reviewer, authorization_id: str, *, ports: PriorAuthPorts
) -> StoredAuthorization:
    """A request addressed to the reviewer's payer (another payer's is not found)."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    stored = await addressed(reviewer, authorization_id, ports)
    await ports.exchange.audit.append(
        audit_entry(ports, "review-read", None, reviewer.client_id, authorization_id)
    )
    return stored


async def decide(
    reviewer: Reviewer,
    authorization_id: str,
    decision: ReviewDecision,
    *,
    ref: ReferenceData,
    ports: PriorAuthPorts,
) -> PriorAuthorization:
    """A reviewer's decision, with its coded reason; the provider is notified."""
    await exchanges.throttle(ports.exchange, as_requester(reviewer))
    _known_reason(decision.reason)
    stored = await addressed(reviewer, authorization_id, ports)
    pa, now = stored.authorization, ports.exchange.clock.now()
    if decision.verdict is ReviewVerdict.REFUSE:
        changed = pa_states.refuse(pa, decision.reason, at=now)
    else:
        changed = _granted(pa, decision, ref, now)
    changed = replace(changed, rules_version=ref.version)
    await commit_change(
        ports, stored, changed, "decide", None, reviewer.client_id, topic=Topic.PA_DECIDED
    )
    return changed


def _granted(
    pa: PriorAuthorization, decision: ReviewDecision, ref: ReferenceData, now: datetime
) -> PriorAuthorization:
    """The lines a reviewer grants (all as asked when it names none), valid from the date of
    care for the validity of its kind unless the reviewer says otherwise."""
    day = pa.date_of_care or now.date()
    until = decision.valid_until
    if until is None:
        kind = ref.pa_type(pa.pa_type, day)
        if kind is None:
            raise ReferenceDataError(
                f"Aucune validité en vigueur au {day.isoformat()} pour le type de prise en charge "
                f"« {pa.pa_type} » : indiquez validUntil"
            )
        until = day + timedelta(days=kind.validity_days - 1)
    if decision.lines:
        lines = {seq: (quantity, amount) for seq, quantity, amount in decision.lines}
    else:
        lines = {line.sequence: (line.quantity, line.amount) for line in pa.lines}
    granted = pa_states.grant(
        pa, lines, valid_from=day, valid_until=until, at=now, reason=decision.reason
    )
    if decision.verdict is ReviewVerdict.PARTIAL and granted.status is not PaStatus.PARTIAL:
        raise InvalidRequest(
            "Un accord partiel accorde moins que demandé : sinon, accorder",
            code="accord-partiel-incoherent",
        )
    return granted


def _known_reason(reason: str) -> None:
    if reason not in DECISION_REASONS:
        raise InvalidRequest(
            f"Motif inconnu : « {reason[:64]} » (voir le CodeSystem reason)",
            code="motif-inconnu",
        )


async def owned(
    requester: Requester, authorization_id: str, ports: PriorAuthPorts
) -> StoredAuthorization:
    """The requester's prise en charge (another's is not found)."""
    stored = await ports.authorizations.get(authorization_id)
    if stored is None or stored.authorization.tenant != requester.tenant:
        raise NotFound("Aucune prise en charge avec cet identifiant")
    return stored


async def addressed(
    reviewer: Reviewer, authorization_id: str, ports: PriorAuthPorts
) -> StoredAuthorization:
    """A prise en charge addressed to the reviewer's payer (another payer's is not found)."""
    stored = await ports.authorizations.get(authorization_id)
    if stored is None or stored.authorization.payer != reviewer.payer:
        raise NotFound("Aucune prise en charge avec cet identifiant pour ce payeur")
    return stored


async def commit_change(
    ports: PriorAuthPorts,
    stored: StoredAuthorization,
    changed: PriorAuthorization,
    verb: str,
    tenant: str | None,
    client_id: str,
    *,
    topic: Topic | None = None,
    message: Message | None = None,
    at: datetime | None = None,
    detail: str = "",
) -> None:
    """Record a change, its answer rendered again, its audit entry, notification and the
    message that made it, all at once (Conflict when the prise en charge changed meanwhile)."""
    now = at or ports.exchange.clock.now()
    body = ports.render(stored.request_body, changed, now)
    entry = audit_entry(ports, verb, tenant, client_id, changed.id, at=now, detail=detail)
    notes = () if topic is None else (note(ports.exchange.new_id, changed, topic, now),)
    change = AuthorizationChange(changed, stored.version, body, entry, notes, message)
    if not await ports.authorizations.change(change):
        raise Conflict(
            "La prise en charge a changé entre-temps : relisez-la, puis recommencez",
            code="modification-concurrente",
        )


def audit_entry(
    ports: PriorAuthPorts,
    verb: str,
    tenant: str | None,
    client_id: str,
    authorization_id: str | None,
    *,
    detail: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """The audit entry of one step on a prise en charge."""
    return AuditEntry(
        at=at or ports.exchange.clock.now(),
        action=PRIOR_AUTH.action(verb),
        outcome=200,
        tenant=tenant,
        client_id=client_id,
        resource=None if authorization_id is None else f"ClaimResponse/{authorization_id}",
        detail=detail,
    )


def as_requester(reviewer: Reviewer) -> Requester:
    """A reviewer counted against the rate limit like any client."""
    return Requester(tenant=f"payer:{reviewer.payer}", client_id=reviewer.client_id)
