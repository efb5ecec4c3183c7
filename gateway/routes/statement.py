"""The provider's statement: `GET /fhir/ClaimResponse/$statement`, as FHIR Parameters a page
at a time, or whole as a CSV file (`_format=text/csv`). Its own claims only: the tenant comes
from the token, and no parameter names another provider."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse

from domain.errors import InvalidRequest
from domain.payment_clock import ClaimState
from domain.records import Requester
from domain.services.statement import (
    ACCEPTED_STATES,
    Cursor,
    StatementQuery,
    statement_page,
)
from fhir_profiles import statement as fhir_statement
from gateway import statement_csv
from gateway.auth import Caller
from gateway.deps import SettingsDep, StatementPortsDep, authorized
from gateway.fhirjson import fhir_response

router = APIRouter(prefix="/fhir", tags=["payment-tracking"])
Searcher = Annotated[Caller, Depends(authorized("ClaimResponse", "s"))]
CSV_FORMATS = frozenset({"csv", "text/csv"})
FILED = ("filed-from", "filed-to")
FILED_FROM = "claims filed from that day (YYYY-MM-DD, UTC, included)"
FILED_TO = "claims filed up to that day (YYYY-MM-DD, UTC, included)"


@router.get("/ClaimResponse/$statement", name="statement.read")
async def statement(
    caller: Searcher,
    ports: StatementPortsDep,
    settings: SettingsDep,
    state: Annotated[list[str] | None, Query(description="due, overdue, paid or rejected")] = None,
    payer: Annotated[str | None, Query(max_length=64)] = None,
    count: Annotated[int, Query(alias="_count", ge=1, le=1000)] = 100,
    page: Annotated[str | None, Query(alias="_page", max_length=512)] = None,
    format_: Annotated[str | None, Query(alias="_format", max_length=64)] = None,
    filed_from: Annotated[date | None, Query(alias="filed-from", description=FILED_FROM)] = None,
    filed_to: Annotated[date | None, Query(alias="filed-to", description=FILED_TO)] = None,
) -> Response:
    """The caller's statement: due claims with their due dates, overdue, paid with the
    transfer that paid them, rejected with their reasons; those filed on some days."""
    days = (filed_from, filed_to)
    if format_ in CSV_FORMATS:
        return _csv(caller.requester, payer, ports, days)
    states = _states(state)
    query = StatementQuery(states, payer, count, cursor_of(page), *days)
    found = await statement_page(caller.requester, query, ports=ports)
    next_url = None
    if found.next is not None:
        params = [("state", s.value) for s in states] + [("_count", str(count))]
        params += [("payer", payer)] if payer else []
        params += [(name, day.isoformat()) for name, day in zip(FILED, days, strict=True) if day]
        params.append(("_page", token(found.next)))
        next_url = f"{settings.fhir_base}/ClaimResponse/$statement?{urlencode(params)}"
    return fhir_response(fhir_statement.from_domain(found, next_url=next_url))


def _states(values: list[str] | None) -> tuple[ClaimState, ...]:
    codes = [code for value in values or () for code in value.split(",") if code]
    try:
        return tuple(dict.fromkeys(ClaimState(code) for code in codes)) or ACCEPTED_STATES
    except ValueError as exc:
        raise InvalidRequest("Paramètre state : due, overdue, paid ou rejected attendu") from exc


def token(cursor: Cursor) -> str:
    after = None if cursor.after is None else [cursor.after[0].isoformat(), cursor.after[1]]
    raw = orjson.dumps({"after": after, "offset": cursor.offset})
    return base64.urlsafe_b64encode(raw).decode()


def cursor_of(token: str | None) -> Cursor:
    if token is None:
        return Cursor()
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        after = raw["after"]
        offset = int(raw["offset"])
        if offset < 0:
            raise ValueError(offset)
        at = None if after is None else (datetime.fromisoformat(after[0]), str(after[1]))
        if at is not None and at[0].tzinfo is None:
            raise ValueError(after)
    except (
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        binascii.Error,
        orjson.JSONDecodeError,
    ) as exc:
        raise InvalidRequest("Paramètre _page illisible : suivre le lien next de la page") from exc
    return Cursor(after=at, offset=offset)


def _csv(
    requester: Requester,
    payer: str | None,
    ports: StatementPortsDep,
    days: tuple[date | None, date | None],
) -> Response:
    return StreamingResponse(
        statement_csv.lines(requester, payer, ports=ports, days=days),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{statement_csv.filename(requester)}"',
            "Cache-Control": "no-store",
        },
    )
