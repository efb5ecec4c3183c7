"""The payment-promise clock: when each accepted claim is due, how old and how late it is.

A claim accepted (its ledger entry `claim:<provider>:<claim id>`) is due on the date the
payer's term gives (domain.reference_rows.PaymentTerm, counted from filing in calendar or
working days); it is paid when a ledger payment entry names it among the claims it settles.
Until then it is due, and overdue from the day after its due date. Overdue claims fall into
ageing buckets, and the time from acceptance to payment (claim-to-cash) is summed up per payer
and per provider by its median and 90th percentile, as France's quarterly tiers-payant delay
publication does, but over the ledger as it stands.

Days are dates of the clock's time zone (UTC): a claim accepted at 23:30 UTC counts from that
UTC date.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.money import ZERO, Money
from domain.reference_rows import PaymentTerm
from domain.working_days import WorkingCalendar

SECONDS_PER_DAY = 86_400


class ClaimState(StrEnum):
    """Where an accepted claim stands for its provider."""

    DUE = "due"  # accepted, not yet paid, its due date not passed
    OVERDUE = "overdue"  # accepted, not yet paid, its due date passed
    PAID = "paid"  # a payment entry settles it
    REJECTED = "rejected"  # not payable: nothing was made payable to the provider


@dataclass(frozen=True, slots=True)
class Bucket:
    """A band of days overdue, both ends included (`last` None: no end)."""

    label: str
    first: int
    last: int | None

    def holds(self, days: int) -> bool:
        """Whether a claim that many days overdue falls in this band."""
        return self.first <= days and (self.last is None or days <= self.last)


# The bands of receivables ageing as providers' and payers' accountants read them (30-day
# months): an overdue claim is at least one day overdue, so the first band starts there.
AGEING_BUCKETS = (
    Bucket("0-30", 0, 30),
    Bucket("31-60", 31, 60),
    Bucket("61-90", 61, 90),
    Bucket(">90", 91, None),
)


@dataclass(frozen=True, slots=True)
class AcceptedClaim:
    """A claim made payable to its provider, as the ledger holds it."""

    source: str  # the ledger source: "<provider>:<claim business id>"
    payer: str
    provider: str
    amount: Money  # the payer's share made payable
    accepted_at: datetime
    due: date | None  # None: the payer has no term for it
    paid_at: datetime | None = None
    payment: str | None = None  # the payment entry that settles it ("payment:<id>")

    @property
    def claim_id(self) -> str:
        """The claim's business identifier, as the provider sent it."""
        return self.source.removeprefix(f"{self.provider}:")

    @property
    def paid_month(self) -> str:
        """The month it was paid in (YYYY-MM, UTC), '' while unpaid: claim-to-cash by month."""
        return "" if self.paid_at is None else self.paid_at.astimezone(UTC).strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class Clock:
    """An accepted claim on a given day: its state, age and lateness."""

    claim: AcceptedClaim
    state: ClaimState
    age: int  # days since acceptance (or until payment, once paid)
    overdue: int  # days past the due date, 0 when paid or not yet due
    bucket: str | None  # the ageing band of an overdue claim


@dataclass(frozen=True, slots=True)
class ClockQuery:
    """Which accepted claims to read: one provider's or one payer's (None: any), in some
    states on a day (none: every state), accepted from an instant (included) to another
    (excluded), a page after a claim (its time and entry id)."""

    provider: str | None = None
    payer: str | None = None
    states: tuple[ClaimState, ...] = ()
    today: date = date.min
    after: tuple[datetime, str] | None = None
    limit: int = 100
    accepted_from: datetime | None = None  # included
    accepted_to: datetime | None = None  # excluded


def due_date(filed_on: date, term: PaymentTerm, calendar: WorkingCalendar) -> date:
    """When the payer promises to pay a claim filed on that day, under its term."""
    return calendar.add(filed_on, term.days, term.day_kind)


def days_overdue(due: date | None, today: date) -> int:
    """Days past the due date (0 on the due date itself, or with no due date)."""
    return 0 if due is None else max(0, (today - due).days)


def bucket_of(days: int, buckets: Iterable[Bucket] = AGEING_BUCKETS) -> str | None:
    """The label of the band holding a number of days overdue (None when not overdue)."""
    if days <= 0:
        return None
    return next((b.label for b in buckets if b.holds(days)), None)


def clock(claim: AcceptedClaim, today: date) -> Clock:
    """Where an accepted claim stands on a day."""
    if claim.paid_at is not None:
        age = (claim.paid_at.date() - claim.accepted_at.date()).days
        return Clock(claim, ClaimState.PAID, age, 0, None)
    age = max(0, (today - claim.accepted_at.date()).days)
    late = days_overdue(claim.due, today)
    state = ClaimState.OVERDUE if late else ClaimState.DUE
    return Clock(claim, state, age, late, bucket_of(late))


def nearest_rank(ordered: list[int] | array[int], fraction: Decimal) -> int:
    """The nearest-rank percentile of sorted values: the smallest value with at least that
    fraction of the values at or below it (an observed value, never an interpolation)."""
    if not ordered:
        raise ValueError("aucune valeur")
    rank = max(1, int((fraction * len(ordered)).to_integral_value(rounding="ROUND_CEILING")))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class CashDelay:
    """Claim-to-cash over a group of paid claims, in days to the tenth, and what they paid."""

    key: Hashable
    paid: int  # how many claims
    median: Decimal
    p90: Decimal
    amount: Money = ZERO  # the payer's shares they made payable, paid


MEDIAN, P90 = Decimal("0.5"), Decimal("0.9")


class ClaimToCash:
    """Claim-to-cash delays gathered group by group (a payer, a provider), then summed up.

    Only the delays are kept, as machine integers (8 bytes a claim), not the claims."""

    def __init__(self) -> None:
        self._delays: dict[Hashable, array[int]] = {}
        self._paid: dict[Hashable, int] = {}  # centimes

    def add(
        self, key: Hashable, accepted_at: datetime, paid_at: datetime, amount: Money = Money(0)
    ) -> None:
        """One paid claim of a group, and what it paid."""
        self._paid[key] = self._paid.get(key, 0) + amount.centimes
        # Clocks apart never make a delay negative; a floor of 0 or 1 second reads the same
        # to the tenth of a day, so that choice cannot be tested.
        seconds = max(0, int((paid_at - accepted_at).total_seconds()))  # pragma: no mutate
        # "q" or "Q" alike: a delay is never negative, so that choice cannot be tested.
        self._delays.setdefault(key, array("q")).append(seconds)  # pragma: no mutate

    def summary(self) -> list[CashDelay]:
        """The median and 90th percentile of each group, groups in key order."""
        return [self._delay(key) for key in sorted(self._delays, key=str)]

    def _delay(self, key: Hashable) -> CashDelay:
        ordered = array("q", sorted(self._delays[key]))  # pragma: no mutate (as above)
        median, p90 = nearest_rank(ordered, MEDIAN), nearest_rank(ordered, P90)
        return CashDelay(key, len(ordered), _days(median), _days(p90), Money(self._paid[key]))


def _days(seconds: int) -> Decimal:
    return (Decimal(seconds) / SECONDS_PER_DAY).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class AgeingBand:
    """Overdue claims of a group in one band: how many, and what the payer owes for them."""

    key: Hashable
    bucket: str
    claims: int
    amount: Money


class Ageing:
    """Overdue claims counted and summed per group and band, as they stream by."""

    def __init__(self) -> None:
        self._bands: dict[tuple[Hashable, str], tuple[int, int]] = {}

    def add(self, key: Hashable, line: Clock) -> None:
        """One claim on its clock (ignored unless overdue)."""
        if line.bucket is None:
            return
        count, centimes = self._bands.get((key, line.bucket), (0, 0))
        self._bands[key, line.bucket] = (count + 1, centimes + line.claim.amount.centimes)

    def bands(self, buckets: Iterable[Bucket] = AGEING_BUCKETS) -> list[AgeingBand]:
        """Each group's bands, groups in key order and bands in their order."""
        order = [b.label for b in buckets]
        return [
            AgeingBand(key, label, count, Money(centimes))
            for (key, label), (count, centimes) in sorted(
                self._bands.items(), key=lambda kv: (str(kv[0][0]), order.index(kv[0][1]))
            )
        ]
