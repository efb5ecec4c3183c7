"""The provider's statement: what is due to it (and when), overdue, paid (by which transfer),
and rejected (claims answered with nothing payable, with their reasons).

Every read is scoped to the requester's own claims: another provider's are never selected, so
they are as good as absent. Accepted claims come from the ledger (domain.payment_clock),
rejected ones from the stored claim exchanges; both are read a page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.clock_ports import ClaimClockReader
from domain.errors import InvalidRequest
from domain.payment_clock import CashDelay, ClaimState, Clock, ClockQuery, clock
from domain.ports import Clock as TimeSource
from domain.ports import ExchangeStore
from domain.records import ExchangeQuery, ExchangeRecord, Requester

ACCEPTED_STATES = (ClaimState.DUE, ClaimState.OVERDUE, ClaimState.PAID)
NOT_PAYABLE = "not-payable"  # the status a claim exchange is kept with when nothing is payable
CLAIM_KIND = "claim"


@dataclass(frozen=True, slots=True)
class StatementPorts:
    """What the statement reads."""

    claims: ClaimClockReader
    exchanges: ExchangeStore
    clock: TimeSource


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts: after an accepted claim (its time and entry id), or at an offset
    of the rejected claims."""

    after: tuple[datetime, str] | None = None
    offset: int = 0


@dataclass(frozen=True, slots=True)
class StatementQuery:
    """A page of the statement: some states (all accepted ones by default), one payer's,
    the claims filed from a day to another (both included).

    "This month's claims", to a provider's accountant, are the claims it billed this month:
    the day a claim was filed, which the ledger keeps as the instant it was accepted (or a
    rejected claim's answer was given). It is the day its revenue is booked on and the day
    the payer's payment term counts from; at a pharmacy's counter it is also the day of care,
    the claim being sent as the drugs are dispensed. Not the due date: that one moves with
    the payer's term and its working days, and says when cash is expected, which the due and
    overdue states already answer. Not the day of care either: a stay's lines span several
    days, and the ledger, which the statement reads, keeps none. Days are UTC dates, as the
    payment clock counts them."""

    states: tuple[ClaimState, ...] = ACCEPTED_STATES
    payer: str | None = None
    limit: int = 100
    cursor: Cursor = Cursor()
    filed_from: date | None = None  # included
    filed_to: date | None = None  # included

    def instants(self) -> tuple[datetime | None, datetime | None]:
        """The days as instants: from the first one's start (included) to the start of the
        day after the last one (excluded)."""
        start = None if self.filed_from is None else _midnight(self.filed_from)
        end = None if self.filed_to is None else _midnight(self.filed_to + timedelta(days=1))
        return start, end


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class StatementPage:
    """One page: accepted claims on their clock, or rejected claims' stored answers."""

    today: date
    lines: tuple[Clock, ...] = ()
    rejected: tuple[ExchangeRecord, ...] = ()
    next: Cursor | None = None  # where the next page starts (None: this is the last)


async def statement_page(
    requester: Requester, query: StatementQuery, *, ports: StatementPorts
) -> StatementPage:
    """A page of the requester's statement."""
    today = ports.clock.now().date()
    if ClaimState.REJECTED in query.states:
        if len(set(query.states)) > 1:
            raise InvalidRequest(
                "Les demandes rejetées se consultent seules (state=rejected), sans autre état"
            )
        return await _rejected(requester, query, today, ports)
    start, end = query.instants()
    wanted = ClockQuery(
        requester.tenant, query.payer, query.states, today, query.cursor.after, query.limit + 1,
        accepted_from=start, accepted_to=end,
    )  # fmt: skip
    found = await ports.claims.page(wanted)
    shown = found[: query.limit]
    more = len(found) > query.limit
    last = shown[-1] if shown else None
    after = None if last is None else (last.accepted_at, f"claim:{last.source}")
    cursor = Cursor(after=after) if more else None
    return StatementPage(today, tuple(clock(c, today) for c in shown), next=cursor)


async def _rejected(
    requester: Requester, query: StatementQuery, today: date, ports: StatementPorts
) -> StatementPage:
    offset = query.cursor.offset
    start, end = query.instants()
    records, total = await ports.exchanges.search(
        ExchangeQuery(requester.tenant, CLAIM_KIND, statuses=(NOT_PAYABLE,), created_from=start,
                      created_to=end, limit=query.limit, offset=offset)
    )  # fmt: skip
    more = offset + len(records) < total
    cursor = Cursor(offset=offset + len(records)) if more and records else None
    return StatementPage(today, rejected=tuple(records), next=cursor)


BY_MONTH = "paid_month"  # claim-to-cash grouped by the month the claims were paid in


async def claim_to_cash(requester: Requester, by: str, *, ports: StatementPorts) -> list[CashDelay]:
    """The requester's own claim-to-cash and what it was paid, per payer (`by` = "payer") or
    per month of payment (`by` = BY_MONTH, months in order)."""
    # No day: claim-to-cash reads paid claims only, and a paid claim's state is the same
    # whatever the day (domain.payment_clock.clock).
    return await ports.claims.delays(ClockQuery(requester.tenant), by)
