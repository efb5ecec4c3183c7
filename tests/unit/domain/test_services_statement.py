"""The provider's statement use case against fakes of its ports: its own claims only, by
state, a page at a time, rejected claims read alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.errors import InvalidRequest
from domain.ledger import Entry, claim_accepted, payment
from domain.money import Money
from domain.payment_clock import AcceptedClaim, ClaimState, ClockQuery
from domain.records import ExchangeRecord, Requester
from domain.services.statement import (
    BY_MONTH,
    Cursor,
    StatementPorts,
    StatementQuery,
    claim_to_cash,
    statement_page,
)
from tests.clock_fakes import FakeClaimClock
from tests.fakes import FakeClock
from tests.pipeline_fakes import FakeStore

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 8, 10, 9, tzinfo=UTC)
PHARMACY, CLINIC = Requester("org-ph", "c-ph"), Requester("org-cl", "c-cl")


def accepted(provider: str, claim_id: str, day: int, due: date) -> Entry:
    entry = claim_accepted(
        f"{provider}:{claim_id}", payer="CNSS", provider=provider, benefit=Money(5_000),
        at=NOW - timedelta(days=40 - day), due=due,
    )  # fmt: skip
    assert entry is not None
    return entry


@pytest.fixture
def ports() -> StatementPorts:
    store = FakeStore()
    paid = accepted("org-ph", "F-1", 0, date(2026, 7, 20))
    store.ledger += [
        paid,
        accepted("org-ph", "F-2", 1, date(2026, 8, 9)),  # overdue by a day
        accepted("org-ph", "F-3", 2, date(2026, 8, 10)),  # due today
        accepted("org-cl", "F-9", 0, date(2026, 8, 1)),
        payment("V-1", payer="CNSS", provider="org-ph", claims=(paid.source,),
                amount=Money(5_000), at=NOW - timedelta(days=10)),
        payment("V-2", payer="CNSS", provider="org-cl", claims=("org-cl:F-9",),
                amount=Money(5_000), at=NOW - timedelta(days=5)),
    ]  # fmt: skip
    for n, tenant in enumerate(("org-ph", "org-cl")):
        store.exchanges.add(ExchangeRecord(
            f"r-{n}", "claim", tenant, NOW, f"q-{n}", "not-payable", None, (), b"{}", b"{}",
        ))  # fmt: skip
    store.exchanges.add(ExchangeRecord(
        "r-payable", "claim", "org-ph", NOW, "q-9", "complete", None, (), b"{}", b"{}",
    ))  # fmt: skip
    return StatementPorts(FakeClaimClock(store), store, FakeClock(NOW))


def ids(page: object) -> list[str]:
    return [line.claim.claim_id for line in page.lines]  # type: ignore[attr-defined]


class TestStatementPage:
    async def test_every_accepted_claim_of_the_provider_only(self, ports: StatementPorts) -> None:
        page = await statement_page(PHARMACY, StatementQuery(), ports=ports)
        assert ids(page) == ["F-1", "F-2", "F-3"]
        assert [line.state for line in page.lines] == [
            ClaimState.PAID, ClaimState.OVERDUE, ClaimState.DUE,
        ]  # fmt: skip
        assert page.next is None

    async def test_another_provider_sees_only_its_own(self, ports: StatementPorts) -> None:
        page = await statement_page(CLINIC, StatementQuery(), ports=ports)
        assert ids(page) == ["F-9"]

    async def test_pages_follow_each_other(self, ports: StatementPorts) -> None:
        first = await statement_page(PHARMACY, StatementQuery(limit=2), ports=ports)
        assert ids(first) == ["F-1", "F-2"] and first.next is not None
        rest = await statement_page(PHARMACY, StatementQuery(limit=2, cursor=first.next),
                                    ports=ports)  # fmt: skip
        assert ids(rest) == ["F-3"] and rest.next is None

    async def test_rejected_claims_are_the_provider_s_not_payable_answers(
        self, ports: StatementPorts
    ) -> None:
        page = await statement_page(PHARMACY, StatementQuery((ClaimState.REJECTED,)), ports=ports)
        assert [r.id for r in page.rejected] == ["r-0"] and page.lines == ()

    async def test_rejected_claims_are_not_read_with_others(self, ports: StatementPorts) -> None:
        both = StatementQuery((ClaimState.REJECTED, ClaimState.DUE))
        with pytest.raises(InvalidRequest):
            await statement_page(PHARMACY, both, ports=ports)

    async def test_a_rejected_page_continues_at_its_offset(self, ports: StatementPorts) -> None:
        query = StatementQuery((ClaimState.REJECTED,), cursor=Cursor(offset=1))
        page = await statement_page(PHARMACY, query, ports=ports)
        assert page.rejected == () and page.next is None

    async def test_claim_to_cash_of_the_provider(self, ports: StatementPorts) -> None:
        (delay,) = await claim_to_cash(PHARMACY, "payer", ports=ports)
        assert (delay.key, delay.paid, delay.median) == ("CNSS", 1, 30)

    async def test_claim_to_cash_by_the_month_of_payment(self, ports: StatementPorts) -> None:
        (month,) = await claim_to_cash(PHARMACY, BY_MONTH, ports=ports)
        assert (month.key, month.paid, month.median, month.amount) == (
            "2026-07", 1, 30, Money(5_000),
        )  # fmt: skip


def at(moment: datetime, claim_id: str) -> Entry:
    entry = claim_accepted(f"org-ph:{claim_id}", payer="CNSS", provider="org-ph",
                           benefit=Money(1_000), at=moment, due=date(2026, 9, 30))  # fmt: skip
    assert entry is not None
    return entry


class TestFiledDays:
    """November's claims: from its first day's first instant to its last day's last one."""

    @pytest.fixture
    def november(self) -> StatementPorts:
        store = FakeStore()
        store.ledger += [
            at(datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC), "OCT-31"),
            at(datetime(2026, 11, 1, 0, 0, tzinfo=UTC), "NOV-1"),
            at(datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC), "NOV-30"),
            at(datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "DEC-1"),
        ]
        for n, day in enumerate((31, 1, 30)):
            month = 10 if day == 31 else 11
            store.exchanges.add(ExchangeRecord(
                f"r-{day}", "claim", "org-ph", datetime(2026, month, day, 12, tzinfo=UTC),
                f"q-{n}", "not-payable", None, (), b"{}", b"{}",
            ))  # fmt: skip
        store.exchanges.add(ExchangeRecord(
            "r-dec", "claim", "org-ph", datetime(2026, 12, 1, tzinfo=UTC), "q-9", "not-payable",
            None, (), b"{}", b"{}",
        ))  # fmt: skip
        return StatementPorts(FakeClaimClock(store), store, FakeClock(NOW))

    async def test_the_first_and_last_days_are_in_the_day_after_is_not(
        self, november: StatementPorts
    ) -> None:
        month = StatementQuery(filed_from=date(2026, 11, 1), filed_to=date(2026, 11, 30))
        page = await statement_page(PHARMACY, month, ports=november)
        assert ids(page) == ["NOV-1", "NOV-30"]

    async def test_one_end_alone_bounds_one_side(self, november: StatementPorts) -> None:
        since = await statement_page(PHARMACY, StatementQuery(filed_from=date(2026, 11, 30)),
                                     ports=november)  # fmt: skip
        until = await statement_page(PHARMACY, StatementQuery(filed_to=date(2026, 10, 31)),
                                     ports=november)  # fmt: skip
        assert ids(since) == ["NOV-30", "DEC-1"] and ids(until) == ["OCT-31"]

    async def test_rejected_claims_by_the_day_they_were_answered(
        self, november: StatementPorts
    ) -> None:
        month = StatementQuery((ClaimState.REJECTED,), filed_from=date(2026, 11, 1),
                               filed_to=date(2026, 11, 30))  # fmt: skip
        page = await statement_page(PHARMACY, month, ports=november)
        assert sorted(r.id for r in page.rejected) == ["r-1", "r-30"]


class Recording(FakeClaimClock):
    """The fake claim clock, remembering the pages asked of it."""

    def __init__(self, store: FakeStore) -> None:
        super().__init__(store)
        self.asked: list[ClockQuery] = []

    async def page(self, query: ClockQuery) -> list[AcceptedClaim]:
        self.asked.append(query)
        return await super().page(query)


def rejected(n: int) -> StatementPorts:
    """A pharmacy with `n` rejected claims, a minute apart, the latest first."""
    store = FakeStore()
    for i in range(n):
        store.exchanges.add(ExchangeRecord(
            f"r-{i}", "claim", "org-ph", NOW - timedelta(minutes=i), f"q-{i}", "not-payable",
            None, (), b"{}", b"{}",
        ))  # fmt: skip
    return StatementPorts(FakeClaimClock(store), store, FakeClock(NOW))


class TestPageEdges:
    async def test_one_more_claim_than_the_page_is_asked_to_know_if_another_follows(
        self, ports: StatementPorts
    ) -> None:
        recording = Recording(ports.exchanges)  # type: ignore[arg-type]
        ports = replace(ports, claims=recording)
        page = await statement_page(PHARMACY, StatementQuery(limit=3), ports=ports)
        assert ids(page) == ["F-1", "F-2", "F-3"] and page.next is None
        assert page.today == NOW.date()
        assert [q.limit for q in recording.asked] == [4]

    async def test_a_full_last_page_has_no_next(self, ports: StatementPorts) -> None:
        page = await statement_page(PHARMACY, StatementQuery(limit=3), ports=ports)
        assert len(page.lines) == 3 and page.next is None

    async def test_a_page_continues_after_its_last_claim(self, ports: StatementPorts) -> None:
        page = await statement_page(PHARMACY, StatementQuery(limit=1), ports=ports)
        (line,) = page.lines
        assert page.next == Cursor(after=(line.claim.accepted_at, "claim:org-ph:F-1"))

    async def test_one_payer_s_or_one_state_s_claims(self, ports: StatementPorts) -> None:
        cnops = await statement_page(PHARMACY, StatementQuery(payer="CNOPS"), ports=ports)
        assert cnops.lines == () and cnops.next is None
        paid = await statement_page(PHARMACY, StatementQuery((ClaimState.PAID,)), ports=ports)
        assert ids(paid) == ["F-1"]

    async def test_rejected_claims_are_not_read_with_others_in_words(
        self, ports: StatementPorts
    ) -> None:
        both = StatementQuery((ClaimState.REJECTED, ClaimState.PAID))
        with pytest.raises(InvalidRequest) as refused:
            await statement_page(PHARMACY, both, ports=ports)
        assert str(refused.value) == (
            "Les demandes rejetées se consultent seules (state=rejected), sans autre état"
        )


class TestRejectedPages:
    async def test_pages_of_rejected_claims_follow_each_other(self) -> None:
        ports = rejected(3)
        query = StatementQuery((ClaimState.REJECTED,), limit=2)
        first = await statement_page(PHARMACY, query, ports=ports)
        assert [r.id for r in first.rejected] == ["r-0", "r-1"]
        assert first.next == Cursor(offset=2) and first.today == NOW.date()
        rest = await statement_page(PHARMACY, replace(query, cursor=first.next), ports=ports)
        assert [r.id for r in rest.rejected] == ["r-2"] and rest.next is None

    async def test_a_full_last_page_of_rejected_claims_has_no_next(self) -> None:
        query = StatementQuery((ClaimState.REJECTED,), limit=2)
        page = await statement_page(PHARMACY, query, ports=rejected(2))
        assert len(page.rejected) == 2 and page.next is None

    async def test_the_last_of_one_per_page_has_no_next(self) -> None:
        query = StatementQuery((ClaimState.REJECTED,), limit=1, cursor=Cursor(offset=1))
        page = await statement_page(PHARMACY, query, ports=rejected(2))
        assert [r.id for r in page.rejected] == ["r-1"] and page.next is None
