"""The ports of prises en charge and claims: their state, their answers, the ledger.

Split from domain/ports.py as domain/subscription_ports.py is: the unit of work names the
repositories, the use cases of domain/services/ await the stores.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from typing import Protocol

from domain.anomaly_flags import (
    AnomalyFlag,
    FlagQuery,
    InsuredFigures,
    Period,
    ProviderFigures,
)
from domain.claim_history import HistoryLine
from domain.claims import StoredClaim
from domain.ledger import Entry
from domain.money import Money
from domain.prior_auth import PriorAuthorization
from domain.records import (
    AuthorizationChange,
    ExchangeRecord,
    Message,
    MessageKind,
    QueueQuery,
    StoredAuthorization,
)


class Ledger(Protocol):
    """The ledger's entries, each id recorded once."""

    def add_many(self, entries: Sequence[Entry]) -> None:
        """Record entries; AlreadyRecorded, and none of them, if one was recorded before."""
        ...

    def insert_many(self, entries: Sequence[Entry]) -> None:
        """Record entries whose ids are new (one recorded meanwhile fails the store's write)."""
        ...

    def recorded(self, ids: Collection[str]) -> set[str]:
        """Which of these entry ids are recorded."""
        ...

    def by_source(self, source: str) -> list[Entry]:
        """The entries recording a claim."""
        ...

    def balance(self, account: str) -> Money:
        """What an account holds: debits less credits."""
        ...


class ClaimLineRepository(Protocol):
    """The lines of claims made payable (the claim history), each claim's once."""

    def add_many(self, lines: Sequence[HistoryLine]) -> None:
        """Record the payable lines of claims, with the entries that make them payable."""
        ...

    def history(
        self, member_id: str, since: date, prescriptions: Collection[str]
    ) -> list[HistoryLine]:
        """The member's lines served on or after `since`, and every line of these
        prescriptions whoever's and whenever, but those of claims reversed in the ledger."""
        ...


class AnomalyFlagRepository(Protocol):
    """A payer's anomaly flags, for its reviewers only."""

    def add_many(self, flags: Sequence[AnomalyFlag]) -> None:
        """Record rule flags, with the claim that raised them."""
        ...

    def replace_statistical(self, payer: str, flags: Sequence[AnomalyFlag]) -> None:
        """Make these the payer's current statistical flags (one per subject and figure)."""
        ...

    def search(self, query: FlagQuery) -> tuple[list[AnomalyFlag], int]:
        """The payer's flags matching the query, newest first, and how many match."""
        ...

    def get(self, payer: str, flag_id: str) -> AnomalyFlag | None:
        """One of the payer's flags (another payer's: None)."""
        ...


class ProfileStore(Protocol):
    """A payer's consumption figures over a period, computed by the database: one row per
    subject, streamed (never the lines themselves)."""

    """Figures computed by the database, one row per subject, streamed."""

    def payers(self) -> list[str]: ...

    def providers(self, payer: str, period: Period) -> Iterator[ProviderFigures]: ...

    def insured(self, payer: str, period: Period) -> Iterator[InsuredFigures]: ...


class AuthorizationRepository(Protocol):
    """Prises en charge and their state, changed only by compare-and-set on their version."""

    def add_many(self, authorizations: Sequence[PriorAuthorization]) -> None:
        """Store new prises en charge (version 1)."""
        ...

    def get(self, authorization_id: str) -> StoredAuthorization | None:
        """A prise en charge by id, with its version and the request it answers."""
        ...

    def change(self, change: AuthorizationChange) -> bool:
        """Apply a change if the prise en charge is still at the version it started from:
        its state, its answer, its audit entry, notifications and message (False: nothing
        done)."""
        ...

    def message(self, message_id: str) -> Message | None:
        """A request for information or an answer, by id, whoever it belongs to."""
        ...

    def messages(self, authorization_id: str, kind: MessageKind | None = None) -> list[Message]:
        """A prise en charge's requests and answers (or those of one kind), oldest first."""
        ...

    def queue(self, query: QueueQuery) -> tuple[list[ExchangeRecord], int]:
        """A payer's pending requests, earliest deadline first, and their total."""
        ...

    def expiring(self, today: date, limit: int) -> list[StoredAuthorization]:
        """Usable prises en charge whose last valid day is before `today`."""
        ...

    def overdue(self, now: datetime, limit: int) -> list[StoredAuthorization]:
        """Pending requests past their deadline at `now`, not yet flagged."""
        ...

    def page(self, after: str, limit: int) -> list[StoredAuthorization]:
        """Every prise en charge by id, from the first after `after` (maintenance)."""
        ...

    def record_patient(self, stored: StoredAuthorization, patient: str) -> bool:
        """Record the patient's key of a prise en charge still at its version, nothing else
        changing; False when it changed meanwhile."""
        ...


class AuthorizationStore(Protocol):
    """Prises en charge as the use cases read and change them."""

    async def get(self, authorization_id: str) -> StoredAuthorization | None:
        """A prise en charge by id, whoever it belongs to (the use case checks who asks)."""
        ...

    async def change(self, change: AuthorizationChange) -> bool:
        """Record a change; False when the prise en charge changed meanwhile (nothing done)."""
        ...

    async def message(self, message_id: str) -> Message | None:
        """A request for information or an answer, by id, whoever it belongs to."""
        ...

    async def messages(
        self, authorization_id: str, kind: MessageKind | None = None
    ) -> list[Message]:
        """A prise en charge's requests and answers (or those of one kind), oldest first."""
        ...

    async def queue(self, query: QueueQuery) -> tuple[list[ExchangeRecord], int]:
        """A payer's pending requests, earliest deadline first, and their total."""
        ...


class LedgerReader(Protocol):
    """The ledger as the use cases read it."""

    async def by_source(self, source: str) -> list[Entry]:
        """The entries recording a claim."""
        ...


class ClaimHistoryReader(Protocol):
    """The claim history as the claim use case reads it: one read per claim."""

    async def lines(
        self, member_id: str, since: date, prescriptions: Collection[str]
    ) -> list[HistoryLine]:
        """The member's lines served on or after `since`, and every line of these
        prescriptions whoever's and whenever, but those of claims reversed in the ledger."""
        ...


class AnswerRenderer(Protocol):
    """Renders a prise en charge's answer again, from the request it answers."""

    def __call__(
        self, request_body: bytes, authorization: PriorAuthorization, at: datetime
    ) -> bytes:
        """The answer's bytes for the prise en charge as it now stands."""
        ...


class PatientKey(Protocol):
    """The key a prise en charge records of its patient: a keyed blind index of the member
    id, the same member always giving the same key, which tells nothing of the member."""

    def __call__(self, member_id: str) -> str:
        """The member's key (never empty)."""
        ...


class StoredClaimReader(Protocol):
    """Reads back what the use cases need of a claim as it was stored (its Claim's bytes)."""

    def __call__(self, request_body: bytes) -> StoredClaim:
        """Its business identifier, the prises en charge it cites, the claim it corrects."""
        ...


class MessageComposer(Protocol):
    """Writes a request for information or an answer (the FHIR resource), knowing nothing
    of storage: given the prise en charge it is about, its new id and the instant."""

    def __call__(self, stored: StoredAuthorization, message_id: str, at: datetime) -> bytes:
        """The message's body as it is stored and read back."""
        ...
