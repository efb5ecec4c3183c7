"""One table maps every error to an HTTP status and a body; registered once.

Domain errors, errors of the edge itself, OAuth errors of the token endpoint, the framework's
own and database failures all go through `ERRORS`, most specific class first. A request that
is not well-formed (400) and a well-formed one that breaks a rule (422) are told apart by the
error's class, the same way everywhere. Every non-2xx body is an OperationOutcome in the
caller's language, except on the token endpoint, whose OAuth clients read RFC 6749 bodies.
4xx are logged as one line, 5xx with their stack, never shown to the client. A refusal to an
authenticated caller is audited here, the one place that knows what was answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from adapters.sql.engine import is_database_error
from domain import errors as domain
from domain import ledger
from domain.claims import CorrectedClaimUnknown
from domain.prior_auth import TransitionRefused
from domain.records import AuditEntry
from fhir_profiles.outcome import operation_outcome, pick_language
from gateway.fhirjson import FHIR_JSON, dumps

log = logging.getLogger("amo.gateway")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class EdgeError(Exception):
    """An error of the edge itself (transport, authentication, limits); its class says the
    status through the table, its `code` the reason."""

    code = "requete-invalide"

    def __init__(
        self,
        code: str | None = None,
        *,
        detail: str | None = None,
        expression: str | None = None,
    ) -> None:
        super().__init__(detail or code or self.code)
        self.code = code or self.code
        self.detail = detail
        self.expression = expression


class Unauthenticated(EdgeError):
    """No bearer token."""

    code = "authentification-requise"


class InvalidAccessToken(EdgeError):
    """A bearer token that is malformed, badly signed, expired or for another audience."""

    code = "jeton-invalide"


class ScopeMissing(EdgeError):
    """The token does not grant this interaction on this resource."""

    code = "portee-insuffisante"


class WrongRole(EdgeError):
    """A payer's review client on a provider's route, or a provider on a reviewer's."""

    code = "role-non-autorise"


class NotAcceptable(EdgeError):
    """The client accepts no format we answer in."""

    code = "format-non-accepte"


class UnsupportedMediaType(EdgeError):
    """A body in a format we do not read."""

    code = "type-contenu-invalide"


class PayloadTooLarge(EdgeError):
    """A body over the size limit."""

    code = "corps-trop-volumineux"


class MalformedBody(EdgeError):
    """A body or header that cannot be read at all (not JSON, not an object, bad key)."""

    code = "json-invalide"


class TooDeep(MalformedBody):
    """JSON nested deeper than we read."""

    code = "json-trop-profond"


class TooManyValues(EdgeError):
    """JSON holding more objects and arrays than we read."""

    code = "json-trop-volumineux"


class OAuthError(Exception):
    """An RFC 6749 section 5.2 error of the token endpoint: {"error", "error_description"}."""

    error = "invalid_request"

    def __init__(self, description: str) -> None:
        super().__init__(f"{self.error}: {description}")
        self.description = description


class InvalidClient(OAuthError):
    """Unknown client, bad signature, expired or replayed assertion."""

    error = "invalid_client"


class UnsupportedGrant(OAuthError):
    """A grant other than client_credentials."""

    error = "unsupported_grant_type"


class InvalidScope(OAuthError):
    """No scope asked for can be granted."""

    error = "invalid_scope"


class TokenRateLimited(OAuthError):
    """Too many token requests: `slow_down` (RFC 8628's word; OAuth clients retry on it)."""

    error = "slow_down"

    def __init__(self, description: str, retry_after: float) -> None:
        super().__init__(description)
        self.retry_after = retry_after


Headers = Callable[[BaseException, Request], Mapping[str, str]]


def _retry_later(exc: BaseException, request: Request) -> Mapping[str, str]:
    return {"Retry-After": str(request.app.state.settings.retry_after_seconds)}


def _retry_after(exc: BaseException, request: Request) -> Mapping[str, str]:
    wait = getattr(exc, "retry_after", 1.0)
    return {"Retry-After": str(max(1, round(wait + 0.5)))}


def _bearer_challenge(exc: BaseException, request: Request) -> Mapping[str, str]:
    if isinstance(exc, InvalidAccessToken):
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    return {"WWW-Authenticate": 'Bearer realm="amo"'}


def _oauth(exc: BaseException, request: Request) -> Mapping[str, str]:
    return NO_STORE


def _oauth_retry_after(exc: BaseException, request: Request) -> Mapping[str, str]:
    return {**NO_STORE, **_retry_after(exc, request)}


@dataclass(frozen=True, slots=True)
class Rule:
    """How one class of error is answered."""

    status: int
    issue_type: str  # the OperationOutcome issue type
    code: str | None = None  # None: the error's own code
    headers: Headers | None = None
    oauth: bool = False  # an RFC 6749 body instead of an OperationOutcome


INTERNAL = Rule(500, "exception", "erreur-interne")
DATABASE_DOWN = Rule(503, "transient", "service-indisponible", _retry_later)

ERRORS: dict[type[BaseException], Rule] = {
    # The edge.
    Unauthenticated: Rule(401, "login", headers=_bearer_challenge),
    InvalidAccessToken: Rule(401, "login", headers=_bearer_challenge),
    ScopeMissing: Rule(403, "forbidden"),
    WrongRole: Rule(403, "forbidden"),
    NotAcceptable: Rule(406, "not-supported"),
    UnsupportedMediaType: Rule(415, "not-supported"),
    PayloadTooLarge: Rule(413, "too-costly"),
    TooDeep: Rule(400, "too-costly"),
    TooManyValues: Rule(413, "too-costly"),
    MalformedBody: Rule(400, "invalid"),
    EdgeError: Rule(400, "invalid"),
    # The token endpoint.
    InvalidClient: Rule(401, "login", headers=_oauth, oauth=True),
    TokenRateLimited: Rule(429, "throttled", headers=_oauth_retry_after, oauth=True),
    OAuthError: Rule(400, "invalid", headers=_oauth, oauth=True),
    # The domain: structure is 400, a broken rule 422.
    domain.MalformedRequest: Rule(400, "invalid"),
    domain.InvalidIdentifier: Rule(422, "value"),
    domain.UnknownCode: Rule(422, "code-invalid"),
    domain.NotFound: Rule(404, "not-found"),
    # An Idempotency-Key: another request under it is refused for what it says (422); its
    # request still being answered, the client comes back for the answer (409).
    domain.KeyReused: Rule(422, "business-rule"),
    domain.InProgress: Rule(409, "conflict", headers=_retry_after),
    domain.Conflict: Rule(409, "conflict"),
    TransitionRefused: Rule(409, "conflict"),  # the prise en charge's state forbids it
    # A claim cancelled or corrected: the claim a correction cites, unknown, already undone,
    # or paid to the provider; the same claim made payable twice.
    CorrectedClaimUnknown: Rule(422, "business-rule"),
    ledger.AlreadyReversed: Rule(409, "conflict"),
    ledger.AlreadySettled: Rule(422, "business-rule"),
    ledger.AlreadyRecorded: Rule(409, "conflict"),
    domain.RateLimited: Rule(429, "throttled", headers=_retry_after),
    domain.TooLarge: Rule(413, "too-costly"),
    domain.Unavailable: DATABASE_DOWN,
    domain.InvalidRequest: Rule(422, "business-rule"),
    domain.ReferenceDataError: Rule(422, "business-rule"),
    domain.DomainError: Rule(422, "business-rule"),
    # The framework: parameters FastAPI could not read; a client gone mid-body (nginx's 499).
    RequestValidationError: Rule(400, "invalid", "parametre-invalide"),
    ClientDisconnect: Rule(499, "incomplete", "requete-interrompue"),
}

# The framework's own refusals (no such route, method not allowed), by status.
HTTP_STATUSES: dict[int, Rule] = {
    404: Rule(404, "not-found", "ressource-introuvable"),
    405: Rule(405, "not-supported", "methode-non-autorisee"),
}


def rule_for(exc: BaseException) -> Rule:
    """The rule answering an error: its class's, the nearest ancestor's, or a 500."""
    if isinstance(exc, StarletteHTTPException):
        found = HTTP_STATUSES.get(exc.status_code)
        if found is not None:
            return found
        return INTERNAL if exc.status_code >= 500 else Rule(exc.status_code, "invalid")
    for cls in type(exc).__mro__:
        if cls in ERRORS:
            return ERRORS[cls]
    return DATABASE_DOWN if is_database_error(exc) else INTERNAL


async def render_error(request: Request, exc: Exception) -> Response:
    """The answer to a refused or failed request; audited when the caller is known."""
    rule = rule_for(exc)
    code = rule.code or getattr(exc, "code", None) or "requete-invalide"
    _log(request, rule, code, exc)
    headers = dict(rule.headers(exc, request)) if rule.headers else {}
    if isinstance(exc, StarletteHTTPException) and exc.headers:
        headers.update(exc.headers)
    await _audit(request, rule.status, code)
    if rule.oauth:
        body = {"error": getattr(exc, "error", "invalid_request")}
        body["error_description"] = getattr(exc, "description", "")
        return Response(dumps(body), rule.status, headers, "application/json")
    return _outcome(request, rule, code, exc, headers)


def _outcome(
    request: Request, rule: Rule, code: str, exc: Exception, headers: dict[str, str]
) -> Response:
    lang = pick_language(request.headers.get("accept-language"))
    detail = getattr(exc, "detail", None) if rule.status < 500 else None
    if isinstance(exc, RequestValidationError):
        where = [".".join(str(p) for p in err.get("loc", ())) for err in exc.errors()]
        detail = "Paramètre invalide : " + ", ".join(where) if where else None
    body = operation_outcome(
        code,
        lang=lang,
        detail=detail if isinstance(detail, str) and detail else None,
        expression=getattr(exc, "expression", None),
        issue_type=rule.issue_type,
    )
    return Response(dumps(body), rule.status, headers, FHIR_JSON)


def _log(request: Request, rule: Rule, code: str, exc: Exception) -> None:
    route = getattr(request.scope.get("route"), "path", "?")
    if rule is INTERNAL:
        log.exception("unexpected error on %s %s", request.method, route, exc_info=exc)
    elif rule.status >= 500:
        log.warning("%s on %s %s: %s", code, request.method, route, type(exc).__name__)
    else:
        log.info("refused %s %s: %s", request.method, route, code)


async def _audit(request: Request, status: int, code: str) -> None:
    """Audit a refusal to a caller whose token was verified (anonymous noise is not)."""
    caller = request.scope.get("state", {}).get("caller")
    action = getattr(request.scope.get("route"), "name", None)
    if caller is None or not action or status >= 500:
        return
    gateway = request.app.state.gateway
    entry = AuditEntry(
        at=gateway.clock.now(),
        action=action,
        outcome=status,
        tenant=caller.tenant,
        client_id=caller.client_id,
        detail=code,
    )
    try:
        await gateway.exchange.audit.append(entry)
    except domain.Unavailable:
        log.warning("audit of a refused %s not written: database unavailable", action)


def install_error_handlers(app: FastAPI) -> None:
    """Register the one renderer for every error: every non-2xx body goes through it."""
    app.add_exception_handler(Exception, render_error)
    app.add_exception_handler(StarletteHTTPException, render_error)
    app.add_exception_handler(RequestValidationError, render_error)
    app.add_exception_handler(ClientDisconnect, render_error)
    app.add_exception_handler(EdgeError, render_error)
    app.add_exception_handler(OAuthError, render_error)
    app.add_exception_handler(domain.DomainError, render_error)
