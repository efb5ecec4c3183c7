"""The provider's money pages: its payments (statement and transfers, a transfer's claims, the
statement as a CSV file) and its claims with their answers, each read through the API's own
use case with the person's organization as the requester."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from domain.accounts import Action, Side
from domain.errors import NotFound
from fhir_profiles import messages
from gateway import statement_csv
from gateway.portal import claims, payments, web
from gateway.portal.guards import person
from gateway.portal.pages import requester_of

router = APIRouter(include_in_schema=False)


@router.get("/portal/payments")
async def payments_page(request: Request) -> Response:
    """The statement (due, overdue, paid, rejected claims) and the transfers, filtered."""
    session = await person(request, Side.PROVIDER, Action.FOLLOW_PAYMENTS)
    who, _ = await requester_of(request, session)
    wired, lang = web.gateway(request), web.lang_of(request)
    query = payments.PaymentsQuery.of(dict(request.query_params))
    found = await payments.read(who, query, lang, ports=wired.statement, transfers=wired.payments)
    next_lines = None if found.next is None else urlencode(query.link(page=found.next))
    next_transfers = (
        None if found.transfers_next is None
        else urlencode(query.link(after=found.transfers_next))
    )  # fmt: skip
    return web.page(
        request, "payments.html", session=session, query=query, found=found,
        states=payments.STATES, payers=payments.PAYERS, next_lines=next_lines,
        next_transfers=next_transfers, csv=urlencode(query.link(state=None, after=None)),
        status_key=payments.status_key, bank_reason=payments.bank_reason,
    )  # fmt: skip


@router.get("/portal/payments/statement.csv")
async def payments_csv(request: Request) -> Response:
    """The whole statement as the API's CSV file (a payer's only, when one is chosen)."""
    session = await person(request, Side.PROVIDER, Action.FOLLOW_PAYMENTS)
    who, _ = await requester_of(request, session)
    query = payments.PaymentsQuery.of(dict(request.query_params))
    days = (query.filed_from, query.filed_to)
    answer = StreamingResponse(
        statement_csv.lines(
            who, query.payer or None, ports=web.gateway(request).statement, days=days
        ),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{statement_csv.filename(who)}"'},
    )
    return web.guarded(request, answer)


@router.get("/portal/payments/transfers/{transfer_id}")
async def transfer_page(request: Request, transfer_id: str) -> Response:
    """One of the organization's transfers and the claims it paid (another's: not found)."""
    session = await person(request, Side.PROVIDER, Action.FOLLOW_PAYMENTS)
    who, _ = await requester_of(request, session)
    try:
        found = await payments.transfer(who, transfer_id[:64], ports=web.gateway(request).payments)
    except NotFound:
        return web.not_found(request, session)
    return web.page(request, "transfer.html", session=session, transfer=found,
                    status_key=payments.status_key, bank_reason=payments.bank_reason)  # fmt: skip


@router.get("/portal/claims")
async def claims_page(request: Request) -> Response:
    """The organization's claims, newest first: status, shares, reasons and next steps."""
    session = await person(request, Side.PROVIDER, Action.SUBMIT_CLAIM)
    who, _ = await requester_of(request, session)
    lang = web.lang_of(request)
    status = request.query_params.get("status", "")
    status = status if status in claims.STATUSES else ""
    offset = web.offset(request)
    rows, total = await claims.search(who, status, offset, lang, ports=web.gateway(request).claims)
    after = offset + claims.PAGE
    more = urlencode({k: v for k, v in {"status": status, "offset": str(after)}.items() if v})
    return web.page(request, "claims.html", session=session, rows=rows, total=total,
                    chosen=status, statuses=claims.STATUSES, w=messages.wording(lang),
                    next_page=more if after < total else None)  # fmt: skip
