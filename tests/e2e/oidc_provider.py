"""A payer's OpenID Connect provider for the single sign-on tests: a real HTTP server on
loopback (uvicorn in a thread) that speaks the authorization code flow as Keycloak or Azure
AD do — discovery, JWKS, authorize, token with client_secret_basic and PKCE S256 — and signs
its ID tokens with its own RSA key. A test chooses who signs in at the provider and may spoil
the next ID token (another audience, nonce, issuer, signing key, an expired one) to see the
gateway refuse it."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.jwk import RSAKey

from devtools.server import free_port

CLIENT_ID = "amo-gateway"
CLIENT_SECRET = "secret du client chez le fournisseur"


@dataclass
class Provider:
    """The provider's state: who is signed in there, the codes it gave, what to spoil."""

    base: str
    redirect_prefix: str  # the callbacks it accepts (registered for our client)
    person: dict[str, Any] = field(default_factory=dict)  # email, email_verified
    spoil: dict[str, Any] = field(default_factory=dict)  # claims to override once
    foreign_key: bool = False  # sign the next ID token with a key not in the JWKS
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    token_calls: int = 0

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.base, "sub": "sub-" + self.person["email"], "aud": CLIENT_ID,
                  "iat": now, "exp": now + 300, "nonce": nonce, **self.person}  # fmt: skip
        claims |= self.spoil
        key = RSAKey.generate_key(2048, parameters={"kid": "k1"}) if self.foreign_key else self.key
        self.spoil, self.foreign_key = {}, False
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key, algorithms=["RS256"])


def app_of(provider: Provider) -> FastAPI:
    """The provider's endpoints."""
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    async def configuration() -> dict[str, Any]:
        return {
            "issuer": provider.base,
            "authorization_endpoint": f"{provider.base}/authorize",
            "token_endpoint": f"{provider.base}/token",
            "jwks_uri": f"{provider.base}/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    @app.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return {"keys": [provider.key.as_dict(private=False)]}

    @app.get("/authorize")
    async def authorize(request: Request) -> Response:
        asked = request.query_params
        if (
            asked.get("client_id") != CLIENT_ID
            or not asked.get("redirect_uri", "").startswith(provider.redirect_prefix)
            or asked.get("response_type") != "code"
            or asked.get("code_challenge_method") != "S256"
            or "openid" not in asked.get("scope", "").split()
        ):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(16)
        provider.codes[code] = {"nonce": asked.get("nonce", ""), "redirect": asked["redirect_uri"],
                                "challenge": asked.get("code_challenge", "")}  # fmt: skip
        back = urlencode({"code": code, "state": asked.get("state", "")})
        return RedirectResponse(f"{asked['redirect_uri']}?{back}", status_code=302)

    @app.post("/token")
    async def token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        grant_type, code = form.get("grant_type", ""), form.get("code", "")
        redirect_uri, code_verifier = form.get("redirect_uri", ""), form.get("code_verifier", "")
        provider.token_calls += 1
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        given = provider.codes.pop(code, None)  # a code serves once
        digest = hashlib.sha256(code_verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        if (
            grant_type != "authorization_code"
            or given is None
            or given["redirect"] != redirect_uri
            or given["challenge"] != challenge
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        tokens = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer"}
        tokens |= {"expires_in": 300, "id_token": provider.id_token(given["nonce"])}
        return JSONResponse(tokens)

    return app


@contextmanager
def serving(redirect_prefix: str) -> Iterator[Provider]:
    """The provider on a free loopback port, until the block ends."""
    port = free_port()
    provider = Provider(f"http://127.0.0.1:{port}", redirect_prefix)
    config = uvicorn.Config(app_of(provider), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the identity provider did not start")
        time.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=5)
