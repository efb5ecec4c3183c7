"""Staff passwords hashed with argon2id (argon2-cffi's RFC 9106 low-memory profile), and the
TOTP second factor (pyotp)."""

from __future__ import annotations

from datetime import datetime

import anyio
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Passwords:
    """domain.account_ports.PasswordHasher with argon2id (64 MiB, 3 passes, 4 lanes), in a
    worker thread: a hash takes tens to hundreds of milliseconds of CPU (argon2 releases the
    GIL meanwhile), which the event loop serving every provider must not wait for."""

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)

    async def hash(self, password: str) -> str:
        """The encoded argon2id hash, with its own random salt."""
        return await anyio.to_thread.run_sync(self._hasher.hash, password)

    async def verify(self, encoded: str, password: str) -> bool:
        """Whether the password matches; False for a mismatch or an unreadable hash."""
        return await anyio.to_thread.run_sync(self._verify, encoded, password)

    def _verify(self, encoded: str, password: str) -> bool:
        try:
            return self._hasher.verify(encoded, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


class TotpCodes:
    """domain.account_ports.SecondFactor: 6-digit codes every 30 s (RFC 6238)."""

    def new_secret(self) -> str:
        """A random base32 secret, as authenticator apps read it."""
        return pyotp.random_base32()

    def verify(self, secret: str, code: str, at: datetime) -> bool:
        """Whether the code is right at that instant, one 30 s step either side allowed."""
        if not code.isdigit():
            return False
        return pyotp.TOTP(secret).verify(code, for_time=at, valid_window=1)

    def enrolment_uri(self, secret: str, email: str) -> str:
        """The otpauth:// URI an authenticator app reads (as a QR code or typed)."""
        return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="AMO tiers payant")

    def code(self, secret: str, at: datetime) -> str:
        """The code at that instant (the enrolment check and tests)."""
        return pyotp.TOTP(secret).at(at)
