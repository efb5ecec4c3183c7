"""The payer's figures on the console, for a period: per provider and in all, claims made
payable and paid, prior-authorization requests and decisions (median delay, refusal rate),
as a table and as a CSV file. The figures are domain.services.statistics'."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from babel.dates import format_timedelta
from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.accounts import Action, Side, StaffSession
from domain.errors import InvalidRequest
from domain.services import statistics
from domain.services.statistics import Figures, Report
from gateway.portal import catalogue, web
from gateway.portal.console_views import officer_of, provider_name
from gateway.portal.formats import typed_day
from gateway.portal.guards import person

router = APIRouter(include_in_schema=False)
BASE = "/console/stats"
COLUMNS = (
    "provider",
    "claims",
    "accepted",
    "paid",
    "requests",
    "decisions",
    "median-hours",
    "refusal-rate",
)


def delay(value: timedelta | None, lang: str) -> str:
    """A median delay in words ('' when nothing was decided)."""
    if value is None:
        return ""
    locale = catalogue.LOCALES[catalogue.language(lang)]
    return format_timedelta(value, locale=locale, threshold=1.5)


@router.get(BASE)
async def stats_page(request: Request) -> Response:
    """The figures of the period asked (this month so far, unless said)."""
    session = await person(request, Side.PAYER, Action.READ_STATISTICS)
    lang = web.lang_of(request)
    start, end = _days(request)
    try:
        report = await _report(request, session, start, end)
    except InvalidRequest as exc:
        error = catalogue.text(lang, "stats.refused", detail=exc.detail or exc.code)
        return web.page(
            request,
            "console_stats.html",
            session=session,
            status=422,
            start=start,
            end=end,
            report=None,
            error=error,
            names={},
        )
    names: dict[str, str] = {}
    for f in report.rows:
        await provider_name(request, f.subject, names)
    return web.page(
        request,
        "console_stats.html",
        session=session,
        start=start,
        end=end,
        report=report,
        names=names,
        delay=lambda v: delay(v, lang),
        query=f"from={start.isoformat()}&to={end.isoformat()}",
    )


@router.get(BASE + ".csv")
async def stats_csv(request: Request) -> Response:
    """The same figures as a CSV file (amounts in dirhams, delays in hours)."""
    session = await person(request, Side.PAYER, Action.READ_STATISTICS)
    start, end = _days(request)
    try:
        report = await _report(request, session, start, end)
    except InvalidRequest as exc:
        answer = Response(exc.detail or exc.code, status_code=422, media_type="text/plain")
        return web.guarded(request, answer)
    names: dict[str, str] = {}
    for f in report.rows:
        await provider_name(request, f.subject, names)
    name = f"statistiques-{session.org}-{start.isoformat()}-{end.isoformat()}.csv"
    answer = Response(
        _csv(report, names),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    return web.guarded(request, answer)


async def _report(request: Request, session: StaffSession, start: date, end: date) -> Report:
    days = statistics.period(start, end)
    begin = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    figures = web.gateway(request).figures
    return await statistics.payer_figures(officer_of(session), begin, until, days, ports=figures)


def _csv(report: Report, names: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for figures in (*report.rows, report.total):
        writer.writerow(_line(figures, names.get(figures.subject, figures.subject)))
    return out.getvalue()


def _line(f: Figures, name: str) -> list[str]:
    hours = "" if f.median_delay is None else f"{f.median_delay.total_seconds() / 3600:.1f}"
    rate = "" if f.refusal_rate is None else f"{f.refusal_rate.quantize(Decimal('0.0001'))}"
    return [
        name,
        str(f.claims),
        f"{f.accepted.as_decimal():.2f}",
        f"{f.paid.as_decimal():.2f}",
        str(f.requests),
        str(f.decisions),
        hours,
        rate,
    ]


def _days(request: Request) -> tuple[date, date]:
    today = web.gateway(request).clock.now().date()
    start = typed_day(request.query_params.get("from")) or today.replace(day=1)
    return start, typed_day(request.query_params.get("to")) or today
