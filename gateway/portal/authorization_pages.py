"""The provider's prises en charge pages: ask one (the API's own path), the list and its CSV
export, one in detail (answer the reviewer, cancel), and the attestation of a grant."""

from __future__ import annotations

import hashlib
import hmac
from base64 import b64decode
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.accounts import Action, Side, StaffSession
from domain.errors import DomainError, NotFound
from domain.services import information, prior_auth
from fhir_profiles import communications, messages
from fhir_profiles.limits import MAX_ATTACHMENTS
from gateway.deps import documents_body_bytes
from gateway.errors import rule_for
from gateway.portal import authorizations, catalogue, pec_request, uploads, web
from gateway.portal.guards import WrongSide, person
from gateway.portal.pages import requester_of

router = APIRouter(include_in_schema=False)
HOME = "/portal/authorizations"


@router.get(HOME)
async def list_page(request: Request) -> Response:
    """The organization's prises en charge, newest first, by status, page by page."""
    session = await person(request, Side.PROVIDER, Action.REQUEST_PEC)
    who, _ = await requester_of(request, session)
    wired, lang = web.gateway(request), web.lang_of(request)
    status, offset = _status(request), web.offset(request)
    now = wired.clock.now()
    if request.query_params.get("format") == "csv":
        return await _csv(request, session, status)
    rows, total = await authorizations.search(who, status, offset, lang, ports=wired.prior_auth,
                                              now=now)  # fmt: skip
    link = lambda at: urlencode({k: v for k, v in (("status", status), ("offset", at)) if v})  # noqa: E731
    after, before = offset + authorizations.PAGE, max(0, offset - authorizations.PAGE)
    return web.page(
        request, "authorizations.html", session=session, rows=rows, total=total, chosen=status,
        statuses=authorizations.STATUSES, status_words=authorizations.status_words,
        csv=urlencode({k: v for k, v in (("status", status), ("format", "csv")) if v}),
        next_page=link(str(after)) if after < total else None,
        previous_page=link(str(before) if before else "") if offset else None,
    )  # fmt: skip


@router.get(f"{HOME}/export.csv")
async def export(request: Request) -> Response:
    """The list (of a status, when one is chosen) as a CSV file."""
    session = await person(request, Side.PROVIDER, Action.REQUEST_PEC)
    return await _csv(request, session, _status(request))


async def _csv(request: Request, session: StaffSession, status: str) -> Response:
    who, _ = await requester_of(request, session)
    wired, lang = web.gateway(request), web.lang_of(request)
    rows = await authorizations.every(who, status, lang, ports=wired.prior_auth,
                                      now=wired.clock.now())  # fmt: skip
    answer = Response(
        authorizations.csv_text(rows, lang).encode("utf-8"), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="prises-en-charge.csv"'},
    )  # fmt: skip
    return web.guarded(request, answer)


@router.get(f"{HOME}/new")
async def new_form(request: Request) -> Response:
    """The request form, with the Idempotency-Key its sending will carry."""
    session = await person(request, Side.PROVIDER, Action.REQUEST_PEC)
    return _form(request, session, pec_request.PecQuery())


@router.post(f"{HOME}/new")
async def ask(request: Request) -> Response:
    """Ask a prise en charge; then its page (post, redirect, get)."""
    wired, lang = web.gateway(request), web.lang_of(request)
    limit = wired.settings.max_attachment_bytes
    try:
        posted = await uploads.posted(request, limit)
    except uploads.TooMuch:
        session = await person(request, Side.PROVIDER, Action.REQUEST_PEC)
        error = _too_heavy(lang, limit)
        return _form(request, session, pec_request.PecQuery(), status=413, error=error)
    session = await person(request, Side.PROVIDER, Action.REQUEST_PEC)
    query = pec_request.PecQuery.of(posted.fields)
    org = await wired.accounts.accounts.organization(session.org)
    if org is None:
        raise WrongSide(Side.PROVIDER)
    asking = pec_request.Wired(
        wired.reference, wired.prior_auth, wired.claims, limit,
        documents_body_bytes(wired.settings),
    )  # fmt: skip
    try:
        answer = await pec_request.request(
            query, posted.uploads, pec_request.caller(session, org), lang, asking
        )
    except DomainError as exc:
        error = catalogue.text(lang, "pec.refused", detail=reason(exc, lang))
        return _form(request, session, query, status=rule_for(exc).status, error=error)
    return web.redirect(request, f"{HOME}/{answer.response_id}?done=requested")


def reason(exc: DomainError, lang: str) -> str:
    """A refusal as the API words it: its reason's label in the language, and its detail."""
    said = messages.label(exc.code, lang)
    return f"{said} — {exc.detail}" if exc.detail and exc.detail != said else said


def _form(
    request: Request,
    session: StaffSession,
    query: pec_request.PecQuery,
    *,
    status: int = 200,
    error: str = "",
) -> Response:
    wired, lang = web.gateway(request), web.lang_of(request)
    ref, limit = wired.reference, wired.settings.max_attachment_bytes
    return web.page(
        request, "authorization_new.html", session=session, status=status, query=query,
        error=error, kinds=pec_request.KINDS, types=pec_request.pa_types(ref, query.day, lang),
        specialties=pec_request.specialties(ref), conditions=pec_request.conditions(ref, query.day),
        size=_size(limit, lang), count=MAX_ATTACHMENTS,
    )  # fmt: skip


@router.get(HOME + "/{pec_id}")
async def detail_page(request: Request, pec_id: str) -> Response:
    """One prise en charge: its state in words, lines, documents, the reviewer's questions."""
    session = await person(request, Side.PROVIDER, Action.REQUEST_PEC)
    done = request.query_params.get("done", "")
    notice = catalogue.text(web.lang_of(request), DONE[done]) if done in DONE else ""
    return await _detail(request, session, pec_id, notice=notice)


DONE = {"requested": "pec.requested", "cancelled": "pec.cancel.done", "answered": "pec.info.done"}


async def _detail(
    request: Request, session: StaffSession, pec_id: str, *, status: int = 200, **context: str
) -> Response:
    who, _ = await requester_of(request, session)
    wired, lang = web.gateway(request), web.lang_of(request)
    try:
        found = await authorizations.detail(who, pec_id[:64], lang, ports=wired.prior_auth)
    except NotFound:
        return web.not_found(request, session)
    return web.page(
        request, "authorization.html", session=session, status=status, pec=found,
        when=authorizations.when, money=authorizations.money, now=wired.clock.now(),
        w=messages.wording(lang),
        size=_size(wired.settings.max_attachment_bytes, lang), count=MAX_ATTACHMENTS, **context,
    )  # fmt: skip


@router.post(HOME + "/{pec_id}/cancel")
async def cancel(request: Request, pec_id: str) -> Response:
    """Withdraw the prise en charge, once the person confirmed it."""
    fields = await web.form(request)
    session = await person(request, Side.PROVIDER, Action.REQUEST_PEC)
    who, _ = await requester_of(request, session)
    lang = web.lang_of(request)
    if web.first(fields, "confirm") != "1":
        error = catalogue.text(lang, "pec.cancel.unconfirmed")
        return await _detail(request, session, pec_id, status=422, error=error)
    try:
        await prior_auth.cancel(who, pec_id[:64], ports=web.gateway(request).prior_auth)
    except NotFound:
        return web.not_found(request, session)
    except DomainError as exc:
        error = catalogue.text(lang, "pec.cancel.refused", detail=reason(exc, lang))
        return await _detail(request, session, pec_id, status=rule_for(exc).status, error=error)
    return web.redirect(request, f"{HOME}/{pec_id[:64]}?done=cancelled")


@router.post(HOME + "/{pec_id}/information/{request_id}")
async def answer(request: Request, pec_id: str, request_id: str) -> Response:
    """Answer the reviewer's request with a text and documents: the API's Communication."""
    wired, lang = web.gateway(request), web.lang_of(request)
    limit = wired.settings.max_attachment_bytes
    try:
        posted = await uploads.posted(request, limit)
    except uploads.TooMuch:
        session = await person(request, Side.PROVIDER, Action.REQUEST_PEC)
        error = _too_heavy(lang, limit)
        return await _detail(request, session, pec_id, status=413, error=error)
    session = await person(request, Side.PROVIDER, Action.REQUEST_PEC)
    who, inpe = await requester_of(request, session)
    said = web.first(posted.fields, "text").strip()
    payload = [{"contentString": said}] if said else []
    payload += [{"contentAttachment": uploads.attachment(u)} for u in posted.uploads]
    body = {"resourceType": "Communication", "status": "completed",
            "basedOn": [{"reference": f"CommunicationRequest/{request_id[:64]}"}],
            "payload": payload}  # fmt: skip
    try:
        asked = await information.provider_request(who, request_id[:64], ports=wired.prior_auth)
        if asked.authorization.id != pec_id:  # a request of another of its prises en charge
            raise NotFound("Aucune demande de complément avec cet identifiant")
        read = communications.read_answer(body, max_attachment_bytes=limit)
        compose = communications.answer_composer(read, inpe)
        await information.information_given(who, read.request_id, compose, ports=wired.prior_auth)
    except NotFound:
        return web.not_found(request, session)
    except DomainError as exc:
        error = catalogue.text(lang, "pec.info.refused", detail=reason(exc, lang))
        return await _detail(request, session, pec_id, status=rule_for(exc).status,
                             error=error, typed=said)  # fmt: skip
    return web.redirect(request, f"{HOME}/{pec_id[:64]}?done=answered")


@router.get(HOME + "/{pec_id}/attestation")
async def attestation(request: Request, pec_id: str) -> Response:
    """The printable attestation of a granted prise en charge (409 for one not granted)."""
    session = await person(request, Side.PROVIDER, Action.REQUEST_PEC)
    who, _ = await requester_of(request, session)
    wired, lang = web.gateway(request), web.lang_of(request)
    try:
        found = await authorizations.detail(who, pec_id[:64], lang, ports=wired.prior_auth)
    except NotFound:
        return web.not_found(request, session)
    if not found.attested:
        return web.page(request, "error.html", session=session, status=409,
                        key="pec.attestation.none", values={"status": found.said})  # fmt: skip
    org = await wired.accounts.accounts.organization(session.org)
    key = hmac.new(b64decode(wired.settings.token_key.get_secret_value()), b"pec-attestation",
                   hashlib.sha256).digest()  # fmt: skip
    return web.page(
        request, "attestation.html", session=session, pec=found, org=org,
        attested=authorizations.attestation(found, wired.reference, key, lang),
        when=authorizations.when, money=authorizations.money,
    )  # fmt: skip


def _status(request: Request) -> str:
    status = request.query_params.get("status", "")
    return status if status in authorizations.STATUSES else ""


def _too_heavy(lang: str, limit: int) -> str:
    return catalogue.text(lang, "pec.too-heavy", size=_size(limit, lang), count=MAX_ATTACHMENTS)


def _size(max_bytes: int, lang: str) -> str:
    return catalogue.text(lang, "pec.size", kb=max(1, max_bytes // 1024))
