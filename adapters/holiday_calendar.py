"""Moroccan public holidays, from the `holidays` package, as the domain's working calendar.

The package knows the fixed national days (Throne Day on 30 July, Green March on 6 November,
...) and the Islamic holidays by the Hijri calendar; the latter are marked "estimated" there,
as the Ministry of Habous confirms each by the sighting of the moon a day before: a payment
due on the day after an Eid may move by one day when the moon decides otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.working_days import WorkingCalendar

COUNTRY = "MA"


def moroccan_calendar(years: Iterable[int]) -> WorkingCalendar:
    """The working calendar of Morocco over these years: its public holidays, Saturday and
    Sunday off."""
    import holidays  # every country's rules, a second to import: only where a calendar is made

    days = holidays.country_holidays(COUNTRY, years=list(years))
    return WorkingCalendar(holidays=frozenset(days))
