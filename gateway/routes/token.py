"""The OAuth2 token endpoint of SMART Backend Services."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request, Response

from adapters.sql.reads import in_thread
from domain.ports import RateLimiter
from gateway.addresses import address_of
from gateway.auth import TokenService
from gateway.deps import SettingsDep, gateway_of
from gateway.errors import NO_STORE, OAuthError, TokenRateLimited
from gateway.fhirjson import PRIVATE_ANSWER, dumps, media_type, read_body

router = APIRouter(tags=["security"])
FORM_MAX_BYTES = 64 * 1024  # an assertion is a few KB; a form larger than this is not ours
_FIELDS = ("grant_type", "scope", "client_assertion_type", "client_assertion", "client_id")
OPENAPI = {  # the form is read by hand (RFC 6749 bodies on refusal), declared here for clients
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {name: {"type": "string"} for name in _FIELDS},
                    "required": list(_FIELDS[:4]),
                }
            }
        },
    }
}


def tokens_of(request: Request) -> TokenService:
    """The token service the app wired."""
    return gateway_of(request).tokens


@router.post("/auth/token", name="token.issue", openapi_extra=OPENAPI)
async def token(
    request: Request,
    tokens: Annotated[TokenService, Depends(tokens_of)],
    settings: SettingsDep,
) -> Response:
    """client_credentials + private_key_jwt -> a short-lived bearer token (RFC 6749, 7523)."""
    await _throttle(request, gateway_of(request).exchange.limiter)
    deadline = settings.request_deadline_seconds
    try:
        form = await _form(request)
    except OAuthError as refused:  # audited like every refused token request
        await in_thread(partial(tokens.refused, refused), deadline=deadline)
        raise
    issued = await in_thread(lambda: tokens.issue(form), deadline=deadline)
    return Response(dumps(issued), 200, {**NO_STORE, **PRIVATE_ANSWER}, "application/json")


async def _throttle(request: Request, limiter: RateLimiter) -> None:
    """Before anything is verified, one budget per peer address: each check of an assertion
    costs a key lookup and a signature verification, and a client needs one token per five
    minutes. Behind our proxies (AMO_TRUSTED_PROXIES) the client's own address counts."""
    peer = address_of(request)
    wait = await limiter.hit(f"token@{peer}")
    if wait > 0:
        raise TokenRateLimited("Trop de demandes de jeton : réessayez plus tard", wait)


async def _form(request: Request) -> dict[str, str]:
    if media_type(request.headers.get("content-type")) != "application/x-www-form-urlencoded":
        raise OAuthError("Corps attendu : application/x-www-form-urlencoded")
    raw = await read_body(request, FORM_MAX_BYTES)
    if raw is None:
        raise OAuthError("Requête trop volumineuse")
    try:
        return dict(parse_qsl(raw.decode(), strict_parsing=False, max_num_fields=20))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("Formulaire illisible") from exc
