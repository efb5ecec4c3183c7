"""FastAPI dependencies as Annotated aliases: the caller, the FHIR body, the ports.

Each dependency takes the Request alone, so that the fast path (gateway/fastpath.py) can call
it directly on the hot routes, with no dependency solving per request.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request

from domain.records import IdempotencyKey
from domain.reference import ReferenceData
from domain.services.claim_ports import ClaimPorts
from domain.services.eligibility import EligibilityPorts
from domain.services.payments import PaymentPorts
from domain.services.prior_auth import PriorAuthPorts, Reviewer
from domain.services.statement import StatementPorts
from fhir_profiles.limits import MAX_ATTACHMENTS
from fhir_profiles.messages import pick_language
from gateway.auth import ROLE_PROVIDER, Caller, InvalidToken
from gateway.bootstrap import Gateway
from gateway.errors import (
    InvalidAccessToken,
    MalformedBody,
    NotAcceptable,
    PayloadTooLarge,
    ScopeMissing,
    TooDeep,
    TooManyValues,
    Unauthenticated,
    UnsupportedMediaType,
    WrongRole,
)
from gateway.fhirjson import (
    ACCEPTED_BODY_TYPES,
    accepts_fhir_json,
    json_over_limits,
    media_type,
    read_body,
)
from gateway.scopes import allows
from gateway.settings import Settings

_KEY = re.compile(r"[\x21-\x7e]{1,128}")  # Idempotency-Key: visible ASCII, as in headers


def gateway_of(request: Request) -> Gateway:
    """What the app wired in its lifespan."""
    wired: Gateway = request.app.state.gateway
    return wired


def settings_of(request: Request) -> Settings:
    """The settings in force."""
    return gateway_of(request).settings


def reference_of(request: Request) -> ReferenceData:
    """The reference dataset in force."""
    return gateway_of(request).reference


def eligibility_ports(request: Request) -> EligibilityPorts:
    """The eligibility use case's ports."""
    return gateway_of(request).eligibility


def claim_ports(request: Request) -> ClaimPorts:
    """The claim use case's ports."""
    return gateway_of(request).claims


def statement_ports(request: Request) -> StatementPorts:
    """The provider statement's ports."""
    return gateway_of(request).statement


def payment_ports(request: Request) -> PaymentPorts:
    """The payment answers' ports (PaymentReconciliation, PaymentNotice)."""
    return gateway_of(request).payments


def prior_auth_ports(request: Request) -> PriorAuthPorts:
    """The prior-authorization use case's ports."""
    return gateway_of(request).prior_auth


def authorized(resource: str, interaction: str) -> Callable[[Request], Awaitable[Caller]]:
    """A dependency admitting providers whose token grants `interaction` on `resource`."""

    async def caller(request: Request) -> Caller:
        found = await authenticated(request)
        if found.role != ROLE_PROVIDER:
            raise WrongRole(detail="Client d'un payeur : il n'agit pas pour un prestataire")
        require(found, resource, interaction)
        return found

    return caller


def reviewing(resource: str, interaction: str) -> Callable[[Request], Awaitable[Reviewer]]:
    """A dependency admitting a payer's review clients whose token grants `interaction` on
    `resource`: the payer they review for comes from the token."""

    async def reviewer(request: Request) -> Reviewer:
        found = await authenticated(request)
        who = found.reviewer
        if who is None:
            raise WrongRole(detail="Réservé au contrôle médical d'un payeur")
        require(found, resource, interaction)
        return who

    return reviewer


async def authenticated(request: Request) -> Caller:
    """The caller behind a valid bearer token, whatever it may do (checked by `require`)."""
    try:
        found = gateway_of(request).tokens.verify(_bearer(request))
    except InvalidToken as exc:
        raise InvalidAccessToken(detail=f"Jeton d'accès invalide : {exc}") from exc
    state = request.scope.setdefault("state", {})
    state["caller"], state["client_id"] = found, found.client_id  # audit and access log
    if not accepts_fhir_json(request.headers.get("accept")):
        raise NotAcceptable()
    return found


def require(caller: Caller, resource: str, interaction: str) -> None:
    """Refuse unless the caller's token grants `interaction` on `resource`."""
    if not allows(caller.scopes, resource, interaction):
        raise ScopeMissing()


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    return token.strip()


async def fhir_body(request: Request) -> dict[str, Any]:
    """A FHIR JSON body read within the size and depth limits."""
    return await _fhir_body(request, settings_of(request).max_body_bytes)


async def documents_body(request: Request) -> dict[str, Any]:
    """A FHIR JSON body that may join documents (a Claim with the prescription's scan, an
    answer to a request for information), read within the larger limit
    `documents_body_bytes` allows."""
    return await _fhir_body(request, documents_body_bytes(settings_of(request)))


def documents_body_bytes(settings: Settings) -> int:
    """The usual body, plus every document a request may join at its largest, in base64
    (four characters for three bytes): the other routes keep their smaller limit."""
    return settings.max_body_bytes + MAX_ATTACHMENTS * -(-settings.max_attachment_bytes * 4 // 3)


async def _fhir_body(request: Request, max_bytes: int) -> dict[str, Any]:
    settings = settings_of(request)
    if media_type(request.headers.get("content-type")) not in ACCEPTED_BODY_TYPES:
        raise UnsupportedMediaType()
    raw = await read_body(request, max_bytes)
    if raw is None:
        raise PayloadTooLarge()
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedBody(detail=f"JSON invalide : {exc.msg}") from exc
    if not isinstance(body, dict):
        raise MalformedBody("ressource-invalide", detail="Le corps doit être un objet JSON")
    over = json_over_limits(
        body, max_depth=settings.max_json_depth, max_nodes=settings.max_json_nodes
    )
    if over == "depth":
        raise TooDeep()
    if over == "nodes":
        raise TooManyValues()
    return body


def idempotency_header(request: Request) -> str | None:
    """The request's Idempotency-Key header, checked; None when it has none."""
    key = request.headers.get("idempotency-key")
    if key is not None and not _KEY.fullmatch(key):
        raise MalformedBody("cle-idempotence-invalide")
    return key


def answer_language(request: Request) -> str:
    """The language the answer's human text is written in: the best of fr, ar, en for the
    Accept-Language header (fr without one). Not part of the Idempotency-Key's request: a
    retry gets the answer as first written, in its language."""
    return pick_language(request.headers.get("accept-language"))


def idempotency_key(key: str | None, operation: str, body: dict[str, Any]) -> IdempotencyKey | None:
    """The key with what the request asks, whatever the order of its JSON members."""
    if key is None:
        return None
    canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256(operation.encode() + b"\n" + canonical).hexdigest()
    return IdempotencyKey(key, digest)


GatewayDep = Annotated[Gateway, Depends(gateway_of)]
SettingsDep = Annotated[Settings, Depends(settings_of)]
ReferenceDep = Annotated[ReferenceData, Depends(reference_of)]
EligibilityPortsDep = Annotated[EligibilityPorts, Depends(eligibility_ports)]
PriorAuthPortsDep = Annotated[PriorAuthPorts, Depends(prior_auth_ports)]
ClaimPortsDep = Annotated[ClaimPorts, Depends(claim_ports)]
StatementPortsDep = Annotated[StatementPorts, Depends(statement_ports)]
PaymentPortsDep = Annotated[PaymentPorts, Depends(payment_ports)]
AnyCaller = Annotated[Caller, Depends(authenticated)]
FhirBody = Annotated[dict[str, Any], Depends(fhir_body)]
DocumentsBody = Annotated[dict[str, Any], Depends(documents_body)]
IdempotencyHeader = Annotated[str | None, Depends(idempotency_header)]
AnswerLanguage = Annotated[str, Depends(answer_language)]
