"""Who may see a page: signed in, on their own side, with a role that allows it."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from domain.accounts import Action, NotPermitted, Side, StaffSession
from domain.errors import Unavailable
from domain.services import accounts
from gateway.errors import render_error
from gateway.portal import web

AREAS = ("/portal/", "/console/")  # their missing pages answer a page, the API's FHIR


class SignInFirst(Exception):
    """No live session: the person signs in, then comes back."""

    def __init__(self, side: Side) -> None:
        super().__init__(side.value)
        self.side = side


class WrongSide(Exception):
    """A provider's person on the payers' console, or the other way round."""

    def __init__(self, side: Side) -> None:
        super().__init__(side.value)
        self.side = side


async def person(request: Request, side: Side, action: Action | None = None) -> StaffSession:
    """The signed-in person, if they belong to that side and their role allows the action."""
    session = await web.signed_in(request)
    if session is None:
        raise SignInFirst(side)
    request.scope.setdefault("state", {})["client_id"] = f"staff:{session.user_id}"  # access log
    if session.side is not side:
        raise WrongSide(side)
    if action is not None:
        accounts.require(session, action)
    return session


def install(app: FastAPI) -> None:
    """Answer the portal's refusals as pages, in the person's language."""

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInFirst)
        answer = web.redirect(request, f"{web.HOMES[exc.side]}/login")
        answer.delete_cookie(web.SESSION, path="/")  # ended, or never was: forget it
        return answer

    async def wrong_side(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, WrongSide)
        return await _refusal(request, 403, f"error.side.{exc.side.value}")

    async def not_permitted(request: Request, exc: Exception) -> Response:
        return await _refusal(request, 403, "error.forbidden", detail=str(exc))

    async def csrf(request: Request, exc: Exception) -> Response:
        return await _refusal(request, 403, "error.csrf")

    async def missing(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        path = request.url.path + "/"
        if exc.status_code == 404 and path.startswith(AREAS):
            return await _refusal(request, 404, "missing.title")
        return await render_error(request, exc)  # the API's answer: an OperationOutcome

    app.add_exception_handler(SignInFirst, sign_in_first)
    app.add_exception_handler(WrongSide, wrong_side)
    app.add_exception_handler(NotPermitted, not_permitted)
    app.add_exception_handler(web.CsrfRefused, csrf)
    app.add_exception_handler(HTTPException, missing)


async def _refusal(request: Request, status: int, key: str, **values: str) -> Response:
    try:
        session = await web.signed_in(request)
    except Unavailable:
        session = None
    return web.page(request, "error.html", session=session, status=status, key=key, values=values)
