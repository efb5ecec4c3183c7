"""The payer's medical reviewers on the console: the queue of pending prises en charge, a
request's page (lines, rights, documents, questions and answers), the decision and the
request for information.

Each form builds what a reviewer's software would send the API (the Parameters of `$decide`
and `$request-information`), reads it with the API's own reader (fhir_profiles.review) and
runs it through the same use case, the person's payer as the reviewer's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.accounts import Action, Side, StaffSession
from domain.errors import DomainError, NotFound, RateLimited, Unavailable
from domain.prior_auth import PriorAuthorization
from domain.records import QueueQuery
from domain.services import information, prior_auth, review_desk
from domain.services.prior_auth import ReviewVerdict
from fhir_profiles import attachments, communications, review
from gateway.errors import rule_for
from gateway.portal import catalogue, console_views, rights, web
from gateway.portal.console_views import ASK_REASONS, VERDICT_REASONS, reviewer_of
from gateway.portal.guards import person

router = APIRouter(include_in_schema=False)
PAGE = 20  # requests a page of the queue shows
BASE = "/console/authorizations"
DONE = ("decided", "asked")


@router.get(BASE)
async def queue_page(request: Request) -> Response:
    """The payer's pending requests: past their deadline first, then the nearest deadline."""
    session = await person(request, Side.PAYER, Action.REVIEW_REQUESTS)
    wired, lang = web.gateway(request), web.lang_of(request)
    offset = web.offset(request)
    overdue = request.query_params.get("overdue") == "1"
    now = wired.clock.now()
    query = QueueQuery(session.org, now if overdue else None, limit=PAGE, offset=offset)
    found, total = await review_desk.worklist(reviewer_of(session), query, ports=wired.prior_auth)
    names: dict[str, str] = {}
    rows = [
        console_views.row(
            s.authorization,
            await console_views.provider_name(request, s.authorization.tenant, names),
            wired.reference,
            now,
            lang,
        )
        for s in found
    ]
    more = offset + PAGE < total
    flag = "&overdue=1" if overdue else ""
    return web.page(
        request,
        "console_queue.html",
        session=session,
        rows=rows,
        total=total,
        overdue=overdue,
        offset=offset,
        next_page=f"?offset={offset + PAGE}{flag}" if more else None,
        previous_page=f"?offset={max(0, offset - PAGE)}{flag}" if offset else None,
    )


@router.get(BASE + "/{authorization_id}")
async def request_page(request: Request, authorization_id: str) -> Response:
    """One request of the payer's: what it asks, what the provider sent, the forms."""
    session = await person(request, Side.PAYER, Action.REVIEW_REQUESTS)
    done = request.query_params.get("done", "")
    lang = web.lang_of(request)
    notice = catalogue.text(lang, f"review.done.{done}") if done in DONE else ""
    return await _request_page(request, session, authorization_id[:64], notice=notice)


@router.post(BASE + "/{authorization_id}/decision")
async def decide(request: Request, authorization_id: str) -> Response:
    """Grant, grant in part or refuse, with a coded reason: then back to the request."""
    fields = await web.form(request)
    session = await person(request, Side.PAYER, Action.REVIEW_REQUESTS)
    wired, reviewer = web.gateway(request), reviewer_of(session)
    rid = authorization_id[:64]
    try:
        stored = await prior_auth.review_read(reviewer, rid, ports=wired.prior_auth)
        body = _decision_body(fields, stored.authorization)
        decision = review.decision(body)
        await prior_auth.decide(
            reviewer, rid, decision, ref=wired.reference, ports=wired.prior_auth
        )
    except (DomainError, ValueError) as exc:
        return await _refused(request, session, rid, exc, fields, "decide")
    return web.redirect(request, f"{BASE}/{quote(rid)}?done=decided")


@router.post(BASE + "/{authorization_id}/information")
async def ask(request: Request, authorization_id: str) -> Response:
    """Ask the provider for more, with a coded reason and a note: then back to the request."""
    fields = await web.form(request)
    session = await person(request, Side.PAYER, Action.REVIEW_REQUESTS)
    wired, rid = web.gateway(request), authorization_id[:64]
    body = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "reason", "valueCode": web.first(fields, "reason")},
            {"name": "note", "valueString": web.first(fields, "note").strip()},
        ],
    }
    try:
        reason, note = review.information_request(body)
        compose = communications.request_composer(reason, note)
        await information.ask_information(
            reviewer_of(session), rid, reason, note, compose, ports=wired.prior_auth
        )
    except DomainError as exc:
        return await _refused(request, session, rid, exc, fields, "ask")
    return web.redirect(request, f"{BASE}/{quote(rid)}?done=asked")


@router.get(BASE + "/{authorization_id}/answers/{answer_id}/documents/{index}")
async def document(request: Request, authorization_id: str, answer_id: str, index: str) -> Response:
    """A document the provider attached to an answer, as it was kept, to save (never shown
    inline: its bytes are the provider's)."""
    session = await person(request, Side.PAYER, Action.REVIEW_REQUESTS)
    wired = web.gateway(request)
    try:
        answer = await information.review_answer(
            reviewer_of(session), answer_id[:64], ports=wired.prior_auth
        )
    except NotFound:
        return web.not_found(request, session)
    found = console_views.attachments(console_views.message_body(answer))
    rank = int(index) if index.isdigit() and len(index) < 4 else -1
    if answer.authorization_id != authorization_id or not 0 <= rank < len(found):
        return web.not_found(request, session)
    # A name of ours: never the provider's title in a header.
    return _download(request, found[rank], f"{answer.id}-{rank + 1}")


@router.get(BASE + "/{authorization_id}/documents/{index}")
async def request_document(request: Request, authorization_id: str, index: str) -> Response:
    """A document the provider joined to its request, as it was kept, to save."""
    session = await person(request, Side.PAYER, Action.REVIEW_REQUESTS)
    rid = authorization_id[:64]
    try:
        stored = await prior_auth.review_read(
            reviewer_of(session), rid, ports=web.gateway(request).prior_auth
        )
    except NotFound:
        return web.not_found(request, session)
    found = console_views.sent_with_request(stored.request_body)
    rank = int(index) if index.isdigit() and len(index) < 4 else -1
    if not 0 <= rank < len(found):
        return web.not_found(request, session)
    return _download(request, found[rank], f"{rid}-{rank + 1}")


def _download(request: Request, kept: dict[str, Any], stem: str) -> Response:
    """A kept attachment as a file to save, under a name of ours."""
    kind = str(kept.get("contentType", "application/octet-stream"))
    suffix = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(kind, "bin")
    saved = Response(
        attachments.decoded(kept),
        media_type=kind,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{suffix}"'},
    )
    return web.guarded(request, saved)


async def _request_page(
    request: Request, session: StaffSession, rid: str, *, status: int = 200, **context: Any
) -> Response:
    wired, lang = web.gateway(request), web.lang_of(request)
    reviewer = reviewer_of(session)
    try:
        stored = await prior_auth.review_read(reviewer, rid, ports=wired.prior_auth)
        thread = await review_desk.review_thread(reviewer, rid, ports=wired.prior_auth)
        held = await review_desk.review_rights(
            reviewer, rid, ref=wired.reference, ports=wired.prior_auth
        )
    except NotFound:
        return web.not_found(request, session)
    except (RateLimited, Unavailable):
        return web.page(
            request, "error.html", session=session, status=503, key="error.unavailable", values={}
        )
    pa, now = stored.authorization, wired.clock.now()
    provider = await console_views.provider_name(request, pa.tenant, {})
    return web.page(
        request,
        "console_request.html",
        session=session,
        status=status,
        pa=pa,
        provider=provider,
        kind=console_views.kind_label(wired.reference, pa.pa_type, lang),
        left=console_views.time_left(pa.deadline, now, lang),
        overdue=pa.overdue(now),
        lines=console_views.lines(pa),
        rights=None if held is None else rights.words(held, wired.reference, lang),
        rules=console_views.reason_labels(pa.reasons, lang),
        said=console_views.exchange(pa, thread.messages, lang),
        sent=console_views.request_documents(pa.id, stored.request_body),
        verdicts=[
            (v.value, console_views.reason_labels(VERDICT_REASONS[v], lang)) for v in ReviewVerdict
        ],
        ask_reasons=console_views.reason_labels(ASK_REASONS, lang),
        **context,
    )


async def _refused(
    request: Request,
    session: StaffSession,
    rid: str,
    exc: Exception,
    fields: dict[str, list[str]],
    form: str,
) -> Response:
    """The request's page again, saying why, with the status the API would answer."""
    lang = web.lang_of(request)
    if isinstance(exc, NotFound):
        return web.not_found(request, session)
    status = rule_for(exc).status if isinstance(exc, DomainError) else 422
    detail = getattr(exc, "detail", None) or catalogue.text(lang, "review.bad-quantity")
    error = catalogue.text(lang, f"review.refused.{form}", detail=detail)
    kept = {name: web.first(fields, name) for name in fields if name != "csrf"}
    return await _request_page(
        request, session, rid, status=status, error=error, form=form, kept=kept
    )


def _decision_body(fields: dict[str, list[str]], pa: PriorAuthorization) -> dict[str, Any]:
    """The Parameters a reviewer's software would post to `$decide`; a partial grant's
    amounts follow the quantities granted (the share of each line's amount asked)."""
    verdict = web.first(fields, "verdict")
    params: list[dict[str, Any]] = [
        {"name": "decision", "valueCode": verdict},
        {"name": "reason", "valueCode": web.first(fields, f"reason-{verdict}")},
    ]
    until = web.first(fields, "valid_until").strip()
    if until:
        params.append({"name": "validUntil", "valueDate": until})
    if verdict == ReviewVerdict.PARTIAL.value:
        for line in pa.lines:
            quantity = int(web.first(fields, f"quantity-{line.sequence}") or "0")
            if not 0 <= quantity <= line.quantity:
                raise ValueError(quantity)
            share = line.amount.centimes * quantity // max(line.quantity, 1)
            params.append(
                {
                    "name": "item",
                    "part": [
                        {"name": "sequence", "valuePositiveInt": line.sequence},
                        {"name": "quantity", "valueUnsignedInt": quantity},
                        {
                            "name": "amount",
                            "valueMoney": {"value": float(Decimal(share) / 100), "currency": "MAD"},
                        },
                    ],
                }
            )
    return {"resourceType": "Parameters", "parameter": params}
