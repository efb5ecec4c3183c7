"""The payment-promise clock: due, overdue, paid; ageing bands; claim-to-cash percentiles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import Money
from domain.payment_clock import (
    AGEING_BUCKETS,
    MEDIAN,
    P90,
    AcceptedClaim,
    Ageing,
    Bucket,
    ClaimState,
    ClaimToCash,
    Clock,
    bucket_of,
    clock,
    days_overdue,
    nearest_rank,
)

ACCEPTED = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
DUE = date(2026, 7, 31)


def accepted(due: date | None = DUE, paid_at: datetime | None = None) -> AcceptedClaim:
    return AcceptedClaim(
        "PH1:F-1", "CNSS", "PH1", Money(12_000), ACCEPTED, due, paid_at,
        None if paid_at is None else "payment:V-1",
    )  # fmt: skip


class TestClock:
    def test_due_on_its_due_date(self) -> None:
        line = clock(accepted(), DUE)
        assert (line.state, line.overdue, line.bucket, line.age) == (ClaimState.DUE, 0, None, 30)

    def test_overdue_the_day_after(self) -> None:
        line = clock(accepted(), DUE + timedelta(days=1))
        assert (line.state, line.overdue, line.bucket) == (ClaimState.OVERDUE, 1, "0-30")

    def test_paid_is_never_overdue(self) -> None:
        line = clock(accepted(paid_at=ACCEPTED + timedelta(days=45)), DUE + timedelta(days=200))
        assert (line.state, line.overdue, line.bucket, line.age) == (ClaimState.PAID, 0, None, 45)

    def test_without_a_term_a_claim_is_due_without_end(self) -> None:
        line = clock(accepted(due=None), DUE + timedelta(days=400))
        assert (line.state, line.overdue) == (ClaimState.DUE, 0)

    def test_the_claim_id_is_the_source_without_its_provider(self) -> None:
        assert accepted().claim_id == "F-1"


class TestAge:
    def test_a_claim_accepted_today_is_zero_days_old(self) -> None:
        assert clock(accepted(), ACCEPTED.date()).age == 0

    def test_a_claim_dated_after_today_is_not_of_negative_age(self) -> None:
        assert clock(accepted(), ACCEPTED.date() - timedelta(days=3)).age == 0


class TestBuckets:
    def test_a_day_no_band_holds_has_no_band(self) -> None:
        assert bucket_of(5, (Bucket("au-dela-de-10", 10, None),)) is None

    @pytest.mark.parametrize(
        ("days", "label"),
        [(0, None), (1, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
         (90, "61-90"), (91, ">90"), (5000, ">90")],
    )  # fmt: skip
    def test_each_band_on_its_ends(self, days: int, label: str | None) -> None:
        assert bucket_of(days) == label

    @given(st.integers(1, 100_000))
    def test_every_overdue_day_count_falls_in_exactly_one_band(self, days: int) -> None:
        assert sum(b.holds(days) for b in AGEING_BUCKETS) == 1

    @given(st.dates(), st.dates())
    def test_days_overdue_is_never_negative(self, due: date, today: date) -> None:
        late = days_overdue(due, today)
        assert late >= 0
        assert (late > 0) == (today > due)


class TestPercentiles:
    def test_nearest_rank_of_ten(self) -> None:
        ordered = list(range(1, 11))
        assert (nearest_rank(ordered, MEDIAN), nearest_rank(ordered, P90)) == (5, 9)

    def test_one_value_is_every_percentile(self) -> None:
        assert nearest_rank([7], P90) == 7

    def test_no_value_has_no_percentile(self) -> None:
        with pytest.raises(ValueError, match=r"^aucune valeur$"):
            nearest_rank([], MEDIAN)

    @given(st.lists(st.integers(0, 10**8), min_size=1), st.decimals(Decimal("0.01"), 1, places=2))
    def test_at_least_that_fraction_is_at_or_below_it(self, values: list[int], q: Decimal) -> None:
        ordered = sorted(values)
        value = nearest_rank(ordered, q)
        assert value in ordered
        assert sum(v <= value for v in ordered) >= q * len(ordered)
        assert sum(v < value for v in ordered) < q * len(ordered)


class TestClaimToCash:
    def test_median_and_p90_per_group_in_days(self) -> None:
        delays = ClaimToCash()
        for days in range(1, 11):
            delays.add("CNSS", ACCEPTED, ACCEPTED + timedelta(days=days))
        delays.add("CNOPS", ACCEPTED, ACCEPTED + timedelta(hours=36))
        cnops, cnss = delays.summary()
        assert (cnss.key, cnss.paid, cnss.median, cnss.p90) == ("CNSS", 10, 5, 9)
        assert (cnops.key, cnops.paid, cnops.median, cnops.p90) == (
            "CNOPS",
            1,
            Decimal("1.5"),
            Decimal("1.5"),
        )

    def test_a_payment_at_the_acceptance_instant_takes_zero_days(self) -> None:
        delays = ClaimToCash()
        delays.add("CNSS", ACCEPTED, ACCEPTED)
        delays.add("CNSS", ACCEPTED, ACCEPTED - timedelta(hours=1))  # clocks apart: not negative
        (only,) = delays.summary()
        assert (only.median, only.p90) == (0, 0)

    def test_days_are_rounded_half_up_to_the_tenth(self) -> None:
        delays = ClaimToCash()
        delays.add("CNSS", ACCEPTED, ACCEPTED + timedelta(hours=6))  # 0.25 day
        (only,) = delays.summary()
        assert only.median == Decimal("0.3")

    def test_groups_of_different_shapes_are_summed_up_side_by_side(self) -> None:
        delays = ClaimToCash()
        delays.add(("CNSS", "PH1"), ACCEPTED, ACCEPTED + timedelta(days=2))
        delays.add("CNSS", ACCEPTED, ACCEPTED + timedelta(days=1))
        assert [(d.key, d.median) for d in delays.summary()] == [
            (("CNSS", "PH1"), 2),
            ("CNSS", 1),
        ]

    def test_each_group_sums_what_its_claims_paid(self) -> None:
        delays = ClaimToCash()
        delays.add("2026-10", ACCEPTED, ACCEPTED + timedelta(days=3), Money(4_900))
        delays.add("2026-10", ACCEPTED, ACCEPTED + timedelta(days=5), Money(100))
        delays.add("2026-11", ACCEPTED, ACCEPTED + timedelta(days=40), Money(7))
        assert [(d.key, d.paid, d.amount) for d in delays.summary()] == [
            ("2026-10", 2, Money(5_000)), ("2026-11", 1, Money(7)),
        ]  # fmt: skip

    @given(st.lists(st.integers(0, 400 * 86_400), min_size=1, max_size=200))
    def test_the_median_never_exceeds_the_p90(self, seconds: list[int]) -> None:
        delays = ClaimToCash()
        for s in seconds:
            delays.add(("CNSS", "PH1"), ACCEPTED, ACCEPTED + timedelta(seconds=s))
        (only,) = delays.summary()
        assert only.paid == len(seconds)
        assert 0 <= only.median <= only.p90 <= Decimal(max(seconds)) / 86_400 + Decimal("0.05")


class TestAgeing:
    def test_overdue_claims_are_counted_and_summed_per_band(self) -> None:
        ageing = Ageing()
        for late in (1, 30, 31, 91, 0):
            ageing.add("CNSS", clock(accepted(), DUE + timedelta(days=late)))
        ageing.add("CNOPS", clock(accepted(), DUE + timedelta(days=61)))
        assert [(b.key, b.bucket, b.claims, b.amount) for b in ageing.bands()] == [
            ("CNOPS", "61-90", 1, Money(12_000)),
            ("CNSS", "0-30", 2, Money(24_000)),
            ("CNSS", "31-60", 1, Money(12_000)),
            ("CNSS", ">90", 1, Money(12_000)),
        ]

    def test_bands_come_in_their_own_order_not_their_labels(self) -> None:
        buckets = (Bucket("recent", 1, 30), Bucket("ancien", 31, None))
        ageing = Ageing()
        for late, label in ((40, "ancien"), (2, "recent")):
            ageing.add("CNSS", Clock(accepted(), ClaimState.OVERDUE, late, late, label))
        assert [b.bucket for b in ageing.bands(buckets)] == ["recent", "ancien"]

    def test_groups_of_different_shapes_are_listed_side_by_side(self) -> None:
        ageing = Ageing()
        ageing.add(("CNSS", "PH1"), clock(accepted(), DUE + timedelta(days=3)))
        ageing.add("CNSS", clock(accepted(), DUE + timedelta(days=3)))
        assert [b.key for b in ageing.bands()] == [("CNSS", "PH1"), "CNSS"]

    @given(st.lists(st.integers(0, 400), max_size=50))
    def test_every_overdue_claim_is_in_one_band(self, lates: list[int]) -> None:
        ageing = Ageing()
        for late in lates:
            ageing.add("CNSS", clock(accepted(), DUE + timedelta(days=late)))
        bands = ageing.bands()
        assert sum(b.claims for b in bands) == sum(1 for late in lates if late > 0)
        assert sum(b.amount.centimes for b in bands) == 12_000 * sum(1 for x in lates if x > 0)
