"""The getting-started page for a provider's software vendor: how to obtain a token, make a
first call, retry safely, read errors and receive notifications.

What can drift is read from the running gateway itself, never written twice: the base
addresses from the settings, the endpoints from the OpenAPI document, the scopes from what
the token endpoint grants, the error codes from the reason CodeSystem in the reader's
language. The Python example is run as written by the tests against a real uvicorn.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.reasons import ALL_REASONS
from fhir_profiles import messages
from gateway.portal import web
from gateway.scopes import SCOPED_RESOURCES

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "delete")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One FHIR operation as the OpenAPI document describes it."""

    method: str
    path: str
    summary: str


@router.get("/portal/developers")
async def developers(request: Request) -> Response:
    """The page, in the reader's language (its prose in French or English)."""
    settings = web.gateway(request).settings
    lang = web.lang_of(request)
    reasons = sorted((code, messages.label(code, lang)) for code in ALL_REASONS)
    return web.page(
        request, "developers.html", session=await web.signed_in(request),
        base=settings.public_url.rstrip("/"), fhir=settings.fhir_base,
        token_url=settings.token_url, endpoints=endpoints(request.app.openapi()),
        resources=SCOPED_RESOURCES, reasons=reasons, prose="en" if lang == "en" else "fr",
    )  # fmt: skip


def endpoints(openapi: dict[str, object]) -> list[Endpoint]:
    """The FHIR operations a provider's software calls, in the document's order."""
    paths = openapi.get("paths", {})
    assert isinstance(paths, dict)
    found = []
    for path, operations in paths.items():
        if not path.startswith("/fhir/"):
            continue
        for method in METHODS:
            operation = operations.get(method)
            if operation:
                found.append(Endpoint(method.upper(), path, str(operation.get("summary", ""))))
    return found
