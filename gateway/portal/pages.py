"""The provider's pages: check a patient's rights, and the organization's latest checks."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.accounts import Action, Side, StaffSession
from domain.errors import DomainError, RateLimited, Unavailable
from domain.records import Requester
from gateway.portal import catalogue, rights, web
from gateway.portal.guards import WrongSide, person

router = APIRouter(include_in_schema=False)


@router.get("/portal/rights")
async def rights_form(request: Request) -> Response:
    """The form: identifier, date of care, care categories."""
    session = await person(request, Side.PROVIDER, Action.CHECK_RIGHTS)
    who, _ = await requester_of(request, session)
    return await _page(request, session, who, rights.RightsQuery())


@router.post("/portal/rights")
async def check_rights(request: Request) -> Response:
    """The answer in words, from the same use case as the FHIR endpoint."""
    fields = await web.form(request)
    session = await person(request, Side.PROVIDER, Action.CHECK_RIGHTS)
    who, inpe = await requester_of(request, session)
    wired, lang = web.gateway(request), web.lang_of(request)
    query = _query(fields)
    try:
        outcome, _ = await rights.check(query, who, ref=wired.reference, ports=wired.eligibility,
                                        inpe=inpe)  # fmt: skip
    except (RateLimited, Unavailable):
        error = catalogue.text(lang, "error.unavailable")
        return await _page(request, session, who, query, status=503, error=error)
    except DomainError as exc:
        error = catalogue.text(lang, "rights.invalid", detail=exc.detail or exc.code)
        return await _page(request, session, who, query, status=422, error=error)
    answer = None if outcome is None else rights.words(outcome, wired.reference, lang)
    return await _page(request, session, who, query, answer=answer)


def _query(fields: dict[str, list[str]]) -> rights.RightsQuery:
    try:
        when = date.fromisoformat(web.first(fields, "date"))
    except ValueError:
        when = date.today()
    return rights.RightsQuery(
        kind=web.first(fields, "kind"), value=web.first(fields, "value"), day=when,
        categories=tuple(fields.get("category", [])),
    )  # fmt: skip


async def requester_of(request: Request, session: StaffSession) -> tuple[Requester, str]:
    """The person's organization as the use cases know a requester, and its INPE."""
    org = await web.gateway(request).accounts.accounts.organization(session.org)
    if org is None:  # the provider was removed while the person was signed in
        raise WrongSide(Side.PROVIDER)
    return rights.requester(session, org), org.inpe


async def _page(
    request: Request,
    session: StaffSession,
    who: Requester,
    query: rights.RightsQuery,
    *,
    status: int = 200,
    **context: object,
) -> Response:
    wired, lang = web.gateway(request), web.lang_of(request)
    try:
        recent = await rights.recent(who, ports=wired.eligibility)
    except Unavailable:
        recent = []
    named = rights.categories(wired.reference, query.day, lang)
    return web.page(
        request, "rights.html", session=session, status=status, query=query,
        kinds=rights.identifier_kinds(), categories=named, recent=recent, **context,
    )  # fmt: skip
