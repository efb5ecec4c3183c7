"""Amounts, rates and dates as people read them in the chosen language (Babel), and the days
they type in a form or a filter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_percent

from domain.money import Money
from gateway.portal.catalogue import LOCALES, language


def amount(value: Money | int, lang: str) -> str:
    """An amount in dirhams (MAD), from integer centimes."""
    centimes = value.centimes if isinstance(value, Money) else value
    return format_currency(Decimal(centimes) / 100, "MAD", locale=LOCALES[language(lang)])


def rate(value: Decimal, lang: str) -> str:
    """A share paid, as a percentage."""
    return format_percent(value, locale=LOCALES[language(lang)], decimal_quantization=False)


def day(value: date, lang: str) -> str:
    """A day written out (30 novembre 2026)."""
    return format_date(value, format="long", locale=LOCALES[language(lang)])


def typed_day(value: str | None) -> date | None:
    """A day as a form or a link carries it (2026-11-30); None when absent or not a day."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def start_of(value: date | None) -> datetime | None:
    """The day's first instant, in UTC, where a filter from that day starts (None: none)."""
    return None if value is None else datetime.combine(value, time.min, tzinfo=UTC)


def _morocco() -> tzinfo:
    try:
        return ZoneInfo("Africa/Casablanca")
    except ZoneInfoNotFoundError:  # no time zone database on this system: say UTC
        return UTC


MOROCCO = _morocco()


def moment(value: datetime, lang: str) -> str:
    """An instant in Morocco's time, short (30/11/2026 14:05)."""
    return format_datetime(value, format="short", tzinfo=MOROCCO, locale=LOCALES[language(lang)])


def booked(value: datetime, lang: str) -> str:
    """When a bank booked a transfer: the moment its statement gave, or the day alone when the
    statement gave only a day (adapters.bank_statements keeps it as that day's first UTC
    instant, which Morocco's time would show as a made-up 01:00)."""
    at = value.astimezone(UTC)
    if at.time() == time.min:
        return day(at.date(), lang)
    return moment(value, lang)


def filters() -> dict[str, Callable[..., Any]]:
    """The templates' filters: {{ amount | mad(lang) }}, {{ rate | percent(lang) }}, ..."""
    return {"mad": amount, "percent": rate, "longdate": day, "moment": moment, "booked": booked}
