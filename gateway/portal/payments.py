"""The provider's payments page: its statement (due, overdue, paid, rejected claims) and its
transfers, read through the API's own use cases with the person's organization as requester.

The statement's page and the transfers' page each carry their own paging token, the API's
(`_page` of `ClaimResponse/$statement` and of `PaymentReconciliation`): nothing here decides a
state, a due date or an ageing band, it only says them in the person's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.errors import InvalidRequest
from domain.money import Money
from domain.payment_clock import ClaimState, Clock
from domain.payment_records import TransferRecord, TransferStatus
from domain.records import Requester
from domain.services import payments, statement
from domain.services.payments import PaymentPorts
from domain.services.statement import ACCEPTED_STATES, StatementPorts, StatementQuery
from domain.transfer_ports import TransferQuery
from fhir_profiles.statement import rejections
from gateway.payment_search import position_of
from gateway.payment_search import token as transfer_token
from gateway.portal.claims import reason
from gateway.portal.formats import start_of, typed_day
from gateway.routes.statement import cursor_of
from gateway.routes.statement import token as statement_token
from gateway.search import InvalidSearch

PAGE = 25  # lines a page shows
STATES = ("", *(s.value for s in ClaimState))  # "": every accepted claim
PAYERS = ("CNSS", "CNOPS")
PAYMENT = "payment:"  # the ledger's payment entries are named after their transfer


@dataclass(frozen=True, slots=True)
class PaymentsQuery:
    """What the person filters on: the claims' state, a payer, the transfers' days."""

    state: str = ""
    payer: str = ""
    since: date | None = None  # transfers created from that day (included)
    until: date | None = None  # to that day (included)
    filed_from: date | None = None  # claims filed from that day (included)
    filed_to: date | None = None  # to that day (included)
    page: str | None = None  # the statement's paging token
    after: str | None = None  # the transfers' paging token

    @classmethod
    def of(cls, params: dict[str, str]) -> PaymentsQuery:
        """The query from a page's parameters; what cannot be read is left out."""
        state = params.get("state", "")
        payer = params.get("payer", "")
        return cls(
            state=state if state in STATES else "",
            payer=payer if payer in PAYERS else "",
            since=typed_day(params.get("from")),
            until=typed_day(params.get("to")),
            filed_from=typed_day(params.get("filed-from")),
            filed_to=typed_day(params.get("filed-to")),
            page=params.get("page") or None,
            after=params.get("after") or None,
        )

    def link(self, **changed: str | None) -> dict[str, str]:
        """The parameters of this query with some changed (a next page)."""
        values = {"state": self.state, "payer": self.payer,
                  "from": self.since.isoformat() if self.since else "",
                  "to": self.until.isoformat() if self.until else "",
                  "filed-from": self.filed_from.isoformat() if self.filed_from else "",
                  "filed-to": self.filed_to.isoformat() if self.filed_to else ""}  # fmt: skip
        return {k: v for k, v in {**values, **changed}.items() if v}


@dataclass(frozen=True, slots=True)
class Line:
    """A claim of the statement, as the page shows it."""

    claim: str
    state: str
    payer: str = ""
    amount: Money | None = None
    received: datetime | None = None  # accepted (or received, when rejected)
    due: date | None = None
    age: int | None = None
    overdue: int = 0
    bucket: str = ""
    paid: datetime | None = None
    transfer: str = ""  # the end-to-end id of the transfer that paid it
    reasons: tuple[dict[str, str], ...] = ()  # rejected: each reason and its next step


@dataclass(frozen=True, slots=True)
class Statement:
    """A page of the statement, and the token of the next one."""

    today: date
    lines: tuple[Line, ...] = ()
    next: str | None = None
    transfers: tuple[TransferRecord, ...] = ()
    transfers_next: str | None = None
    errors: tuple[str, ...] = field(default=())


async def read(
    who: Requester, query: PaymentsQuery, lang: str, *, ports: StatementPorts,
    transfers: PaymentPorts,
) -> Statement:  # fmt: skip
    """The statement's page and the transfers' page the query asks for."""
    errors: list[str] = []
    try:
        claims = await _statement(who, query, lang, ports)
    except InvalidRequest:  # a token from elsewhere: back to the first page
        errors.append("page")
        claims = await _statement(who, PaymentsQuery.of(query.link()), lang, ports)
    try:
        found = await payments.search_transfers(who, _transfers(query), ports=transfers)
    except InvalidSearch:
        errors.append("page")
        found = await payments.search_transfers(who, _transfers(PaymentsQuery.of(query.link())),
                                                ports=transfers)  # fmt: skip
    after = None if found.next is None else transfer_token(found.next)
    return Statement(claims.today, claims.lines, claims.next, found.records, after, tuple(errors))


async def _statement(
    who: Requester, query: PaymentsQuery, lang: str, ports: StatementPorts
) -> Statement:
    states = (ClaimState(query.state),) if query.state else ACCEPTED_STATES
    wanted = StatementQuery(states, query.payer or None, PAGE, cursor_of(query.page),
                            query.filed_from, query.filed_to)  # fmt: skip
    found = await statement.statement_page(who, wanted, ports=ports)
    lines = [accepted(line) for line in found.lines]
    lines += [
        Line(r.claim_id, ClaimState.REJECTED.value, received=r.created,
             reasons=tuple(reason(code, lang) for code, _ in r.reasons))
        for r in rejections(found.rejected)
    ]  # fmt: skip
    after = None if found.next is None else statement_token(found.next)
    return Statement(found.today, tuple(lines), after)


def accepted(line: Clock) -> Line:
    """An accepted claim on its clock."""
    claim = line.claim
    transfer = (claim.payment or "").removeprefix(PAYMENT)
    return Line(claim.claim_id, line.state.value, claim.payer, claim.amount, claim.accepted_at,
                claim.due, line.age, line.overdue, line.bucket or "", claim.paid_at,
                transfer)  # fmt: skip


def _transfers(query: PaymentsQuery) -> TransferQuery:
    until = None if query.until is None else query.until + timedelta(days=1)
    return TransferQuery(
        provider="",  # the use case sets the requester's own
        payer=query.payer or None,
        created_from=start_of(query.since),
        created_to=start_of(until),
        limit=PAGE,
        after=position_of(query.after),
    )


async def transfer(who: Requester, transfer_id: str, *, ports: PaymentPorts) -> TransferRecord:
    """One of the organization's transfers (another's is not found)."""
    return await payments.read_transfer(who, transfer_id, ports=ports)


def status_key(record: TransferRecord) -> str:
    """The catalogue's key of a transfer's status."""
    return f"transfer.{record.status.value}"


def bank_reason(record: TransferRecord) -> str:
    """The bank's reason code of a returned transfer ('' otherwise)."""
    return record.reason or "" if record.status is TransferStatus.REJECTED else ""
