"""An organization's admin looks after its people from the accounts page: deactivates or
reactivates a colleague, resets a lost second factor, changes a role. The rules (never
oneself, never the last admin, only one's own organization) are the domain's."""

from __future__ import annotations

from collections.abc import Awaitable
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.accounts import ROLES, Action, Side, StaffSession, StaffUser
from domain.errors import InvalidRequest, NotFound
from domain.services import accounts, colleagues
from domain.services.colleagues import LastAdmin, OwnAccount
from gateway.portal import catalogue, web
from gateway.portal.guards import person

router = APIRouter(include_in_schema=False)
CHANGES = ("deactivated", "reactivated", "role", "reset")  # what a redirect says was done


@router.post("/portal/users/{user_id}/active")
@router.post("/console/users/{user_id}/active")
async def set_active(request: Request, user_id: str) -> Response:
    """Deactivate a colleague (signed out at once) or let them sign in again."""
    fields = await web.form(request)
    session = await person(request, _side(request), Action.MANAGE_USERS)
    active = web.first(fields, "active") == "1"
    done = "reactivated" if active else "deactivated"
    ports = web.gateway(request).accounts
    change = colleagues.set_colleague_active(session, user_id, active, ports=ports)
    return await _act(request, session, done, change)


@router.post("/portal/users/{user_id}/role")
@router.post("/console/users/{user_id}/role")
async def set_role(request: Request, user_id: str) -> Response:
    """Give a colleague another role of the organization's side."""
    fields = await web.form(request)
    session = await person(request, _side(request), Action.MANAGE_USERS)
    ports, role = web.gateway(request).accounts, web.first(fields, "role")
    change = colleagues.change_colleague_role(session, user_id, role, ports=ports)
    return await _act(request, session, "role", change)


@router.post("/portal/users/{user_id}/second-factor")
@router.post("/console/users/{user_id}/second-factor")
async def reset_second_factor(request: Request, user_id: str) -> Response:
    """Switch a colleague's second factor off (a lost phone)."""
    await web.form(request)
    session = await person(request, _side(request), Action.MANAGE_USERS)
    ports = web.gateway(request).accounts
    change = colleagues.reset_colleague_second_factor(session, user_id, ports=ports)
    return await _act(request, session, "reset", change)


async def users_page(
    request: Request, session: StaffSession, *, status: int = 200, **context: str
) -> Response:
    """The organization's accounts, each colleague's with what its admin may change."""
    found = await accounts.users_of(session, ports=web.gateway(request).accounts)
    roles = sorted(role.value for role in ROLES[session.side])
    return web.page(request, "users.html", session=session, status=status, users=found,
                    roles=roles, **context)  # fmt: skip


def changed_words(request: Request) -> str:
    """What the redirect after a change says was done, in the person's language."""
    done, email = request.query_params.get("done", ""), request.query_params.get("email", "")
    if done not in CHANGES:
        return ""
    return catalogue.text(web.lang_of(request), f"staff.done.{done}", email=email[:254])


def _side(request: Request) -> Side:
    return Side.PAYER if web.area(request) == "/console" else Side.PROVIDER


async def _act(
    request: Request, session: StaffSession, done: str, change: Awaitable[StaffUser]
) -> Response:
    lang = web.lang_of(request)
    try:
        user = await change
    except NotFound:
        return web.not_found(request, session)
    except OwnAccount:
        return await users_page(request, session, status=422,
                                       error=catalogue.text(lang, "staff.own"))  # fmt: skip
    except LastAdmin:
        return await users_page(request, session, status=409,
                                       error=catalogue.text(lang, "staff.last-admin"))  # fmt: skip
    except InvalidRequest as exc:
        error = catalogue.text(lang, "users.refused", detail=exc.detail)
        return await users_page(request, session, status=422, error=error)
    query = urlencode({"done": done, "email": user.email})
    return web.redirect(request, f"{web.area(request)}/users?{query}")
