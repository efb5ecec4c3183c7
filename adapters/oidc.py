"""Single sign-on with a payer's OpenID Connect provider (authorization code flow, PKCE S256,
a confidential client): the payer's staff sign in to the console with the identity their
employer already manages, second factor included.

The provider is discovered from its issuer (`/.well-known/openid-configuration`); the ID
token is checked before anything it says is used: signature against the provider's JWKS
(asymmetric algorithms only), issuer, audience (and `azp` when there are several), expiry,
issue time, and the nonce this sign-in chose. Any failure is an `OidcRefused` whose message
names the check, never a token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

ALGORITHMS = ["RS256", "RS384", "PS256", "ES256", "ES384"]  # never "none" nor HS*: no shared key
LEEWAY_SECONDS = 60  # clock skew between the provider and us
DISCOVERY_SECONDS = 3600  # endpoints and keys are read again hourly (key rotation)


class OidcRefused(Exception):
    """The provider's answer cannot sign anyone in; the message says which check failed."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the provider vouches for."""

    subject: str
    email: str
    email_verified: bool


class OidcProvider:
    """One payer's OpenID Connect provider, as a confidential client of it."""

    def __init__(
        self,
        payer: str,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.payer = payer
        self.issuer = issuer.rstrip("/")
        self._client_id, self._secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self._timeout, self._transport = timeout, transport
        self._config: dict[str, Any] = {}
        self._keys: KeySet | None = None
        self._read_at = 0.0

    async def authorization_url(self, state: str, nonce: str, verifier: str) -> str:
        """Where to send the person: the provider's sign-in, back to our callback."""
        config = await self._discovered()
        async with self._client() as client:
            url, _ = client.create_authorization_url(
                config["authorization_endpoint"], state=state, code_verifier=verifier,
                nonce=nonce, scope="openid email",
            )  # fmt: skip
        return str(url)

    async def identify(self, code: str, verifier: str, nonce: str) -> Identity:
        """Exchange the callback's code for tokens; the ID token checked, who it names."""
        config = await self._discovered()
        try:
            async with self._client() as client:
                token = await client.fetch_token(
                    config["token_endpoint"], code=code, code_verifier=verifier,
                    grant_type="authorization_code",
                )  # fmt: skip
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise OidcRefused(f"échange du code refusé ({type(exc).__name__})") from None
        except Exception as exc:  # authlib's OAuthError family: the provider said no
            raise OidcRefused(
                f"échange du code refusé ({getattr(exc, 'error', 'erreur')})"
            ) from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcRefused("pas de jeton d'identité dans la réponse")
        claims = await self._verified(id_token, nonce)
        email = claims.get("email")
        if not isinstance(email, str) or not email:
            raise OidcRefused("le jeton d'identité ne porte pas d'adresse électronique")
        return Identity(str(claims["sub"]), email, claims.get("email_verified") is True)

    async def _verified(self, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            decoded = jwt.decode(id_token, await self._key_set(), algorithms=ALGORITHMS)
        except (JoseError, ValueError):
            self._keys = None  # the provider may have rotated its keys: read them once more
            try:
                decoded = jwt.decode(id_token, await self._key_set(), algorithms=ALGORITHMS)
            except (JoseError, ValueError) as exc:
                raise OidcRefused(f"signature du jeton d'identité invalide ({exc})") from None
        claims = dict(decoded.claims)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise OidcRefused(f"jeton d'identité refusé ({exc})") from None
        audiences = claims.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else audiences
        if not isinstance(audiences, list) or self._client_id not in audiences:
            raise OidcRefused("jeton d'identité destiné à un autre client (aud)")
        if len(audiences) > 1 and claims.get("azp") != self._client_id:
            raise OidcRefused("jeton d'identité destiné à un autre client (azp)")
        return claims

    async def _discovered(self) -> dict[str, Any]:
        if self._config and time.monotonic() - self._read_at < DISCOVERY_SECONDS:
            return self._config
        config = await self._get(f"{self.issuer}/.well-known/openid-configuration")
        if str(config.get("issuer", "")).rstrip("/") != self.issuer:
            raise OidcRefused("la configuration du fournisseur annonce un autre émetteur")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(config.get(name), str):
                raise OidcRefused(f"configuration du fournisseur incomplète ({name})")
        self._config, self._keys, self._read_at = config, None, time.monotonic()
        return config

    async def _key_set(self) -> KeySet:
        if self._keys is None:
            config = await self._discovered()
            try:
                self._keys = KeySet.import_key_set(await self._get(config["jwks_uri"]))
            except (JoseError, ValueError, TypeError) as exc:
                raise OidcRefused(f"clés du fournisseur illisibles ({exc})") from None
        return self._keys

    async def _get(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as http:
                answer = await http.get(url, headers={"Accept": "application/json"})
                answer.raise_for_status()
                found = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcRefused(
                f"fournisseur injoignable ou illisible ({type(exc).__name__})"
            ) from None
        if not isinstance(found, dict):
            raise OidcRefused("réponse du fournisseur illisible")
        return found

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self._client_id, client_secret=self._secret,
            token_endpoint_auth_method="client_secret_basic", redirect_uri=self.redirect_uri,
            code_challenge_method="S256", timeout=self._timeout, transport=self._transport,
        )  # fmt: skip
