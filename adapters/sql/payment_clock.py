"""The payment-promise clock read from the ledger, page by page, never all claims at once.

An accepted claim is a `claim` entry with no `reversal:` twin; its payable credit names its
payer and provider (`payable:<payer>:<provider>`); the payment that settles it is the
`payment` entry on the same payable account whose source (the claims it settles,
space-separated) names it, unless the bank returned it (a `rejection:` twin). That last
match is a substring test on the few payments of one account, so it stays a join in SQL:
nothing is gathered in Python but the page asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.orm import Session

from adapters.sql.reads import SqlReads
from adapters.sql.tables import LedgerEntryRow, LedgerPostingRow
from adapters.sql.uow import SqlUnitOfWork
from domain.ledger import EntryKind
from domain.money import Money
from domain.payment_clock import (
    AcceptedClaim,
    Ageing,
    AgeingBand,
    CashDelay,
    ClaimState,
    ClaimToCash,
    ClockQuery,
    clock,
)

ENTRY = LedgerEntryRow.__table__
POSTING = LedgerPostingRow.__table__
PAYABLE = "payable:"
BATCH = 1_000  # rows fetched at a time when streaming


class ClaimClockQueries:
    """The statements over one session; it never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect.name

    def page(self, query: ClockQuery) -> list[AcceptedClaim]:
        """One page of accepted claims, oldest first, after `query.after`."""
        statement = self._accepted(query).limit(query.limit)
        return [_claim(row) for row in self._session.execute(statement)]

    def stream(self, query: ClockQuery) -> Iterator[AcceptedClaim]:
        """Every accepted claim the query selects, fetched a batch at a time."""
        rows = self._session.execute(self._accepted(query), execution_options={"yield_per": BATCH})
        for row in rows:
            yield _claim(row)

    def delays(self, query: ClockQuery, by: str) -> list[CashDelay]:
        """Claim-to-cash per payer (`by` = "payer") or per provider of the paid claims."""
        delays = ClaimToCash()
        paid = ClockQuery(query.provider, query.payer, (ClaimState.PAID,), query.today)
        for claim in self.stream(paid):
            assert claim.paid_at is not None
            delays.add(getattr(claim, by), claim.accepted_at, claim.paid_at, claim.amount)
        return delays.summary()

    def ageing(self, query: ClockQuery, by: str) -> list[AgeingBand]:
        """The overdue claims per payer (`by` = "payer") or per provider, in ageing bands."""
        ageing = Ageing()
        overdue = ClockQuery(query.provider, query.payer, (ClaimState.OVERDUE,), query.today)
        for claim in self.stream(overdue):
            ageing.add(getattr(claim, by), clock(claim, query.today))
        return ageing.bands()

    def _accepted(self, query: ClockQuery) -> Select[Any]:
        claim, credit = ENTRY.alias("c"), POSTING.alias("p")
        undone = ENTRY.alias("r")
        paid_id, paid_at = self._payment(claim, credit)
        statement = (
            select(
                claim.c.id,
                claim.c.source,
                claim.c.at,
                claim.c.due,
                credit.c.account,
                credit.c.amount_centimes,
                paid_id.label("paid_id"),
                paid_at.label("paid_at"),
            )
            .select_from(
                claim.join(
                    credit, and_(credit.c.entry_id == claim.c.id, credit.c.amount_centimes < 0)
                )
            )
            .where(claim.c.kind == EntryKind.CLAIM.value)
            .where(
                ~select(undone.c.id)
                .where(undone.c.id == literal("reversal:") + claim.c.id)
                .exists()
            )
            .order_by(claim.c.at, claim.c.id)
        )
        if query.provider is not None:  # a source is "<provider>:<claim id>": a range of it
            prefix = f"{query.provider}:"
            statement = statement.where(claim.c.source >= prefix, claim.c.source < _next(prefix))
        if query.payer is not None:
            prefix = f"{PAYABLE}{query.payer}:"
            statement = statement.where(
                credit.c.account >= prefix, credit.c.account < _next(prefix)
            )
        if query.accepted_from is not None:
            statement = statement.where(claim.c.at >= query.accepted_from)
        if query.accepted_to is not None:
            statement = statement.where(claim.c.at < query.accepted_to)
        if query.after is not None:
            at, entry_id = query.after
            statement = statement.where(
                or_(claim.c.at > at, and_(claim.c.at == at, claim.c.id > entry_id))
            )
        if query.states:
            statement = statement.where(or_(*_states(query, claim, paid_id)))
        return statement

    def _payment(self, claim: Any, credit: Any) -> tuple[Any, Any]:
        """The id and time of the payment on the claim's payable account naming it."""
        pay, debit, undone = ENTRY.alias("pay"), POSTING.alias("d"), ENTRY.alias("rej")
        returned = select(undone.c.id).where(undone.c.id == literal("rejection:") + pay.c.id)
        names = self._contains(
            literal(" ") + pay.c.source + " ", literal(" ") + claim.c.source + " "
        )
        found = (
            select(pay.c.id, pay.c.at)
            .join(debit, debit.c.entry_id == pay.c.id)
            .where(pay.c.kind == EntryKind.PAYMENT.value, debit.c.account == credit.c.account)
            .where(debit.c.amount_centimes > 0, names, ~returned.exists())
            .order_by(pay.c.at, pay.c.id)
            .limit(1)
        )
        return (
            found.with_only_columns(pay.c.id).scalar_subquery(),
            found.with_only_columns(pay.c.at).scalar_subquery(),
        )

    def _contains(self, haystack: Any, needle: Any) -> ColumnElement[bool]:
        """A plain substring test (LIKE would read `_` and `%` in claim ids as wildcards)."""
        if self._dialect == "postgresql":
            return func.strpos(haystack, needle) > 0
        return func.instr(haystack, needle) > 0


def _states(query: ClockQuery, claim: Any, paid_id: Any) -> list[ColumnElement[bool]]:
    unpaid = paid_id.is_(None)
    chosen = {
        ClaimState.PAID: paid_id.is_not(None),
        ClaimState.OVERDUE: and_(unpaid, claim.c.due < query.today),
        ClaimState.DUE: and_(unpaid, or_(claim.c.due.is_(None), claim.c.due >= query.today)),
    }
    return [chosen[state] for state in query.states if state in chosen]


def _next(prefix: str) -> str:
    """The smallest string after every string that starts with the prefix."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _claim(row: Any) -> AcceptedClaim:
    payer, provider = row.account.removeprefix(PAYABLE).split(":", 1)
    return AcceptedClaim(
        row.source, payer, provider, Money(-row.amount_centimes), row.at, row.due,
        row.paid_at, row.paid_id,
    )  # fmt: skip


class SqlClaimClock:
    """domain.clock_ports.ClaimClockReader: the clock read in worker threads."""

    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def page(self, query: ClockQuery) -> list[AcceptedClaim]:
        """One page of accepted claims."""
        return await self._reads.run(lambda uow: _queries(uow).page(query))

    async def delays(self, query: ClockQuery, by: str) -> list[CashDelay]:
        """Claim-to-cash per payer or per provider."""
        return await self._reads.run(lambda uow: _queries(uow).delays(query, by))


def _queries(uow: object) -> ClaimClockQueries:
    return ClaimClockQueries(cast(SqlUnitOfWork, uow).session)
