"""What every page shares: the cookies, the signed-in person, CSRF tokens, rendering, paging.

Cookies: `amo_session` carries a signed-in session's random id (the server keeps its hash);
`amo_pre` an anonymous visitor's random id, which the sign-in form's CSRF token is tied to
and which signing in never promotes; `amo_lang` the language chosen. All HttpOnly,
SameSite=Lax, Secure when the gateway is served over https.

CSRF: every form carries HMAC(key, the session's or visitor's id); a POST without the
token of the cookie it came with is refused (403) before anything else is read.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import b64decode
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from domain.accounts import Side, StaffSession
from domain.services import accounts
from gateway.bootstrap import Gateway
from gateway.portal import catalogue
from gateway.portal.formats import filters

SESSION, VISITOR, LANGUAGE = "amo_session", "amo_pre", "amo_lang"
MAX_FORM_BYTES = 16_384  # our forms hold a few short fields
HOMES = {Side.PROVIDER: "/portal", Side.PAYER: "/console"}
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Everything is the gateway's own: no inline script, no CDN, no framing.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
}
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters.update(filters())


class CsrfRefused(Exception):
    """A POST without the CSRF token of its cookie."""


def gateway(request: Request) -> Gateway:
    """What the app wired."""
    wired: Gateway = request.app.state.gateway
    return wired


def lang_of(request: Request) -> str:
    """The language chosen (cookie), French by default."""
    return catalogue.language(request.cookies.get(LANGUAGE))


def area(request: Request) -> str:
    """The extranet the path is in: /console for payers, else /portal."""
    return "/console" if request.url.path.startswith("/console") else "/portal"


def secure(request: Request) -> bool:
    """Whether cookies get the Secure attribute: the gateway is public over https."""
    return gateway(request).settings.public_url.startswith("https://")


async def signed_in(request: Request) -> StaffSession | None:
    """The live session behind the request's cookie, if any."""
    token = request.cookies.get(SESSION, "")
    return await accounts.current_session(token, ports=gateway(request).accounts)


def csrf_token(request: Request, bound_to: str) -> str:
    """The token a form carries, tied to the session's or the visitor's id."""
    key = hmac.new(b64decode(gateway(request).settings.token_key.get_secret_value()),
                   b"portal-csrf", hashlib.sha256).digest()  # fmt: skip
    return hmac.new(key, bound_to.encode(), hashlib.sha256).hexdigest()


def visitor_id(request: Request) -> str:
    """The anonymous visitor's id from its cookie, or a new one (set by `page`)."""
    found = request.cookies.get(VISITOR, "")
    if len(found) >= 32:
        return found
    request.state.new_visitor = secrets.token_urlsafe(32)
    return str(request.state.new_visitor)


async def form(request: Request) -> dict[str, list[str]]:
    """The urlencoded form, its CSRF token checked against the request's own cookie."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise CsrfRefused()
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    check_csrf(request, (fields.get("csrf") or [""])[0])
    return fields


def check_csrf(request: Request, sent: str) -> None:
    """Refuse a form whose token is not that of the request's own cookie."""
    # A page's forms are bound to its session, or to the visitor when the page was shown to
    # no one signed in (a browser may still hold an ended session's cookie then).
    bound = (request.cookies.get(name, "") for name in (SESSION, VISITOR))
    if not any(hmac.compare_digest(sent, csrf_token(request, b)) for b in bound if b):
        raise CsrfRefused()


def first(fields: dict[str, list[str]], name: str) -> str:
    """A form field's first value ('' when absent)."""
    return (fields.get(name) or [""])[0]


def offset(request: Request) -> int:
    """Where a list's page starts (?offset=): 0 when absent or not a small whole number."""
    value = request.query_params.get("offset", "0")
    return int(value) if value.isdigit() and len(value) < 9 else 0


def page(
    request: Request,
    template: str,
    *,
    session: StaffSession | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page in the person's language, with its CSRF token and the security headers."""
    lang = lang_of(request)
    bound_to = request.cookies.get(SESSION, "") if session else visitor_id(request)
    values = {
        "lang": lang,
        "dir": "rtl" if lang in catalogue.RTL else "ltr",
        "t": lambda key, **kw: catalogue.text(lang, key, **kw),
        "languages": catalogue.NAMES,
        "session": session,
        "csrf": csrf_token(request, bound_to),
        "here": request.url.path,
        "home": HOMES[session.side] if session else area(request),
        **context,
    }
    answer = templates.TemplateResponse(request, template, values, status_code=status)
    return guarded(request, answer)


def not_found(request: Request, session: StaffSession) -> HTMLResponse:
    """The 404 page: nothing by that id belongs to the person's organization."""
    return page(
        request, "error.html", session=session, status=404, key="error.not-found", values={}
    )


def guarded(request: Request, answer: Response) -> Response:
    """The security headers, and the visitor cookie a page just chose."""
    answer.headers.update(HEADERS)
    fresh = getattr(request.state, "new_visitor", None)
    if fresh:
        set_cookie(request, answer, VISITOR, fresh)
    return answer


def set_cookie(request: Request, answer: Response, name: str, value: str) -> None:
    """A cookie of ours: HttpOnly, SameSite=Lax, Secure over https, for the whole site."""
    answer.set_cookie(name, value, httponly=True, samesite="lax", secure=secure(request), path="/")


def redirect(request: Request, to: str) -> Response:
    """A 303 to one of our own paths (never one read from the request's Host)."""
    return guarded(request, RedirectResponse(to, status_code=303))
