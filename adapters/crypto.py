"""Field encryption (AES-256-GCM with key rotation) and blind indexes for encrypted identifiers.

A token is self-describing: ``v1.<key id>.<base64url(nonce || ciphertext+tag)>``, so a row
written under an old key stays readable after the current key changes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM nonce size NIST SP 800-38D recommends
INDEX_HEX_CHARS = 32  # 128 bits of HMAC-SHA256: collisions stay negligible at registry scale
_INDEX_BYTES = INDEX_HEX_CHARS // 2
_VERSION = b"v1"
_SHA256_BLOCK = 64  # bytes: HMAC pads a key shorter than this to it
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class CryptoError(ValueError):
    """A key, key ring or token is unusable (wrong size, unknown key id, tampered data)."""


def new_key() -> str:
    """A fresh random 32-byte key, base64-encoded, for a key ring setting."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def parse_keyring(text: str) -> dict[str, bytes]:
    """Parse a key ring setting such as ``"k1:BASE64KEY,k2:BASE64KEY"``."""
    keys: dict[str, bytes] = {}
    for number, item in enumerate(filter(None, (part.strip() for part in text.split(","))), 1):
        key_id, sep, encoded = item.partition(":")
        if not sep:  # then the entry may be a bare key: never quote it
            raise CryptoError(f"key ring entry {number} is not of the form id:base64key")
        if key_id in keys:
            raise CryptoError(f"key id {key_id!r} appears twice in the key ring")
        keys[key_id] = _decode_key(key_id, encoded.strip())
    if not keys:
        raise CryptoError("the key ring is empty")
    return keys


def _decode_key(key_id: str, encoded: str) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise CryptoError(f"key {key_id!r} is not valid base64") from exc


def _check_key(key_id: str, key: bytes) -> None:
    if not _KEY_ID.fullmatch(key_id):
        raise CryptoError(f"key id {key_id!r} must be 1-32 letters, digits, '-' or '_'")
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise CryptoError(f"key {key_id!r} must be exactly {KEY_BYTES} bytes")


class FieldCipher:
    """Encrypts fields with the current key; decrypts with whichever key a token names."""

    def __init__(self, keys: Mapping[str, bytes], current_key_id: str) -> None:
        for key_id, key in keys.items():
            _check_key(key_id, key)
        if current_key_id not in keys:
            raise CryptoError(f"current key id {current_key_id!r} is not in the key ring")
        self._aeads = {key_id.encode("ascii"): AESGCM(key) for key_id, key in keys.items()}
        self._current = current_key_id.encode("ascii")

    @property
    def current_key_id(self) -> str:
        """The key id new tokens are written with."""
        return self._current.decode("ascii")

    def encrypt(self, plaintext: bytes, *, aad: bytes = b"") -> bytes:
        """Encrypt under the current key; `aad` binds the token to its row and column."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[self._current].encrypt(nonce, plaintext, aad)
        return b".".join((_VERSION, self._current, base64.urlsafe_b64encode(nonce + sealed)))

    def decrypt(self, token: bytes, *, aad: bytes = b"") -> bytes:
        """Decrypt a token with the key it names; raise CryptoError if it was tampered with."""
        key_id, payload = _split(token)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise CryptoError(f"token key id {key_id.decode('ascii', 'replace')!r} is unknown")
        try:
            raw = base64.urlsafe_b64decode(payload)
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
        except (InvalidTag, ValueError) as exc:
            raise CryptoError("token does not authenticate (wrong key, row or data)") from exc

    def key_id_of(self, token: bytes) -> str:
        """The key id a token was written with."""
        return _split(token)[0].decode("ascii")

    def needs_rotation(self, token: bytes) -> bool:
        """Whether a token was written with another key than the current one."""
        return _split(token)[0] != self._current


def _split(token: bytes) -> tuple[bytes, bytes]:
    parts = bytes(token).split(b".")
    if len(parts) != 3 or parts[0] != _VERSION:
        raise CryptoError("not a v1 field token")
    return parts[1], parts[2]


class BlindIndex:
    """A keyed hash of an identifier, to find encrypted rows without decrypting them."""

    def __init__(self, key: bytes) -> None:
        _check_key("blind-index", key)
        # HMAC-SHA256 (RFC 2104) with its two padded keys hashed once: each digest then
        # copies both states, about half the cost of hmac.digest's one-shot path, which
        # sets them up anew for every identifier of a registry.
        block = key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def digest(self, kind: str, value: str) -> str:
        """The index of a (kind, value) pair, as hex; kind separates the namespaces."""
        inner = self._inner.copy()
        inner.update(f"{kind}\x1f{value}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()[:_INDEX_BYTES].hex()
