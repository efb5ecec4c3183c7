"""The provider's pages: check a patient's rights."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.accounts import Action, Side
from domain.errors import DomainError, RateLimited, Unavailable
from gateway.portal import catalogue, rights, web
from gateway.portal.guards import person

router = APIRouter(include_in_schema=False)


@router.get("/portal/rights")
async def rights_form(request: Request) -> Response:
    """The form: identifier, date of care, care categories."""
    session = await person(request, Side.PROVIDER, Action.CHECK_RIGHTS)
    return _page(request, session, rights.RightsQuery())


@router.post("/portal/rights")
async def check_rights(request: Request) -> Response:
    """The answer in words, from the same use case as the FHIR endpoint."""
    fields = await web.form(request)
    session = await person(request, Side.PROVIDER, Action.CHECK_RIGHTS)
    wired, lang = web.gateway(request), web.lang_of(request)
    try:
        when = date.fromisoformat(web.first(fields, "date"))
    except ValueError:
        when = date.today()
    query = rights.RightsQuery(
        kind=web.first(fields, "kind"), value=web.first(fields, "value"), day=when,
        categories=tuple(fields.get("category", [])),
    )  # fmt: skip
    org = await wired.accounts.accounts.organization(session.org)
    if org is None:  # the provider was removed while the person was signed in
        return _page(request, session, query, status=403)
    try:
        outcome, _ = await rights.check(query, rights.requester(session, org),
                                        ref=wired.reference, ports=wired.eligibility,
                                        inpe=org.inpe)  # fmt: skip
    except (RateLimited, Unavailable):
        error = catalogue.text(lang, "error.unavailable")
        return _page(request, session, query, status=503, error=error)
    except DomainError as exc:
        error = catalogue.text(lang, "rights.invalid", detail=exc.detail or exc.code)
        return _page(request, session, query, status=422, error=error)
    answer = None if outcome is None else rights.words(outcome, wired.reference, lang)
    return _page(request, session, query, answer=answer)


def _page(request: Request, session: object, query: rights.RightsQuery, *, status: int = 200,
          **context: object) -> Response:  # fmt: skip
    ref = web.gateway(request).reference
    return web.page(
        request, "rights.html", session=session, status=status, query=query,  # type: ignore[arg-type]
        kinds=rights.identifier_kinds(),
        categories=rights.categories(ref, query.day, web.lang_of(request)), **context,
    )  # fmt: skip
