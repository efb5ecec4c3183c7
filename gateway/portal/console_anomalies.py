"""The payer's reviewers read its anomaly flags on the console: the list, filtered by reason,
provider and day, and one flag's detail, through the same use cases as the API's
DetectedIssue (only their payer's; another payer's flag is not found)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from domain.accounts import Action, Side, StaffSession
from domain.anomaly_flags import FIGURES, SIGNALS, AnomalyFlag, FlagQuery, label
from domain.errors import NotFound
from domain.services import anomalies
from gateway.portal import catalogue, web
from gateway.portal.console_views import provider_name, reviewer_of
from gateway.portal.formats import start_of, typed_day
from gateway.portal.guards import person

router = APIRouter(include_in_schema=False)
BASE = "/console/anomalies"
PAGE = 25
CODES = (*SIGNALS, *FIGURES)


def reason(code: str, lang: str) -> str:
    """A flag's reason in the person's language (the domain's French label otherwise)."""
    return catalogue.named(lang, "anomaly.code", code, label(code))


@router.get(BASE)
async def flags_page(request: Request) -> Response:
    """The payer's flags, newest first, filtered."""
    session = await person(request, Side.PAYER, Action.READ_ANOMALIES)
    params = request.query_params
    code = params.get("code", "")
    code = code if code in CODES else ""
    inpe = params.get("inpe", "").strip()[:32]
    since, until = typed_day(params.get("from")), typed_day(params.get("to"))
    offset = web.offset(request)
    provider = await _provider_id(request, inpe) if inpe else None
    query = FlagQuery(
        session.org,
        (code,) if code else (),
        provider or (inpe or None),
        start_of(since),
        start_of(until + timedelta(days=1) if until else None),
        PAGE,
        offset,
    )
    flags, total = await anomalies.search_flags(
        reviewer_of(session), query, ports=web.gateway(request).anomalies
    )
    kept = {
        "code": code,
        "inpe": inpe,
        "from": since.isoformat() if since else "",
        "to": until.isoformat() if until else "",
    }
    more = offset + PAGE < total
    next_page = urlencode({**{k: v for k, v in kept.items() if v}, "offset": offset + PAGE})
    lang = web.lang_of(request)
    return web.page(
        request,
        "console_anomalies.html",
        session=session,
        flags=flags,
        total=total,
        kept=kept,
        codes=[(c, reason(c, lang)) for c in CODES],
        reason=lambda c: reason(c, lang),
        next_page=next_page if more else None,
    )


@router.get(BASE + "/{flag_id}")
async def flag_page(request: Request, flag_id: str) -> Response:
    """One of the payer's flags: why, about whom, and what was measured."""
    session = await person(request, Side.PAYER, Action.READ_ANOMALIES)
    try:
        flag = await anomalies.read_flag(
            reviewer_of(session), flag_id[:64], ports=web.gateway(request).anomalies
        )
    except NotFound:
        return web.not_found(request, session)
    lang = web.lang_of(request)
    return web.page(
        request,
        "console_anomaly.html",
        session=session,
        flag=flag,
        reason=reason(flag.code, lang),
        subject=await _subject(request, session, flag),
    )


async def _subject(request: Request, session: StaffSession, flag: AnomalyFlag) -> str:
    if flag.subject_kind.value != "provider":
        return catalogue.text(web.lang_of(request), "anomaly.insured")  # a blind index only
    return await provider_name(request, flag.subject, {})


async def _provider_id(request: Request, inpe: str) -> str | None:
    storage = web.gateway(request).storage

    def find() -> str | None:
        with storage.uow() as uow:
            found = uow.providers.by_inpe(inpe)
        return None if found is None else found.id

    return await run_in_threadpool(find)
