"""Payment terms counted in calendar or working days, at their boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.payment_clock import due_date
from domain.reference_rows import PaymentTerm, Provenance, Validity
from domain.working_days import CALENDAR_DAYS, WORKING_DAYS, WorkingCalendar

THRONE_DAY = date(2026, 7, 30)  # a Thursday
NEW_YEAR = date(2027, 1, 1)  # a Friday
CALENDAR = WorkingCalendar(holidays=frozenset({THRONE_DAY, NEW_YEAR}))
days = st.dates(min_value=date(2005, 1, 1), max_value=date(2040, 12, 31))


def term(days: int, kind: str) -> PaymentTerm:
    return PaymentTerm("CNSS", "*", days, kind, Validity(date(2005, 1, 1)), Provenance("essai"))


class TestWorkingDays:
    def test_a_thursday_plus_one_is_the_friday_before_the_weekend(self) -> None:
        assert CALENDAR.add_working_days(date(2026, 11, 26), 1) == date(2026, 11, 27)

    def test_a_friday_plus_one_is_the_monday(self) -> None:
        assert CALENDAR.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)

    def test_a_term_ending_on_saturday_ends_on_monday(self) -> None:
        # filed Wednesday 25 Nov: 2 working days = Friday 27; 3 = Monday 30 (not Saturday 28)
        assert CALENDAR.add_working_days(date(2026, 11, 25), 2) == date(2026, 11, 27)
        assert CALENDAR.add_working_days(date(2026, 11, 25), 3) == date(2026, 11, 30)

    def test_throne_day_is_not_counted(self) -> None:
        # Wednesday 29 July + 1 working day: Thursday 30 is Throne Day, so Friday 31
        assert CALENDAR.add_working_days(date(2026, 7, 29), 1) == date(2026, 7, 31)

    def test_the_day_before_throne_day_is_counted(self) -> None:
        assert CALENDAR.add_working_days(date(2026, 7, 28), 1) == date(2026, 7, 29)

    def test_across_the_new_year(self) -> None:
        # Thursday 31 Dec 2026 + 1: Friday 1 Jan is a holiday, then the weekend: Monday 4 Jan
        assert CALENDAR.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)

    def test_zero_days_is_the_day_itself(self) -> None:
        assert CALENDAR.add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 28)

    def test_a_negative_term_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^un délai ne se compte pas à rebours$"):
            CALENDAR.add_working_days(date(2026, 11, 28), -1)

    def test_a_calendar_without_working_day_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^un calendrier sans jour ouvré$"):
            WorkingCalendar(weekend=frozenset(range(7))).add_working_days(date(2026, 1, 1), 1)

    @given(days, st.integers(0, 60))
    def test_the_end_is_a_working_day_and_exactly_n_are_counted(self, start: date, n: int) -> None:
        end = CALENDAR.add_working_days(start, n)
        counted = sum(
            CALENDAR.is_working(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
        )
        assert counted == n
        assert n == 0 or CALENDAR.is_working(end)

    @given(days, st.integers(0, 60))
    def test_one_more_day_is_never_earlier(self, start: date, n: int) -> None:
        assert CALENDAR.add_working_days(start, n + 1) > CALENDAR.add_working_days(start, n)


class TestDueDate:
    def test_calendar_days_count_weekends_and_holidays(self) -> None:
        # Filed 30 June 2026 + 30 calendar days: Throne Day itself, holiday or not
        assert due_date(date(2026, 6, 30), term(30, CALENDAR_DAYS), CALENDAR) == THRONE_DAY

    def test_working_days_skip_them(self) -> None:
        # Mon 27 July + 3 working days: Tue 28, Wed 29, (Thu 30 Throne Day) Fri 31
        assert due_date(date(2026, 7, 27), term(3, WORKING_DAYS), CALENDAR) == date(2026, 7, 31)

    def test_an_unknown_day_kind_is_refused(self) -> None:
        with pytest.raises(ValueError, match="inconnue"):
            due_date(date(2026, 7, 27), term(3, "lunar"), CALENDAR)

    @given(days, st.integers(0, 90))
    def test_working_days_never_end_before_calendar_days(self, start: date, n: int) -> None:
        working = due_date(start, term(n, WORKING_DAYS), CALENDAR)
        assert working >= due_date(start, term(n, CALENDAR_DAYS), CALENDAR)
