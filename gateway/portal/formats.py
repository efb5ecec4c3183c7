"""Amounts, rates and dates as people read them in the chosen language (Babel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
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


def _morocco() -> tzinfo:
    try:
        return ZoneInfo("Africa/Casablanca")
    except ZoneInfoNotFoundError:  # no time zone database on this system: say UTC
        return UTC


MOROCCO = _morocco()


def moment(value: datetime, lang: str) -> str:
    """An instant in Morocco's time, short (30/11/2026 14:05)."""
    return format_datetime(value, format="short", tzinfo=MOROCCO, locale=LOCALES[language(lang)])


def filters() -> dict[str, Callable[..., Any]]:
    """The templates' filters: {{ amount | mad(lang) }}, {{ rate | percent(lang) }}, ..."""
    return {"mad": amount, "percent": rate, "longdate": day, "moment": moment}
