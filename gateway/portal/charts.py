"""The provider's money month by month, drawn: how long its paid claims waited for their cash
(median and 90th percentile, domain.services.statement.claim_to_cash by month of payment) and
what it was paid each month. Inline SVG drawn here on the server (no script, no CDN: the
extranet's policy forbids both), each chart with its title and description for screen
readers, and the same figures in a table below it and as a CSV file.

In a right-to-left language the months run from right to left, as the page reads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.accounts import Action, Side
from domain.money import ZERO, Money
from domain.payment_clock import CashDelay
from domain.services.statement import BY_MONTH, claim_to_cash
from gateway.portal import catalogue, web
from gateway.portal.formats import amount
from gateway.portal.guards import person
from gateway.portal.pages import requester_of

router = APIRouter(include_in_schema=False)
WIDTH, HEIGHT = 480, 260  # the drawing's own units; it scales to the screen (a phone's too)
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 28, 44  # margins: values above the bars, months below
MONTHS = 12  # the last months drawn (the table holds them all)
LABELLED = 6  # beyond that many months, every other month is named, and bars say no value


@dataclass(frozen=True, slots=True)
class Month:
    """One month of payments: how many claims were paid, after how long, for how much."""

    month: date  # its first day
    paid: int = 0
    median: Decimal | None = None  # days, None when nothing was paid that month
    p90: Decimal | None = None
    amount: Money = ZERO


@dataclass(frozen=True, slots=True)
class Bar:
    """A bar as drawn: where, how tall, its colour's class, what it says."""

    x: float
    y: float
    width: float
    height: float
    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart ready to draw: its bars, the months' labels and where they go."""

    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, str], ...]
    width: int = WIDTH
    height: int = HEIGHT


def months(delays: list[CashDelay]) -> list[Month]:
    """Every month from the first paid to the last, those with nothing paid included."""
    found = {str(d.key): d for d in delays if d.key}
    if not found:
        return []
    first, last = _first_day(min(found)), _first_day(max(found))
    out, current = [], first
    while current <= last:
        d = found.get(current.strftime("%Y-%m"))
        out.append(Month(current) if d is None else Month(current, d.paid, d.median, d.p90,
                                                           d.amount))  # fmt: skip
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return out


def chart(
    rows: list[Month], series: dict[str, Callable[[Month], Decimal | None]],
    say: Callable[[Decimal], str], lang: str,
) -> Chart:  # fmt: skip
    """Bars side by side for each month, one per series, scaled to the tallest; mirrored in
    a right-to-left language."""
    shown = rows[-MONTHS:]
    values = [v for row in shown for pick in series.values() if (v := pick(row)) is not None]
    top = max(values, default=Decimal(0)) or Decimal(1)
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(shown))
    width = slot * 0.8 / max(1, len(series))
    rtl = lang in catalogue.RTL
    bars, ticks = [], []
    for i, row in enumerate(shown):
        start = LEFT + i * slot + slot * 0.1
        for j, (kind, pick) in enumerate(series.items()):
            value = pick(row)
            if value is None:
                continue
            height = float(value / top) * (HEIGHT - TOP - BOTTOM)
            x = start + j * width
            x = WIDTH - x - width if rtl else x
            label = say(value) if len(shown) <= LABELLED else ""
            bars.append(Bar(round(x, 1), round(HEIGHT - BOTTOM - height, 1), round(width, 1),
                            round(height, 1), kind, label))  # fmt: skip
        if (len(shown) - 1 - i) % (1 + (len(shown) - 1) // LABELLED):  # the last one is named
            continue
        middle = LEFT + i * slot + slot / 2
        ticks.append((round(WIDTH - middle if rtl else middle, 1), month_name(row.month, lang)))
    return Chart(tuple(bars), tuple(ticks))


def month_name(month: date, lang: str) -> str:
    """A month as people write it short (nov. 2026)."""
    return format_date(month, format="MMM y", locale=catalogue.LOCALES[catalogue.language(lang)])


def days(value: Decimal | None, lang: str) -> str:
    """A number of days to the tenth, in the language's digits and separator."""
    if value is None:
        return ""
    return format_decimal(value, locale=catalogue.LOCALES[catalogue.language(lang)])


@router.get("/portal/payments/charts")
async def charts_page(request: Request) -> Response:
    """Claim-to-cash and the amounts paid, month by month, drawn and in a table."""
    session = await person(request, Side.PROVIDER, Action.FOLLOW_PAYMENTS)
    who, _ = await requester_of(request, session)
    lang = web.lang_of(request)
    rows = months(await claim_to_cash(who, BY_MONTH, ports=web.gateway(request).statement))
    delay = chart(rows, {"median": lambda m: m.median, "p90": lambda m: m.p90},
                  lambda v: days(v, lang), lang)  # fmt: skip
    paid = chart(rows, {"paid": lambda m: Decimal(m.amount.centimes) / 100},
                 lambda v: amount(int(v * 100), lang), lang)  # fmt: skip
    return web.page(request, "charts.html", session=session, rows=rows, delay=delay,
                    paid=paid, month_name=month_name, days=days)  # fmt: skip


@router.get("/portal/payments/charts.csv")
async def charts_csv(request: Request) -> Response:
    """The charts' figures as a CSV file (decimal comma, `;`, as Excel in French reads it)."""
    session = await person(request, Side.PROVIDER, Action.FOLLOW_PAYMENTS)
    who, _ = await requester_of(request, session)
    lang = web.lang_of(request)
    rows = months(await claim_to_cash(who, BY_MONTH, ports=web.gateway(request).statement))
    out = io.StringIO()
    write = csv.writer(out, delimiter=";", lineterminator="\r\n").writerow
    write([catalogue.text(lang, f"charts.col.{c}") for c in ("month", "paid", "median", "p90")]
          + [catalogue.text(lang, "charts.col.amount")])  # fmt: skip
    for row in rows:
        write([row.month.strftime("%Y-%m"), row.paid, _comma(row.median, 1),
               _comma(row.p90, 1), _comma(Decimal(row.amount.centimes) / 100, 2)])  # fmt: skip
    headers = {"Content-Disposition": 'attachment; filename="paiements.csv"'}
    answer = Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                      headers=headers)  # fmt: skip
    return web.guarded(request, answer)


def _comma(value: Decimal | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}".replace(".", ",")


def _first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)
