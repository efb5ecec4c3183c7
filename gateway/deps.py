"""FastAPI dependencies as Annotated aliases: the container, the caller, the FHIR body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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


def authorized(resource: str, interaction: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting callers whose token grants `interaction` on `resource`."""

    async def dependency(request: Request, container: ContainerDep) -> Caller:
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
        _check_accept(request)
        return caller

    return dependency


def _check_accept(request: Request) -> None:
    if not accepts_fhir_json(request.headers.get("accept")):
        raise GatewayError(406, "format-non-accepte", issue_type="not-supported")


def fhir_body_reader() -> Callable[[Request, Container], Awaitable[dict[str, Any]]]:
    """A dependency reading a FHIR JSON body within the size and depth limits."""

    async def dependency(request: Request, container: ContainerDep) -> dict[str, Any]:
        settings = container.settings
        if media_type(request.headers.get("content-type")) not in ACCEPTED_BODY_TYPES:
            raise GatewayError(415, "type-contenu-invalide", issue_type="not-supported")
        raw = await read_body(request, settings.max_body_bytes)
        if raw is None:
            raise GatewayError(413, "corps-trop-volumineux", issue_type="too-costly")
        return _parse(raw, settings.max_json_depth)

    return dependency


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


FhirBody = Annotated[dict[str, Any], Depends(fhir_body_reader())]
EligibilityWriter = Annotated[Caller, Depends(authorized("CoverageEligibilityRequest", "c"))]
ResponseReader = Annotated[Caller, Depends(authorized("CoverageEligibilityResponse", "r"))]
ResponseSearcher = Annotated[Caller, Depends(authorized("CoverageEligibilityResponse", "s"))]
RequestReader = Annotated[Caller, Depends(authorized("CoverageEligibilityRequest", "r"))]
