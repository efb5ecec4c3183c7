"""FastAPI dependencies as Annotated aliases: the container, the caller, the FHIR body.

Each dependency takes the Request alone: nested dependencies cost FastAPI a solve each,
on every request, and the eligibility route is the hot path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request

from gateway.auth import Caller, InvalidToken
from gateway.bootstrap import Container
from gateway.errors import GatewayError
from gateway.fhirjson import (
    ACCEPTED_BODY_TYPES,
    accepts_fhir_json,
    json_depth_exceeds,
    media_type,
    read_body,
)
from gateway.scopes import allows


@dataclass(frozen=True, slots=True)
class Call:
    """An authorized call: who calls, and the container serving it."""

    caller: Caller
    container: Container


async def get_container(request: Request) -> Container:
    """The app's container, built in its lifespan."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GatewayError(
            401,
            "authentification-requise",
            issue_type="login",
            headers={"WWW-Authenticate": 'Bearer realm="amo"'},
        )
    return token.strip()


def authorized(resource: str, interaction: str) -> Callable[[Request], Awaitable[Call]]:
    """A dependency admitting callers whose token grants `interaction` on `resource`."""

    async def dependency(request: Request) -> Call:
        container: Container = request.app.state.container
        try:
            caller = container.tokens.verify(_bearer(request))
        except InvalidToken as exc:
            raise GatewayError(
                401,
                "jeton-invalide",
                issue_type="login",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                detail=f"Jeton d'accès invalide : {exc}",
            ) from exc
        if not allows(caller.scopes, resource, interaction):
            raise GatewayError(403, "portee-insuffisante", issue_type="forbidden")
        request.scope.setdefault("state", {})["client_id"] = caller.client_id
        if not accepts_fhir_json(request.headers.get("accept")):
            raise GatewayError(406, "format-non-accepte", issue_type="not-supported")
        return Call(caller, container)

    return dependency


async def fhir_body(request: Request) -> dict[str, Any]:
    """A FHIR JSON body read within the size and depth limits."""
    settings = request.app.state.container.settings
    if media_type(request.headers.get("content-type")) not in ACCEPTED_BODY_TYPES:
        raise GatewayError(415, "type-contenu-invalide", issue_type="not-supported")
    raw = await read_body(request, settings.max_body_bytes)
    if raw is None:
        raise GatewayError(413, "corps-trop-volumineux", issue_type="too-costly")
    return _parse(raw, settings.max_json_depth)


def _parse(raw: bytes, max_depth: int) -> dict[str, Any]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise GatewayError(400, "json-invalide", detail=f"JSON invalide : {exc.msg}") from exc
    if not isinstance(body, dict):
        raise GatewayError(400, "ressource-invalide", detail="Le corps doit être un objet JSON")
    if json_depth_exceeds(body, max_depth):
        raise GatewayError(400, "json-trop-profond", issue_type="too-costly")
    return body


FhirBody = Annotated[dict[str, Any], Depends(fhir_body)]
ResponseReader = Annotated[Call, Depends(authorized("CoverageEligibilityResponse", "r"))]
ResponseSearcher = Annotated[Call, Depends(authorized("CoverageEligibilityResponse", "s"))]
RequestReader = Annotated[Call, Depends(authorized("CoverageEligibilityRequest", "r"))]
