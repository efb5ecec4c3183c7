"""The pharmacist's claim pages: the form (check at the counter, then bill), a claim's answer,
and the claims as a CSV file; each through the API's own use case, the person's organization
being the requester."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from domain.accounts import Action, Side, StaffSession
from domain.errors import DomainError, KeyReused, NotFound, RateLimited, Unavailable
from domain.records import Requester
from fhir_profiles import messages
from gateway.errors import rule_for
from gateway.portal import catalogue, claim_form, claims, web
from gateway.portal.claim_form import ClaimDraft
from gateway.portal.guards import person
from gateway.portal.pages import requester_of
from gateway.portal.rights import identifier_kinds

router = APIRouter(include_in_schema=False)
SHARES = ("billed", "ro", "rc", "patient")


@router.get("/portal/claims/new")
async def claim_form_page(request: Request) -> Response:
    """An empty form, with the Idempotency-Key its bill will be sent under."""
    session = await person(request, Side.PROVIDER, Action.SUBMIT_CLAIM)
    return _form(request, session, ClaimDraft())


@router.post("/portal/claims/new")
async def send_claim(request: Request) -> Response:
    """Check at the counter (the answer, line by line, on the form), or bill (then the
    claim's answer, after a redirect: a reload does not post it again)."""
    fields = await web.form(request)
    session = await person(request, Side.PROVIDER, Action.SUBMIT_CLAIM)
    who, inpe = await requester_of(request, session)
    wired, lang = web.gateway(request), web.lang_of(request)
    draft = ClaimDraft.of(fields)
    use = web.first(fields, "use")
    use = use if use in claim_form.USES else "predetermination"
    try:
        answer = await claim_form.send(draft, use, who, inpe=inpe, lang=lang,
                                       ref=wired.reference, ports=wired.claims)  # fmt: skip
    except (RateLimited, Unavailable):
        error = catalogue.text(lang, "error.unavailable")
        return _form(request, session, draft, status=503, error=error)
    except KeyReused:  # the form billed other lines: those stay billed, these are a new claim
        error = catalogue.text(lang, "claimform.reused")
        return _form(request, session, claim_form.fresh(draft), status=422, error=error)
    except DomainError as exc:
        return _refused(request, session, draft, exc)
    if use == "claim":
        return web.redirect(request, f"/portal/claims/{answer.response_id}")
    row = await claims.read(who, answer.response_id, lang, ports=wired.claims)
    held = claim_form.held_until(answer.body)
    return _form(request, session, draft, row=row, held=held)


@router.get("/portal/claims.csv")
async def claims_csv(request: Request) -> Response:
    """The organization's claims as the list shows them (same filter), one line each."""
    session = await person(request, Side.PROVIDER, Action.SUBMIT_CLAIM)
    who, _ = await requester_of(request, session)
    status = request.query_params.get("status", "")
    status = status if status in claims.STATUSES else ""
    lang = web.lang_of(request)
    answer = StreamingResponse(
        _csv_lines(who, status, lang, request),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="factures.csv"'},
    )
    return web.guarded(request, answer)


@router.get("/portal/claims/{response_id}")
async def claim_page(request: Request, response_id: str) -> Response:
    """One of the organization's claims and its answer (another's: not found)."""
    session = await person(request, Side.PROVIDER, Action.SUBMIT_CLAIM)
    who, _ = await requester_of(request, session)
    lang = web.lang_of(request)
    try:
        row = await claims.read(who, response_id[:64], lang, ports=web.gateway(request).claims)
    except NotFound:
        return web.not_found(request, session)
    return web.page(request, "claim.html", session=session, row=row, w=messages.wording(lang))


def _refused(
    request: Request, session: StaffSession, draft: ClaimDraft, exc: DomainError
) -> Response:
    """The form again, saying why in the person's language, and on which row."""
    lang = web.lang_of(request)
    reason = messages.label(exc.code, lang)
    row = claim_form.row_of(draft, exc.expression)
    if row is not None:
        reason = catalogue.text(lang, "claimform.on-line", n=row, reason=reason)
    error = catalogue.text(lang, "claimform.invalid", reason=reason)
    return _form(request, session, draft, status=rule_for(exc).status, error=error,
                 detail=exc.detail, bad_row=row)  # fmt: skip


def _form(
    request: Request, session: StaffSession, draft: ClaimDraft, *, status: int = 200,
    **context: object,
) -> Response:  # fmt: skip
    lang = web.lang_of(request)
    return web.page(
        request, "claim_form.html", session=session, status=status, draft=draft,
        kinds=identifier_kinds(), documents=claim_form.DOCUMENTS, w=messages.wording(lang),
        **context,
    )  # fmt: skip


async def _csv_lines(
    who: Requester, status: str, lang: str, request: Request
) -> AsyncIterator[str]:
    """A header, then every claim of the filter, a page of the list at a time."""
    t = lambda key: catalogue.text(lang, key)  # noqa: E731
    yield "\ufeff" + _csv_row([t("claimform.csv.claim"), t("claimform.csv.answer"),
                               t("claimform.csv.created"), t("claimform.csv.use"),
                               t("claims.status"), *(t(f"claims.{s}") for s in SHARES),
                               t("claimform.csv.reasons")])  # fmt: skip
    ports, offset, total = web.gateway(request).claims, 0, 1
    while offset < total:
        rows, total = await claims.search(who, status, offset, lang, ports=ports)
        if not rows:
            break
        offset += len(rows)
        for row in rows:
            reasons = sorted({r["code"] for line in row.lines for r in line.reasons})
            amounts = [_decimal(row.totals.get(s)) for s in SHARES]
            yield _csv_row([row.id, row.response, row.created.isoformat(), row.use, row.status,
                            *amounts, " ".join(reasons)])  # fmt: skip


def _decimal(value: object) -> str:
    """An amount as a spreadsheet in French reads it (1234,50), '' when absent."""
    centimes = getattr(value, "centimes", None)
    return "" if centimes is None else f"{Decimal(centimes) / 100:.2f}".replace(".", ",")


def _csv_row(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerow(values)
    return out.getvalue()
