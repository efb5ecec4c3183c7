"""Signing in and out, the language, the home pages and the organization's accounts.

The provider portal (/portal) and the payer console (/console) share these routes: one
layout, one sign-in; the account's side decides where a person lands.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.accounts import AccountExists, Action, InvalidCredentials, Side
from domain.errors import InvalidRequest, RateLimited
from domain.services import accounts
from domain.services.accounts import LogIn
from gateway.addresses import address_of
from gateway.portal import catalogue, sso, web
from gateway.portal.guards import person
from gateway.portal.people import changed_words, users_page

router = APIRouter(include_in_schema=False)
# What each side's home offers, in order, and the page that does it (None: not yet built).
OFFERS: dict[Side, list[tuple[Action, str | None]]] = {
    Side.PROVIDER: [
        (Action.CHECK_RIGHTS, "/portal/rights"),
        (Action.REQUEST_PEC, "/portal/authorizations"),
        (Action.SUBMIT_CLAIM, "/portal/claims/new"),
        (Action.FOLLOW_PAYMENTS, "/portal/payments"),
        (Action.MANAGE_USERS, "/portal/users"),
    ],
    Side.PAYER: [
        (Action.REVIEW_REQUESTS, "/console/authorizations"),
        (Action.READ_ANOMALIES, "/console/anomalies"),
        (Action.APPROVE_BANK_CHANGES, "/console/bank-accounts"),
        (Action.FOLLOW_SETTLEMENTS, "/console/settlements"),
        (Action.READ_STATISTICS, "/console/stats"),
        (Action.MANAGE_USERS, "/console/users"),
    ],
}
# A page that is not the action itself says what it offers in its own words.
LABELS = {"/portal/claims": "offer.claims", "/portal/authorizations": "offer.authorizations"}
SIDES = {"portal": Side.PROVIDER, "console": Side.PAYER}


@router.get("/portal/login")
@router.get("/console/login")
async def login_page(request: Request) -> Response:
    """The sign-in form (already signed in: home)."""
    session = await web.signed_in(request)
    if session is not None:
        return web.redirect(request, web.HOMES[session.side])
    return web.page(request, "login.html", session=None, side=_side(request),
                    sso=_sso(request))  # fmt: skip


@router.post("/portal/login")
@router.post("/console/login")
async def login(request: Request) -> Response:
    """Sign in: a new session (never the id the browser held before), then home."""
    fields = await web.form(request)
    address = address_of(request)  # behind our proxies, the client's own
    cmd = LogIn(web.first(fields, "email"), web.first(fields, "password"), address,
                web.first(fields, "code"), request.cookies.get(web.SESSION, ""))  # fmt: skip
    lang = web.lang_of(request)
    try:
        opened = await accounts.log_in(cmd, ports=web.gateway(request).accounts)
    except InvalidCredentials:
        return _login_again(request, 401, catalogue.text(lang, "login.refused"))
    except RateLimited as exc:
        minutes = max(1, math.ceil(exc.retry_after / 60))
        answer = _login_again(
            request, 429, catalogue.text(lang, "login.throttled", minutes=minutes)
        )
        answer.headers["Retry-After"] = str(math.ceil(exc.retry_after))
        return answer
    answer = web.redirect(request, web.HOMES[opened.session.side])
    web.set_cookie(request, answer, web.SESSION, opened.token)
    answer.delete_cookie(web.VISITOR, path="/")
    return answer


@router.post("/portal/logout")
@router.post("/console/logout")
async def logout(request: Request) -> Response:
    """End this session."""
    fields = await web.form(request)
    session = await web.signed_in(request)
    if session is not None:
        everywhere = web.first(fields, "everywhere") == "1"
        ports = web.gateway(request).accounts
        if everywhere:
            await accounts.log_out_everywhere(session, ports=ports)
        else:
            await accounts.log_out(request.cookies.get(web.SESSION, ""), session, ports=ports)
    answer = web.redirect(request, f"/{_area(request)}/login")
    answer.delete_cookie(web.SESSION, path="/")
    return answer


@router.post("/portal/language")
@router.post("/console/language")
async def language(request: Request) -> Response:
    """Remember the language chosen, then back to the page it was chosen on."""
    fields = await web.form(request)
    back = web.first(fields, "next")
    if not back.startswith(("/portal", "/console")) or "//" in back:
        back = f"/{_area(request)}"  # only our own pages: no open redirect
    answer = web.redirect(request, back)
    web.set_cookie(request, answer, web.LANGUAGE, catalogue.language(web.first(fields, "lang")))
    return answer


@router.get("/portal")
@router.get("/console")
async def home(request: Request) -> Response:
    """What the person can do, by their role."""
    side = _side(request)
    session = await person(request, side)
    offers = [(action, href) for action, href in OFFERS[side] if session.may(action)]
    org = await web.gateway(request).accounts.accounts.organization(session.org)
    return web.page(request, "home.html", session=session, offers=offers, labels=LABELS,
                    org=org.name if org else session.org)  # fmt: skip


@router.get("/portal/users")
@router.get("/console/users")
async def users(request: Request) -> Response:
    """The organization's accounts: its admin only."""
    session = await person(request, _side(request), Action.MANAGE_USERS)
    added = request.query_params.get("added", "")[:254]
    done = catalogue.text(web.lang_of(request), "users.added", email=added) if added else ""
    return await users_page(request, session, done=done or changed_words(request))


@router.post("/portal/users")
@router.post("/console/users")
async def add_user(request: Request) -> Response:
    """The admin gives one of its organization's people an account."""
    fields = await web.form(request)
    session = await person(request, _side(request), Action.MANAGE_USERS)
    ports, lang = web.gateway(request).accounts, web.lang_of(request)
    email, role = web.first(fields, "email"), web.first(fields, "role")
    try:
        await accounts.add_colleague(session, email, role, web.first(fields, "password"),
                                     ports=ports)  # fmt: skip
    except (InvalidRequest, AccountExists) as exc:
        status = 409 if isinstance(exc, AccountExists) else 422
        error = catalogue.text(lang, "users.refused", detail=exc.detail)
        return await users_page(request, session, status=status, error=error, email=email)
    # Post, then redirect, then get: reloading the page does not post the account again.
    return web.redirect(request, f"/{_area(request)}/users?{urlencode({'added': email})}")


def _area(request: Request) -> str:
    return request.url.path.split("/")[1]


def _side(request: Request) -> Side:
    return SIDES[_area(request)]


def _login_again(request: Request, status: int, message: str) -> Response:
    return web.page(request, "login.html", session=None, side=_side(request), status=status,
                    message=message, sso=_sso(request))  # fmt: skip


def _sso(request: Request) -> list[str]:
    """The payers whose identity provider signs their people in (the console only)."""
    return sorted(sso.providers(request)) if _side(request) is Side.PAYER else []
