"""SMART Backend Services: client_credentials with a private_key_jwt assertion.

The client signs an assertion with its private key; we verify it with the public JWKS the
provider registered, refuse replays through the SQL jti store, and issue a short-lived access
token (HS256, shared key: every replica can verify it without a round trip). Every refused
attempt leaves an audit entry: who, when the assertion named a registered client, and why, in
the fixed words of the refusal (never the assertion, a claim's value or a key).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey

from adapters.sql.engine import is_database_error
from domain.ports import Clock
from domain.records import Admission, AuditEntry, Convention, Provider, Requester
from domain.services.prior_auth import Reviewer
from domain.uow_ports import UnitOfWorkFactory
from gateway.errors import InvalidClient, InvalidScope, OAuthError, UnsupportedGrant, rule_for
from gateway.scopes import grantable

log = logging.getLogger("amo.auth")

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ["RS384", "ES384", "RS256", "ES256"]  # SMART requires RS384 and ES384
ACCESS_ALGORITHM = "HS256"
# RFC 7523 §3: a server may allow "a reasonably small leeway, not to exceed a few minutes" for
# clock skew. Desks keep time by NTP; a minute covers one drifting, and an nbf or iat later than
# that means an assertion made in advance, to be used later, which we refuse.
CLOCK_SKEW_SECONDS = 60


class InvalidToken(Exception):
    """The bearer token is missing, malformed, badly signed or expired."""


ROLE_PROVIDER = "provider"
ROLE_REVIEWER = "reviewer"  # a payer's medical review client


@dataclass(frozen=True, slots=True)
class Caller:
    """The verified identity behind a request: the tenant comes from here only."""

    client_id: str
    tenant: str  # provider id
    inpe: str
    scopes: tuple[str, ...]
    expires_at: int
    admission: Admission | None = None  # None: a token issued before it was carried
    role: str = ROLE_PROVIDER  # or ROLE_REVIEWER: a payer's medical review client
    category: str = ""  # the provider's category: pharmacy, gp, specialist, clinic, ...

    @property
    def reviewer(self) -> Reviewer | None:
        """The payer's reviewer behind the token (None: a provider)."""
        if self.role != ROLE_REVIEWER or self.admission is None or not self.admission.payers:
            return None
        return Reviewer(payer=self.admission.payers[0], client_id=self.client_id)

    @property
    def requester(self) -> Requester:
        """The caller as the use cases know it."""
        return Requester(
            tenant=self.tenant,
            client_id=self.client_id,
            admission=self.admission,
            category=self.category,
        )


class TokenService:
    """Issues access tokens for valid assertions and verifies them on every request."""

    def __init__(
        self,
        *,
        key: bytes,
        issuer: str,
        audience: str,
        token_url: str,
        uow: UnitOfWorkFactory,
        clock: Clock,
        token_seconds: int,
        assertion_max_seconds: int,
    ) -> None:
        self._key = OctKey.import_key(key)
        self._issuer = issuer
        self._audience = audience
        self._token_url = token_url.rstrip("/")
        self._uow = uow
        self._clock = clock
        self._token_seconds = token_seconds
        self._assertion_max = assertion_max_seconds
        self._verified: dict[str, Caller] = {}

    def issue(self, form: Mapping[str, str]) -> dict[str, Any]:
        """Exchange a client assertion for an access token (the token endpoint); a refusal is
        audited, then raised."""
        attempt = _Attempt()
        try:
            return self._issue(form, attempt)
        except OAuthError as exc:
            self.refused(exc, attempt.provider)
            raise

    def refused(self, error: OAuthError, provider: Provider | None = None) -> None:
        """Audit a refused token request; `provider` when the assertion named a known client."""
        entry = AuditEntry(
            at=self._clock.now(),
            action="token.issue",
            outcome=rule_for(error).status,
            tenant=provider.id if provider else None,
            client_id=provider.client_id if provider else None,
            detail=f"{error.error}: {error.description}",  # fixed words, never the request's
        )
        try:
            with self._uow() as uow:
                uow.audit.append(entry)
                uow.commit()
        except Exception as exc:
            if not is_database_error(exc):
                raise
            log.warning("audit of a refused token request not written: database unavailable")

    def _issue(self, form: Mapping[str, str], attempt: _Attempt) -> dict[str, Any]:
        _check_grant(form)
        assertion = form.get("client_assertion", "")
        client_id = _unverified_issuer(assertion)
        if form.get("client_id", client_id) != client_id:
            raise InvalidClient("client_id diffère de l'émetteur (iss) de l'assertion")
        provider = attempt.provider = self._provider(client_id)
        claims = self._verify_assertion(assertion, provider)
        scopes = grantable(form.get("scope", ""), provider.scopes)
        if not scopes:
            raise InvalidScope("Aucune portée demandée n'est accordable")
        self._consume_jti(provider, claims)
        return self._access_token(provider, scopes)

    def verify(self, token: str) -> Caller:
        """The caller behind a bearer token; cached until the token expires."""
        now = int(self._clock.now().timestamp())
        cached = self._verified.get(token)
        if cached is not None and cached.expires_at > now:
            return cached
        caller = self._decode_access(token, now)
        if len(self._verified) > 50_000:  # bounded memory: forget all, re-verify on demand
            self._verified.clear()
        self._verified[token] = caller
        return caller

    def _decode_access(self, token: str, now: int) -> Caller:
        try:
            claims = jwt.decode(token, self._key, algorithms=[ACCESS_ALGORITHM]).claims
        except (JoseError, ValueError) as exc:
            raise InvalidToken("jeton illisible ou mal signé") from exc
        exp = claims.get("exp")
        if claims.get("aud") != self._audience or not isinstance(exp, int) or exp <= now:
            raise InvalidToken("jeton expiré ou destiné à un autre service")
        return Caller(
            client_id=str(claims["sub"]),
            tenant=str(claims["tenant"]),
            inpe=str(claims["inpe"]),
            scopes=tuple(str(claims.get("scope", "")).split()),
            expires_at=exp,
            admission=_admission(claims),
            role=str(claims.get("role", ROLE_PROVIDER)),
            category=str(claims.get("category", "")),
        )

    def _provider(self, client_id: str) -> Provider:
        with self._uow() as uow:
            provider = uow.providers.by_client_id(client_id)
        if provider is None or not provider.active:
            raise InvalidClient("Client inconnu ou désactivé")
        return provider

    def _verify_assertion(self, assertion: str, provider: Provider) -> dict[str, Any]:
        try:
            keys = KeySet.import_key_set(_jwks(provider.jwks))
            token = jwt.decode(assertion, keys, algorithms=ASSERTION_ALGORITHMS)
        except (JoseError, ValueError) as exc:
            raise InvalidClient("Signature de l'assertion invalide") from exc
        self._check_claims(token.claims, provider.client_id)
        return token.claims

    def _check_claims(self, claims: dict[str, Any], client_id: str) -> None:
        now = int(self._clock.now().timestamp())
        exp, aud = claims.get("exp"), claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if claims.get("sub") != client_id:
            raise InvalidClient("iss et sub de l'assertion diffèrent")
        if self._token_url not in [str(a).rstrip("/") for a in audiences]:
            raise InvalidClient("Audience de l'assertion incorrecte")
        if not isinstance(exp, int) or exp <= now:
            raise InvalidClient("Assertion expirée")
        if exp > now + self._assertion_max:
            raise InvalidClient("Assertion valable trop longtemps")
        for claim in ("nbf", "iat"):  # RFC 7523 §3: optional, and then not in the future
            if claim in claims and not _moment_before(claims[claim], now + CLOCK_SKEW_SECONDS):
                raise InvalidClient(f"Assertion datée dans le futur ou mal datée ({claim})")
        if not isinstance(claims.get("jti"), str) or not claims["jti"]:
            raise InvalidClient("Assertion sans identifiant jti")

    def _consume_jti(self, provider: Provider, claims: dict[str, Any]) -> None:
        expires = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
        with self._uow() as uow:
            if not uow.replay.remember(provider.client_id, str(claims["jti"]), expires):
                raise InvalidClient("Assertion déjà utilisée (jti rejoué)")
            uow.audit.append(
                AuditEntry(
                    at=self._clock.now(),
                    action="token.issue",
                    outcome=200,
                    tenant=provider.id,
                    client_id=provider.client_id,
                )
            )
            uow.commit()

    def _access_token(self, provider: Provider, scopes: list[str]) -> dict[str, Any]:
        now = int(self._clock.now().timestamp())
        claims = {
            "iss": self._issuer,
            "sub": provider.client_id,
            "aud": self._audience,
            "iat": now,
            "exp": now + self._token_seconds,
            "jti": secrets.token_urlsafe(16),
            "scope": " ".join(scopes),
            "tenant": provider.id,
            "inpe": provider.inpe,
            # The provider's admission rides in the token: the hot path reads no table for it,
            # and a change reaches the provider with its next token.
            "payers": list(provider.payers),
            "convention": provider.convention.value,
            "role": ROLE_REVIEWER if provider.reviewer else ROLE_PROVIDER,
            "category": provider.category,
        }
        token = jwt.encode({"alg": ACCESS_ALGORITHM}, claims, self._key)
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self._token_seconds,
            "scope": claims["scope"],
        }


@dataclass(slots=True)
class _Attempt:
    """What a token request turned out to be, as far as it went: for the audit of a refusal."""

    provider: Provider | None = None


def _moment_before(value: object, limit: int) -> bool:
    """Whether a NumericDate claim is a number no later than `limit` (RFC 7519 §2)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value <= limit


def _admission(claims: Mapping[str, Any]) -> Admission | None:
    """The admission an access token carries (None: issued before tokens carried it)."""
    payers = claims.get("payers")
    if not isinstance(payers, list):
        return None
    return Admission(tuple(str(p) for p in payers), Convention(claims.get("convention", "active")))


def _check_grant(form: Mapping[str, str]) -> None:
    if form.get("grant_type") != "client_credentials":
        raise UnsupportedGrant("Seul client_credentials est accepté")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise OAuthError("client_assertion_type doit être jwt-bearer")
    if not form.get("client_assertion"):
        raise OAuthError("client_assertion manquante")


def _unverified_issuer(assertion: str) -> str:
    """The iss claim, read before verification only to find which keys verify it."""
    try:
        claims = orjson.loads(jws.extract_compact(assertion.encode()).payload)
    except (JoseError, ValueError) as exc:
        raise InvalidClient("Assertion illisible") from exc
    iss = claims.get("iss") if isinstance(claims, dict) else None
    if not isinstance(iss, str) or not iss:
        raise InvalidClient("Assertion sans émetteur (iss)")
    return iss


def _jwks(text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(text)
    return loaded
