"""Morocco's working calendar as the `holidays` package gives it, at its boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.holiday_calendar import moroccan_calendar
from domain.payment_clock import due_date
from domain.reference_rows import PaymentTerm, Provenance, Validity
from domain.working_days import WORKING_DAYS

CALENDAR = moroccan_calendar(range(2025, 2029))


def working(days: int) -> PaymentTerm:
    return PaymentTerm("CNSS", "*", days, WORKING_DAYS, Validity(date(2005, 1, 1)), Provenance("t"))


class TestMoroccanCalendar:
    @pytest.mark.parametrize(
        "day",
        [
            date(2026, 1, 1),  # New Year
            date(2026, 1, 14),  # Amazigh New Year
            date(2026, 7, 30),  # Throne Day
            date(2026, 11, 6),  # Green March
            date(2026, 11, 18),  # Independence Day
        ],
    )
    def test_national_days_are_holidays(self, day: date) -> None:
        assert not CALENDAR.is_working(day)

    @pytest.mark.parametrize(
        ("day", "name"),
        [
            (date(2026, 3, 20), "Eid al-Fitr"),
            (date(2026, 5, 27), "Eid al-Adha"),
            (date(2026, 5, 28), "Eid al-Adha, second day"),
            (date(2026, 6, 16), "Islamic New Year"),
            (date(2026, 8, 25), "Prophet's Birthday"),
            (date(2027, 3, 9), "Eid al-Fitr"),
        ],
    )
    def test_islamic_holidays_the_package_knows_are_holidays(self, day: date, name: str) -> None:
        assert not CALENDAR.is_working(day), name

    def test_weekends_are_off_and_a_plain_tuesday_is_worked(self) -> None:
        assert not CALENDAR.is_working(date(2026, 11, 28))  # Saturday
        assert not CALENDAR.is_working(date(2026, 11, 29))  # Sunday
        assert CALENDAR.is_working(date(2026, 12, 1))

    def test_a_term_over_throne_day(self) -> None:
        # Wed 29 July 2026 + 1 working day: Thu 30 Throne Day, so Fri 31
        assert due_date(date(2026, 7, 29), working(1), CALENDAR) == date(2026, 7, 31)

    def test_a_term_ending_on_a_friday_before_the_weekend(self) -> None:
        assert due_date(date(2026, 12, 3), working(1), CALENDAR) == date(2026, 12, 4)
        assert due_date(date(2026, 12, 4), working(1), CALENDAR) == date(2026, 12, 7)

    def test_a_term_across_the_new_year(self) -> None:
        # Thu 31 Dec 2026 + 1: Fri 1 Jan 2027 holiday, weekend: Mon 4 Jan
        assert due_date(date(2026, 12, 31), working(1), CALENDAR) == date(2027, 1, 4)

    def test_a_term_over_eid_al_adha(self) -> None:
        # Tue 26 May 2026 + 1: Wed 27 and Thu 28 Eid al-Adha, so Fri 29
        assert due_date(date(2026, 5, 26), working(1), CALENDAR) == date(2026, 5, 29)
