"""The payment-promise clock read from the ledger (SQLite and PostgreSQL): due, overdue and
paid claims per provider and payer, a page at a time, and claim-to-cash from the payments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from adapters.sql.payment_clock import ClaimClockQueries
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.ledger import Entry, claim_accepted, payment, reversal
from domain.money import Money
from domain.payment_clock import ClaimState, ClockQuery

DAY0 = datetime(2026, 7, 1, 9, tzinfo=UTC)
TODAY = date(2026, 8, 10)
PHARMACY, CLINIC = "org-ph_1", "org-cl%2"  # wildcards of LIKE, taken as plain letters


def claim(provider: str, claim_id: str, day: int, due: date | None, payer: str = "CNSS") -> Entry:
    entry = claim_accepted(
        f"{provider}:{claim_id}", payer=payer, provider=provider, benefit=Money(10_000 + day),
        at=DAY0 + timedelta(days=day), due=due,
    )  # fmt: skip
    assert entry is not None
    return entry


def paid(pay_id: str, provider: str, *claims: Entry, day: int, payer: str = "CNSS") -> Entry:
    return payment(
        pay_id, payer=payer, provider=provider, claims=tuple(c.source for c in claims),
        amount=Money(sum(-c.postings[1].amount.centimes for c in claims)),
        at=DAY0 + timedelta(days=day),
    )  # fmt: skip


def record(uow_factory: SqlUnitOfWorkFactory, *entries: Entry) -> None:
    with uow_factory() as uow:
        uow.ledger.add_many(entries)
        uow.commit()


def read(uow_factory: SqlUnitOfWorkFactory, query: ClockQuery) -> list[tuple[str, object]]:
    with uow_factory() as uow:
        rows = ClaimClockQueries(uow.session).page(query)
    return [(c.claim_id, c.payment) for c in rows]


class TestStatement:
    def world(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        a = claim(PHARMACY, "F-1", 0, date(2026, 7, 31))  # paid on day 20
        b = claim(PHARMACY, "F-2", 1, date(2026, 8, 1))  # overdue on TODAY
        c = claim(PHARMACY, "F-3", 2, date(2026, 8, 10))  # due on TODAY itself
        d = claim(PHARMACY, "F-4", 3, date(2026, 8, 20))  # cancelled
        e = claim(CLINIC, "F-1", 0, date(2026, 7, 31))  # the clinic's, same claim id
        f = claim(PHARMACY, "F-10", 4, None)  # no term: due without end; F-1 is in F-10
        record(uow_factory, a, b, c, d, e, f)
        record(uow_factory, reversal(d, at=DAY0 + timedelta(days=4)))
        record(uow_factory, paid("V-1", PHARMACY, a, day=20))

    def test_a_provider_sees_its_own_claims_in_order(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        self.world(uow_factory)
        assert read(uow_factory, ClockQuery(provider=PHARMACY, today=TODAY)) == [
            ("F-1", "payment:V-1"), ("F-2", None), ("F-3", None), ("F-10", None),
        ]  # fmt: skip

    def test_another_provider_sees_none_of_them(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        self.world(uow_factory)
        assert read(uow_factory, ClockQuery(provider=CLINIC, today=TODAY)) == [("F-1", None)]
        assert read(uow_factory, ClockQuery(provider="org-ph", today=TODAY)) == []

    def test_states_on_the_due_date_and_the_day_after(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        self.world(uow_factory)

        def ids(*states: ClaimState) -> list[str]:
            query = ClockQuery(provider=PHARMACY, states=states, today=TODAY)
            return [claim_id for claim_id, _ in read(uow_factory, query)]

        assert ids(ClaimState.PAID) == ["F-1"]
        assert ids(ClaimState.OVERDUE) == ["F-2"]
        assert ids(ClaimState.DUE) == ["F-3", "F-10"]
        assert ids(ClaimState.DUE, ClaimState.OVERDUE) == ["F-2", "F-3", "F-10"]

    def test_pages_follow_each_other(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        self.world(uow_factory)
        with uow_factory() as uow:
            queries = ClaimClockQueries(uow.session)
            first = queries.page(ClockQuery(provider=PHARMACY, today=TODAY, limit=2))
            last = first[-1]
            after = (last.accepted_at, f"claim:{last.source}")
            rest = queries.page(ClockQuery(provider=PHARMACY, today=TODAY, after=after))
        assert [c.claim_id for c in first + rest] == ["F-1", "F-2", "F-3", "F-10"]

    def test_a_claim_reads_back_whole(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        self.world(uow_factory)
        with uow_factory() as uow:
            (one,) = ClaimClockQueries(uow.session).page(
                ClockQuery(provider=PHARMACY, states=(ClaimState.PAID,), today=TODAY)
            )
        assert (one.payer, one.provider, one.amount, one.due) == (
            "CNSS", PHARMACY, Money(10_000), date(2026, 7, 31),
        )  # fmt: skip
        assert (one.accepted_at, one.paid_at) == (DAY0, DAY0 + timedelta(days=20))

    def test_accepted_from_an_instant_to_another_excluded(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        self.world(uow_factory)  # F-1 on day 0, F-2 on day 1, F-3 on day 2, at 09:00
        start, end = DAY0 + timedelta(days=1), DAY0 + timedelta(days=2)
        between = ClockQuery(provider=PHARMACY, today=TODAY, accepted_from=start,
                             accepted_to=end)  # fmt: skip
        assert [claim_id for claim_id, _ in read(uow_factory, between)] == ["F-2"]
        since = ClockQuery(provider=PHARMACY, today=TODAY, accepted_from=end)
        assert [claim_id for claim_id, _ in read(uow_factory, since)] == ["F-3", "F-10"]


class TestClaimToCash:
    def test_per_payer_and_per_provider(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        claims = [claim(PHARMACY, f"P-{i}", 0, None, payer="CNOPS") for i in range(10)]
        clinic = claim(CLINIC, "K-1", 0, None, payer="CNOPS")
        record(uow_factory, *claims, clinic)
        record(uow_factory, *(paid(f"W-{i}", PHARMACY, c, day=i + 1, payer="CNOPS")
                              for i, c in enumerate(claims)))  # fmt: skip
        record(uow_factory, paid("W-K", CLINIC, clinic, day=30, payer="CNOPS"))
        with uow_factory() as uow:
            queries = ClaimClockQueries(uow.session)
            (payer,) = queries.delays(ClockQuery(payer="CNOPS", today=TODAY), "payer")
            providers = queries.delays(ClockQuery(payer="CNOPS", today=TODAY), "provider")
        assert (payer.key, payer.paid, payer.median, payer.p90) == ("CNOPS", 11, 6, 10)
        assert [(d.key, d.paid, d.median, d.p90) for d in providers] == [
            (CLINIC, 1, Decimal(30), Decimal(30)), (PHARMACY, 10, 5, 9),
        ]  # fmt: skip


class TestAgeing:
    def test_overdue_claims_in_bands_per_provider(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        due = TODAY - timedelta(days=31)
        late = claim(PHARMACY, "L-1", 0, due, payer="CNAM")
        record(uow_factory, late, claim(PHARMACY, "L-2", 1, TODAY, payer="CNAM"),
               claim(CLINIC, "L-3", 2, TODAY - timedelta(days=1), payer="CNAM"))  # fmt: skip
        with uow_factory() as uow:
            bands = ClaimClockQueries(uow.session).ageing(
                ClockQuery(payer="CNAM", today=TODAY), "provider"
            )
        assert [(b.key, b.bucket, b.claims, b.amount) for b in bands] == [
            (CLINIC, "0-30", 1, Money(10_002)), (PHARMACY, "31-60", 1, Money(10_000)),
        ]  # fmt: skip
