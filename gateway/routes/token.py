"""The OAuth2 token endpoint of SMART Backend Services."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from gateway.auth import OAuthError
from gateway.deps import ContainerDep
from gateway.fhirjson import dumps, media_type, read_body

router = APIRouter(tags=["security"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.post("/auth/token")
async def token(request: Request, container: ContainerDep) -> Response:
    """client_credentials + private_key_jwt -> a short-lived bearer token (RFC 6749, 7523)."""
    try:
        form = await _form(request)
        issued = await run_in_threadpool(container.tokens.issue, form)
    except OAuthError as exc:
        body = {"error": exc.error, "error_description": exc.description}
        return Response(dumps(body), exc.status, NO_STORE, "application/json")
    return Response(dumps(issued), 200, NO_STORE, "application/json")


async def _form(request: Request) -> dict[str, str]:
    if media_type(request.headers.get("content-type")) != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "Corps attendu : application/x-www-form-urlencoded")
    raw = await read_body(request, 64 * 1024)
    if raw is None:
        raise OAuthError("invalid_request", "Requête trop volumineuse")
    try:
        return dict(parse_qsl(raw.decode(), strict_parsing=False, max_num_fields=20))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("invalid_request", "Formulaire illisible") from exc
