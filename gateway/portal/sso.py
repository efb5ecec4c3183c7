"""Single sign-on to the console with a payer's OpenID Connect provider.

POST /console/sso/{payer} (a form with its CSRF token) chooses a state, a nonce and a PKCE
verifier, keeps them in a short-lived cookie signed with the gateway's key and bound to the
browser's visitor id, and sends the person to the provider. The provider sends them back to
GET /console/sso/{payer}/callback: the state must be the cookie's (compared in constant
time), the code is exchanged and the ID token checked (adapters.oidc), then the account use
case decides (domain.services.sign_on). Every refusal is the sign-in page again, in the
person's language, with a 401; nothing the provider sent is echoed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from base64 import b64decode, urlsafe_b64decode, urlsafe_b64encode

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.oidc import OidcProvider, OidcRefused
from domain.accounts import InvalidCredentials, Side
from domain.errors import RateLimited
from domain.services.sign_on import VouchedLogIn, log_in_vouched
from gateway.addresses import address_of
from gateway.portal import catalogue, web

router = APIRouter(include_in_schema=False)
COOKIE = "amo_sso"
PATH = "/console/sso"
LIFETIME_SECONDS = 600  # the person signs in at the provider within ten minutes


def providers(request: Request) -> dict[str, OidcProvider]:
    """The payers' providers this gateway is configured with, built once per app."""
    state = request.app.state
    built = getattr(state, "sso_providers", None)
    if built is None:
        settings = web.gateway(request).settings
        base = settings.public_url.rstrip("/")
        built = {
            payer: OidcProvider(
                payer, issuer, settings.oidc_client_id, secret, f"{base}{PATH}/{payer}/callback"
            )
            for payer, (issuer, secret) in settings.oidc().items()
        }
        state.sso_providers = built
    return built


@router.post(PATH + "/{payer}")
async def start(request: Request, payer: str) -> Response:
    """To the payer's provider, with what the callback will check."""
    await web.form(request)  # the CSRF check
    provider = providers(request).get(payer)
    if provider is None:
        return _refused(request, 404)
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    try:
        target = await provider.authorization_url(state, nonce, verifier)
    except OidcRefused:
        return _refused(request, 502, "login.sso.unreachable")
    answer = web.redirect(request, "/console/login")
    answer.headers["Location"] = target  # the provider's own page, from its configuration
    held = {"payer": payer, "state": state, "nonce": nonce, "verifier": verifier}
    held |= {"visitor": web.visitor_id(request), "until": time.time() + LIFETIME_SECONDS}
    answer.set_cookie(COOKIE, _sealed(request, held), max_age=LIFETIME_SECONDS, path=PATH,
                      httponly=True, samesite="lax", secure=web.secure(request))  # fmt: skip
    return web.guarded(request, answer)


@router.get(PATH + "/{payer}/callback")
async def callback(request: Request, payer: str) -> Response:
    """Back from the provider: check, exchange, sign in."""
    held = _opened(request, request.cookies.get(COOKIE, ""))
    sent = request.query_params.get("state", "")
    provider = providers(request).get(payer)
    if (
        provider is None
        or held is None
        or held.get("payer") != payer
        or not hmac.compare_digest(str(held.get("state", "")), sent)
        or held.get("visitor") != request.cookies.get(web.VISITOR, "")
    ):
        return _refused(request, 401, "login.sso.expired")
    code = request.query_params.get("code", "")
    if not code or "error" in request.query_params:
        return _refused(request, 401)
    try:
        identity = await provider.identify(code, str(held["verifier"]), str(held["nonce"]))
        address = address_of(request)  # behind our proxies, the client's own
        cmd = VouchedLogIn(payer, identity.email, identity.email_verified, address,
                           request.cookies.get(web.SESSION, ""))  # fmt: skip
        opened = await log_in_vouched(cmd, ports=web.gateway(request).accounts)
    except (OidcRefused, InvalidCredentials):
        return _refused(request, 401)
    except RateLimited:
        return _refused(request, 429, "login.sso.throttled")
    answer = web.redirect(request, web.HOMES[Side.PAYER])
    web.set_cookie(request, answer, web.SESSION, opened.token)
    answer.delete_cookie(COOKIE, path=PATH)
    answer.delete_cookie(web.VISITOR, path="/")
    return answer


def _refused(request: Request, status: int, key: str = "login.sso.refused") -> Response:
    message = catalogue.text(web.lang_of(request), key)
    answer = web.page(request, "login.html", session=None, side=Side.PAYER, status=status,
                      message=message, sso=sorted(providers(request)))  # fmt: skip
    answer.delete_cookie(COOKIE, path=PATH)
    return answer


def _key(request: Request) -> bytes:
    secret = b64decode(web.gateway(request).settings.token_key.get_secret_value())
    return hmac.new(secret, b"portal-sso", hashlib.sha256).digest()


def _sealed(request: Request, held: dict[str, object]) -> str:
    body = urlsafe_b64encode(orjson.dumps(held)).decode().rstrip("=")
    mac = hmac.new(_key(request), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def _opened(request: Request, cookie: str) -> dict[str, object] | None:
    body, _, mac = cookie.partition(".")
    expected = hmac.new(_key(request), body.encode(), hashlib.sha256).hexdigest()
    if not body or not hmac.compare_digest(mac, expected):
        return None
    try:
        held = orjson.loads(urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        return None
    if not isinstance(held, dict) or float(held.get("until", 0)) < time.time():
        return None
    return held
