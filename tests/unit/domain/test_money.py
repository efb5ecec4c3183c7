"""The one rounding rule of money, by property."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.money import Money, round_centimes

amounts = st.integers(min_value=0, max_value=10**11)
rates = st.decimals(min_value=0, max_value=1, places=4)


class TestRoundCentimes:
    @given(st.integers(min_value=-(10**12), max_value=10**12))
    def test_whole_centimes_are_unchanged(self, n: int) -> None:
        assert round_centimes(Decimal(n)) == n

    @given(st.integers(min_value=0, max_value=10**12))
    def test_a_half_rounds_up(self, n: int) -> None:
        assert round_centimes(Decimal(n) + Decimal("0.5")) == n + 1

    @given(st.integers(min_value=0, max_value=10**12))
    def test_below_a_half_rounds_down(self, n: int) -> None:
        assert round_centimes(Decimal(n) + Decimal("0.4999")) == n

    @given(st.decimals(min_value=-(10**9), max_value=10**9, places=6))
    def test_never_more_than_half_a_centime_away(self, value: Decimal) -> None:
        assert abs(Decimal(round_centimes(value)) - value) <= Decimal("0.5")


class TestShare:
    @given(amounts, rates)
    def test_a_share_lies_between_nothing_and_the_amount(
        self, centimes: int, rate: Decimal
    ) -> None:
        assert 0 <= Money(centimes).share(rate).centimes <= centimes

    @given(amounts, rates)
    def test_complementary_shares_miss_the_amount_by_at_most_a_centime(
        self, centimes: int, rate: Decimal
    ) -> None:
        total = Money(centimes).share(rate) + Money(centimes).share(1 - rate)
        assert 0 <= total.centimes - centimes <= 1

    def test_eighty_percent_of_a_consultation(self) -> None:
        assert Money.mad("150").share(Decimal("0.80")) == Money.mad("120")

    def test_odd_centime_share_rounds_half_up(self) -> None:
        assert Money(5).share(Decimal("0.5")) == Money(3)
