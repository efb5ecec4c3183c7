"""Date arithmetic at its boundaries: month ends, leap days, birthdays."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from domain.rules.calendar import add_months, birthday

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


class TestBirthday:
    @given(days, st.integers(min_value=1, max_value=80))
    def test_falls_on_the_same_day_and_month(self, birth: date, years: int) -> None:
        turning = birthday(birth, years)
        assert turning.year == birth.year + years
        if (birth.month, birth.day) != (2, 29):
            assert (turning.month, turning.day) == (birth.month, birth.day)

    def test_leap_day_birthday_falls_on_first_of_march(self) -> None:
        assert birthday(date(2004, 2, 29), 21) == date(2025, 3, 1)

    def test_leap_day_birthday_stays_in_a_leap_year(self) -> None:
        assert birthday(date(2004, 2, 29), 4) == date(2008, 2, 29)
