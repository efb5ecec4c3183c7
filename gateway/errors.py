"""One table maps every error to an HTTP status and an OperationOutcome; registered once.

4xx are logged as one line; 5xx with their stack, never shown to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.sql.engine import is_database_error
from domain import errors as domain_errors
from fhir_profiles.outcome import operation_outcome, pick_language
from gateway.fhirjson import FHIR_JSON, dumps

log = logging.getLogger("amo.gateway")


class GatewayError(Exception):
    """An error of the edge itself (transport, authentication, limits)."""

    def __init__(
        self,
        status: int,
        code: str,
        *,
        detail: str | None = None,
        issue_type: str = "invalid",
        headers: Mapping[str, str] | None = None,
        expression: str | None = None,
    ) -> None:
        super().__init__(detail or code)
        self.status = status
        self.code = code
        self.detail = detail
        self.issue_type = issue_type
        self.headers = dict(headers or {})
        self.expression = expression


# Domain error -> (HTTP status, FHIR issue type). The most specific class wins.
DOMAIN_ERRORS: dict[type[domain_errors.DomainError], tuple[int, str]] = {
    domain_errors.InvalidIdentifier: (422, "value"),
    domain_errors.UnknownCode: (422, "code-invalid"),
    domain_errors.InvalidRequest: (400, "invalid"),
    domain_errors.NotFound: (404, "not-found"),
    domain_errors.Conflict: (409, "conflict"),
    domain_errors.ReferenceDataError: (422, "business-rule"),
    domain_errors.DomainError: (422, "business-rule"),
}

# Framework statuses -> our reason codes.
HTTP_CODES: dict[int, tuple[str, str]] = {
    404: ("ressource-introuvable", "not-found"),
    405: ("methode-non-autorisee", "not-supported"),
    406: ("format-non-accepte", "not-supported"),
    413: ("corps-trop-volumineux", "too-costly"),
    415: ("type-contenu-invalide", "not-supported"),
}


def domain_status(exc: domain_errors.DomainError) -> tuple[int, str]:
    """The status and issue type of a domain error (walks the class hierarchy)."""
    for cls in type(exc).__mro__:
        if cls in DOMAIN_ERRORS:
            return DOMAIN_ERRORS[cls]  # type: ignore[index]
    return 422, "business-rule"


def outcome_response(
    request: Request | None,
    status: int,
    code: str,
    *,
    detail: str | None = None,
    issue_type: str = "invalid",
    expression: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An OperationOutcome response in the caller's language (Accept-Language)."""
    lang = pick_language(request.headers.get("accept-language") if request else None)
    body = operation_outcome(
        code, lang=lang, detail=detail, expression=expression, issue_type=issue_type
    )
    return Response(dumps(body), status_code=status, media_type=FHIR_JSON, headers=headers)


async def _gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    log.info("refused %s %s: %s", request.method, _route(request), exc.code)
    return outcome_response(
        request,
        exc.status,
        exc.code,
        detail=exc.detail,
        issue_type=exc.issue_type,
        expression=exc.expression,
        headers=exc.headers,
    )


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, domain_errors.DomainError)
    status, issue_type = domain_status(exc)
    log.info("refused %s %s: %s", request.method, _route(request), exc.code)
    return outcome_response(
        request,
        status,
        exc.code,
        detail=exc.detail or None,
        issue_type=issue_type,
        expression=exc.expression,
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    where = [".".join(str(p) for p in err.get("loc", ())) for err in exc.errors()]
    detail = "Paramètre invalide : " + ", ".join(where) if where else None
    return outcome_response(request, 400, "parametre-invalide", detail=detail)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, issue_type = HTTP_CODES.get(exc.status_code, ("requete-invalide", "invalid"))
    if exc.status_code >= 500:
        code, issue_type = "erreur-interne", "exception"
    return outcome_response(
        request, exc.status_code, code, issue_type=issue_type, headers=exc.headers
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    if is_database_error(exc):
        log.warning("database unavailable on %s %s: %s", request.method, _route(request), exc)
        retry = str(request.app.state.settings.retry_after_seconds)
        return outcome_response(
            request,
            503,
            "service-indisponible",
            issue_type="transient",
            headers={"Retry-After": retry},
        )
    log.exception("unexpected error on %s %s", request.method, _route(request))
    return outcome_response(request, 500, "erreur-interne", issue_type="exception")


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", "?")


async def render_error(request: Request, exc: Exception) -> Response:
    """The answer to a refused request, as the registered handlers give it."""
    if isinstance(exc, GatewayError):
        return await _gateway_error(request, exc)
    return await _domain_error(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler once: every non-2xx body is an OperationOutcome."""
    app.add_exception_handler(GatewayError, _gateway_error)
    app.add_exception_handler(domain_errors.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
