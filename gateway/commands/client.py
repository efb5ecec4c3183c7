"""A provider's side of SMART Backend Services: a key pair and signed assertions."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

import orjson
from authlib.oauth2.rfc7523 import private_key_jwt_sign
from joserfc.jwk import ECKey

# Seconds: a client signs an assertion just before using it; two minutes absorb clock skew
# between its machine and ours, within the five minutes SMART Backend Services allows.
ASSERTION_LIFETIME = 120


def generate_client_key(path: Path, key_id: str | None = None) -> dict[str, Any]:
    """Write a private EC P-384 JWK (mode 600) and return the public JWK Set to register."""
    key = ECKey.generate_key(
        "P-384", parameters={"kid": key_id or secrets.token_hex(8), "use": "sig", "alg": "ES384"}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(orjson.dumps(key.as_dict(private=True), option=orjson.OPT_INDENT_2))
    return {"keys": [key.as_dict(private=False)]}


def sign_assertion(key_path: Path, client_id: str, token_url: str) -> str:
    """A client assertion (RFC 7523) for the token endpoint, signed with the private JWK."""
    private = orjson.loads(key_path.read_bytes())
    now = int(time.time())
    return str(
        private_key_jwt_sign(
            private,
            client_id,
            token_url,
            alg="ES384",
            header={"kid": private.get("kid", ""), "typ": "JWT"},
            issued_at=now,
            expires_at=now + ASSERTION_LIFETIME,
        )
    )
