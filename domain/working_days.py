"""Working days: the days a payer's services and its bank work, for terms counted in them.

The public holidays reach the domain as data (a set of dates an adapter computes from the
`holidays` package, adapters/holiday_calendar.py); the domain only counts. Saturday and
Sunday are the weekly rest days of Moroccan administrations and banks (décret n° 2-05-916
of 2005 on the five-day working week of public administrations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

SATURDAY, SUNDAY = 5, 6  # date.weekday() numbers
WEEKEND = frozenset({SATURDAY, SUNDAY})
CALENDAR_DAYS = "calendar"  # a term counted in calendar days
WORKING_DAYS = "working"  # a term counted in working days: neither weekend nor holiday
DAY_KINDS = frozenset({CALENDAR_DAYS, WORKING_DAYS})


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """The public holidays and weekly rest days of the country the payer pays in."""

    holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = field(default=WEEKEND)

    def is_working(self, day: date) -> bool:
        """A day neither of the weekend nor a public holiday."""
        return day.weekday() not in self.weekend and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (start itself not counted; 0: start)."""
        if days < 0:
            raise ValueError("un délai ne se compte pas à rebours")
        if len(self.weekend) >= 7:
            raise ValueError("un calendrier sans jour ouvré")
        day = start
        for _ in range(days):
            day += timedelta(days=1)
            while not self.is_working(day):
                day += timedelta(days=1)
        return day

    def add(self, start: date, days: int, kind: str) -> date:
        """`days` after `start`, counted in calendar days or in working days."""
        if kind == WORKING_DAYS:
            return self.add_working_days(start, days)
        if kind == CALENDAR_DAYS:
            return start + timedelta(days=days)
        raise ValueError(f"nature de délai inconnue : {kind}")
