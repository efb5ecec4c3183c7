"""Date arithmetic at its boundaries: month ends, leap days, birthdays."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.rules.calendar import add_months, age_on, birthday

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


class TestAddMonths:
    def test_month_end_is_clamped(self) -> None:
        assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)

    def test_backwards_across_a_year(self) -> None:
        assert add_months(date(2025, 2, 15), -6) == date(2024, 8, 15)

    @given(days, st.integers(min_value=-600, max_value=600))
    def test_lands_in_the_right_month(self, day: date, months: int) -> None:
        moved = add_months(day, months)
        assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
        assert moved.day <= day.day


class TestAge:
    @given(days, st.integers(min_value=1, max_value=80))
    def test_age_changes_exactly_on_the_birthday(self, birth: date, years: int) -> None:
        turning = birthday(birth, years)
        assert age_on(birth, turning) == years
        assert age_on(birth, turning - timedelta(days=1)) == years - 1

    def test_leap_day_birthday_falls_on_first_of_march(self) -> None:
        assert birthday(date(2004, 2, 29), 21) == date(2025, 3, 1)
        assert age_on(date(2004, 2, 29), date(2025, 2, 28)) == 20
