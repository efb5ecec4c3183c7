"""Ports of the people's accounts: their store, their sessions, passwords and second factor."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.accounts import Organization, StaffRole, StaffSession, StaffUser


class PasswordHasher(Protocol):
    """One-way password hashes (argon2id): slow on purpose, so never on the event loop."""

    async def hash(self, password: str) -> str:
        """The encoded hash of a password, with its own salt and parameters."""
        ...

    async def verify(self, encoded: str, password: str) -> bool:
        """Whether the password matches the hash (never raises for a mismatch)."""
        ...


class SecondFactor(Protocol):
    """Time-based one-time codes (RFC 6238)."""

    def new_secret(self) -> str:
        """A fresh base32 secret to enrol an authenticator app."""
        ...

    def verify(self, secret: str, code: str, at: datetime) -> bool:
        """Whether the code is the secret's at that instant (one step of drift allowed)."""
        ...

    def enrolment_uri(self, secret: str, email: str) -> str:
        """The otpauth:// URI an authenticator app reads (as a QR code or typed)."""
        ...


class AccountStore(Protocol):
    """Staff accounts and the organizations they act for."""

    async def organization(self, org: str) -> Organization | None:
        """A registered provider (by tenant id) or a payer (by code)."""
        ...

    async def by_email(self, email: str) -> StaffUser | None:
        """The account with that (normalised) email."""
        ...

    async def add(self, user: StaffUser) -> None:
        """Store a new account, committed; a taken email raises AccountExists."""
        ...

    async def of_org(self, org: str) -> list[StaffUser]:
        """An organization's accounts, by email."""
        ...

    async def by_id(self, user_id: str) -> StaffUser | None:
        """The account with that id."""
        ...

    async def lock(self, user_id: str, until: datetime) -> None:
        """Refuse the account's sign-ins until then, committed."""
        ...

    async def set_second_factor(self, user_id: str, secret: str | None) -> None:
        """Keep the account's TOTP secret (None: no second factor), committed."""
        ...

    async def set_active(self, user_id: str, active: bool) -> None:
        """Let the account sign in, or not, committed."""
        ...

    async def set_role(self, user_id: str, role: StaffRole) -> None:
        """Change the account's role, committed."""
        ...

    async def step_down(
        self, user_id: str, org: str, *, active: bool = True, role: StaffRole = StaffRole.ADMIN
    ) -> bool:
        """Deactivate an admin of the organization or give it that role, unless no other
        active admin would remain; checked and changed in one transaction, so that two admins
        stepping each other down at once leave one. False: refused, nothing changed."""
        ...


class SessionStore(Protocol):
    """Signed-in sessions, kept under the hash of their cookie id."""

    async def open(self, key: str, session: StaffSession) -> None:
        """Store a new session, committed."""
        ...

    async def find(self, key: str) -> StaffSession | None:
        """The session under that key (expired ones included: the caller checks)."""
        ...

    async def close(self, key: str) -> None:
        """Forget one session, committed."""
        ...

    async def close_all(self, user_id: str, keep: str = "") -> int:
        """Forget every session of a person but the one under `keep`, committed; how many."""
        ...
