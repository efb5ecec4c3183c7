"""A person's own security page, /portal/security and /console/security: whether the TOTP
second factor is on, switching it on (a new secret shown as a QR code, as a key to type and
as its otpauth URI, confirmed with the password and a code of the app) and off (the password
and a current code). The secret offered travels in the form until confirmed: the code of it
proves the person's app holds it, the CSRF token and the password that they sent it."""

from __future__ import annotations

import io
import math
from base64 import b64encode

import segno
from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.accounts import InvalidCredentials, Side, StaffSession
from domain.errors import Conflict, InvalidRequest, RateLimited
from domain.services import accounts
from domain.services.accounts import Enrolment
from gateway.portal import catalogue, web
from gateway.portal.guards import person

router = APIRouter(include_in_schema=False)
SIDES = {"/portal": Side.PROVIDER, "/console": Side.PAYER}
DONE = ("enabled", "disabled")


@router.get("/portal/security")
@router.get("/console/security")
async def security(request: Request) -> Response:
    """Whether the second factor is on, and the form to switch it on or off."""
    session = await person(request, SIDES[web.area(request)])
    done = request.query_params.get("done", "")
    words = catalogue.text(web.lang_of(request), f"security.{done}") if done in DONE else ""
    return await _page(request, session, done=words)


@router.post("/portal/security/enable")
@router.post("/console/security/enable")
async def enable(request: Request) -> Response:
    """Keep the secret offered once the password and a code of it are right."""
    fields = await web.form(request)
    session = await person(request, SIDES[web.area(request)])
    ports, secret = web.gateway(request).accounts, web.first(fields, "secret")
    token = request.cookies.get(web.SESSION, "")
    try:
        await accounts.enable_second_factor(
            session, token, secret, web.first(fields, "password"), web.first(fields, "code"),
            ports=ports,
        )  # fmt: skip
    except InvalidRequest:
        return await _page(request, session, status=422, error=_say(request, "unreadable"))
    except (InvalidCredentials, RateLimited) as exc:
        return await _refused(request, session, exc, secret)
    except Conflict:
        pass  # on already (a second tab): the page says so
    return web.redirect(request, f"{web.area(request)}/security?done=enabled")


@router.post("/portal/security/disable")
@router.post("/console/security/disable")
async def disable(request: Request) -> Response:
    """Stop asking for a code once the password and a current code are right."""
    fields = await web.form(request)
    session = await person(request, SIDES[web.area(request)])
    token = request.cookies.get(web.SESSION, "")
    try:
        await accounts.disable_second_factor(
            session, token, web.first(fields, "password"), web.first(fields, "code"),
            ports=web.gateway(request).accounts,
        )  # fmt: skip
    except (InvalidCredentials, RateLimited) as exc:
        return await _refused(request, session, exc)
    except Conflict:
        pass  # off already: the page says so
    return web.redirect(request, f"{web.area(request)}/security?done=disabled")


def qr_image(uri: str) -> str:
    """The URI as a QR code, an SVG in a data: URL (the pages' CSP allows img-src data:)."""
    drawn = io.BytesIO()
    # Error correction M (15 %): a phone reads it off a screen; dark on white, as apps expect.
    segno.make(uri, error="m").save(drawn, kind="svg", scale=5, border=4, xmldecl=False,
                                    dark="#000000", light="#ffffff")  # fmt: skip
    return "data:image/svg+xml;base64," + b64encode(drawn.getvalue()).decode()


def grouped(secret: str) -> str:
    """The key in groups of four, as people copy it into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


async def _refused(
    request: Request, session: StaffSession, exc: Exception, secret: str = ""
) -> Response:
    if isinstance(exc, RateLimited):
        minutes = max(1, math.ceil(exc.retry_after / 60))
        answer = await _page(request, session, status=429, secret=secret,
                             error=_say(request, "locked", minutes=minutes))  # fmt: skip
        answer.headers["Retry-After"] = str(math.ceil(exc.retry_after))
        return answer
    return await _page(request, session, status=422, secret=secret, error=_say(request, "refused"))


async def _page(
    request: Request, session: StaffSession, *, status: int = 200, secret: str = "", **words: str
) -> Response:
    ports = web.gateway(request).accounts
    on = await accounts.second_factor_on(session, ports=ports)
    offer: Enrolment | None = None
    if not on:
        try:
            offer = accounts.enrolment(session, secret, ports=ports)
        except InvalidRequest:  # a key altered in the form: offer a new one
            offer = accounts.enrolment(session, ports=ports)
    extra = {} if offer is None else {"qr": qr_image(offer.uri), "key": grouped(offer.secret)}
    return web.page(request, "security.html", session=session, status=status, on=on,
                    offer=offer, **extra, **words)  # fmt: skip


def _say(request: Request, key: str, **values: object) -> str:
    return catalogue.text(web.lang_of(request), f"security.{key}", **values)
