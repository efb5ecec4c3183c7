"""What the gateway records and exchanges: plain values that ports take and return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.anomaly_flags import AnomalyFlag
from domain.claim_history import HistoryLine
from domain.ledger import Entry
from domain.members import IdentifierKind, Member, PersonIdentifier
from domain.prior_auth import PriorAuthorization


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

    @property
    def member_id(self) -> str:
        """The registry's id of the member."""
        return self.member.member_id

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The identifiers as (kind, value)."""
        return tuple((i.kind.value, i.value) for i in self.identifiers)


@dataclass(frozen=True, slots=True)
class SealedEntry:
    """A registry entry its storage adapter already encoded (in a worker process, for an
    import): the import still needs its member id (one per batch) and its identifiers (whose
    cached decisions it makes stale); the rest is the adapter's own, opaque here."""

    member_id: str
    pairs: tuple[tuple[str, str], ...]  # the identifiers as (kind, value)
    sealed: object  # only the adapter that sealed it reads it

    @property
    def identifiers(self) -> tuple[PersonIdentifier, ...]:
        """The identifiers as the domain names them."""
        return tuple(PersonIdentifier(_KINDS[kind], value) for kind, value in self.pairs)


_KINDS = {kind.value: kind for kind in IdentifierKind}  # an Enum call costs, per member
# What an import stores: entries read in process, or already sealed by a worker process.
StoredEntry = RegistryEntry | SealedEntry


# The category of a payer's review client (its medical reviewers): it decides the prises en
# charge addressed to its payer and never acts as a provider. Its `inpe` holds the reviewing
# unit's code ("CNSS:CM-CASA"), its `payers` the one payer it reviews for.
REVIEWER_CATEGORY = "payer-reviewer"


class Convention(StrEnum):
    """Where a provider stands in its tiers-payant convention with the payers."""

    ACTIVE = "active"
    SUSPENDED = "suspended"  # suspended by the payers: no tiers payant meanwhile
    TERMINATED = "terminated"  # de-conventioned


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
    active: bool = True  # its client may get tokens (False: the client is disabled)
    convention: Convention = Convention.ACTIVE
    # The SMART scopes its client may be granted; empty: any scope of a resource type the
    # gateway serves, but no wildcard (`system/*.rs` must be registered to be granted).
    scopes: tuple[str, ...] = ()

    @property
    def reviewer(self) -> bool:
        """A payer's review client, not a care provider."""
        return self.category == REVIEWER_CATEGORY

    @property
    def admission(self) -> Admission:
        """Whom it may bill in tiers payant."""
        return Admission(self.payers, self.convention)


@dataclass(frozen=True, slots=True)
class Admission:
    """Whom a provider may bill in tiers payant: the payers it is admitted with, while its
    convention is active."""

    payers: tuple[str, ...]
    convention: Convention = Convention.ACTIVE


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
    also_kinds: tuple[str, ...] = ()  # other kinds searched with it (claims and their PAs)
    patient_ref: str | None = None
    request_id: str | None = None
    record_id: str | None = None  # the answer's own id (a prise en charge's preAuthRef)
    statuses: tuple[str, ...] = ()  # any of these (empty: any)
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
    response_id: str = ""  # the ids the answer was stored under (Location headers on replay)
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class Notification:
    """An event a provider may be told of, committed in the transaction of the change that
    caused it (the outbox); the worker delivers it to the tenant's matching subscriptions."""

    id: str  # the event's id: every delivery of it carries it, receivers deduplicate on it
    tenant: str  # whose resource changed: only its own subscriptions hear of it
    topic: str  # a domain.notifications.Topic value
    focus: str  # the resource it is about, "ClaimResponse/abc": never patient data
    at: datetime


@dataclass(frozen=True, slots=True)
class Effects:
    """What an exchange's decision changes beyond its record: a prise en charge's state, the
    notifications that change causes, ledger entries and the claim lines they make payable."""

    authorization: PriorAuthorization | None = None
    notifications: tuple[Notification, ...] = ()
    # Changes of prises en charge the decision made (a claim line consuming one): all applied
    # with the exchange, or the exchange is not recorded and the decision made again.
    changes: tuple[AuthorizationChange, ...] = ()
    # Ledger entries (a claim made payable, a reversal): recorded once, with the exchange.
    entries: tuple[Entry, ...] = ()
    # The payable lines of a claim made payable (its entry above), which later claims are
    # checked against: recorded with that entry, or not at all.
    history: tuple[HistoryLine, ...] = ()
    # Anomaly flags the decision raised (a line refused for a fraud signal), for the payer's
    # reviewers: recorded with the exchange, or not at all.
    flags: tuple[AnomalyFlag, ...] = ()


@dataclass(frozen=True, slots=True)
class Recording:
    """What one exchange leaves behind: its record, its audit entry, its idempotent answer,
    and its effects, all in one durable write."""

    record: ExchangeRecord | None  # None: an audit entry alone (a read, a refusal)
    audit: AuditEntry
    answer: IdempotentAnswer | None = None
    effects: Effects = Effects()


@dataclass(frozen=True, slots=True)
class Requester:
    """Who asks, as the verified credential says: the tenant comes from here only."""

    tenant: str  # provider id: every record and read is scoped to it
    client_id: str
    admission: Admission | None = None  # None: the credential does not say
    category: str = ""  # pharmacy, gp, specialist, clinic, ... (tariffs depend on it)


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A client's Idempotency-Key and what the request carrying it asked."""

    key: str
    request_hash: str  # the same key with another request is refused


@dataclass(frozen=True, slots=True)
class Rendered:
    """An exchange as the client will read it back: the request and the answer, serialised."""

    request_body: bytes
    response_body: bytes
    patient_ref: str | None = None  # the request's patient reference as written


@dataclass(frozen=True, slots=True)
class Answer:
    """What a submission answers: the response's bytes and the ids it was stored under."""

    body: bytes
    response_id: str
    request_id: str
    replayed: bool = False  # the answer kept for an Idempotency-Key, given again


@dataclass(frozen=True, slots=True)
class StoredAuthorization:
    """A prise en charge as stored: its state, the version a change must start from, and the
    request it answers (to render its answer again)."""

    authorization: PriorAuthorization
    version: int
    request_body: bytes
    request_id: str = ""  # the Claim's id, which the provider knows its request by


class MessageKind(StrEnum):
    """Who speaks in a prise en charge's exchange of information."""

    REQUEST = "request"  # the payer's reviewer asks (a CommunicationRequest)
    ANSWER = "answer"  # the provider answers one request (a Communication)


@dataclass(frozen=True, slots=True)
class Message:
    """A reviewer's request for information on a prise en charge, or the provider's answer.

    Its body (the FHIR resource, which may carry documents about the patient) is encrypted
    at rest; what lists and checks it (ids, parties, instant, reason code) is no patient data."""

    id: str
    authorization_id: str
    kind: MessageKind
    tenant: str  # the provider: the only one that reads the requests and answers them
    payer: str  # whose reviewers ask and read the answers
    at: datetime
    body: bytes
    reason: str = ""  # a request's coded reason (an information reason)
    based_on: str | None = None  # an answer: the request it answers (one answer per request)
    answered_by: str | None = None  # a request: its answer's id once given (found on reading)


@dataclass(frozen=True, slots=True)
class AuthorizationChange:
    """One change of a prise en charge, recorded all at once or not at all: its new state
    (only if still at `expected_version`), its answer rendered again, its audit entry, the
    notifications it causes and the message (question or answer) that made it."""

    authorization: PriorAuthorization
    expected_version: int
    response_body: bytes
    audit: AuditEntry
    notifications: tuple[Notification, ...] = ()
    message: Message | None = None  # a request for information or its answer, stored with it


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """A reviewer's work list: its payer's pending requests, the most urgent first."""

    payer: str
    overdue_at: datetime | None = None  # only those past their deadline at that instant
    limit: int = 50
    offset: int = 0
