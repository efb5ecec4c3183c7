"""In-memory fakes of the accounts' ports (domain.account_ports), and ports to test with."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import replace
from datetime import datetime

from adapters.cache.memory import MemoryRateLimiter
from adapters.passwords import Argon2Passwords, TotpCodes
from domain.accounts import (
    PAYERS,
    AccountExists,
    Organization,
    Side,
    StaffRole,
    StaffSession,
    StaffUser,
)
from domain.records import Admission, AuditEntry
from domain.services.accounts import AccountPorts
from tests.fakes import FakeClock


class FakeAccounts:
    """AccountStore and SessionStore in dicts."""

    def __init__(self, providers: dict[str, Organization] | None = None) -> None:
        self.orgs = dict(providers or {})
        self.orgs.update({p: Organization(p, Side.PAYER, p) for p in PAYERS})
        self.users: dict[str, StaffUser] = {}
        self.sessions: dict[str, StaffSession] = {}

    async def organization(self, org: str) -> Organization | None:
        """The organization registered under that id."""
        return self.orgs.get(org)

    async def by_email(self, email: str) -> StaffUser | None:
        """The account with that email."""
        return next((u for u in self.users.values() if u.email == email), None)

    async def add(self, user: StaffUser) -> None:
        """Keep a new account."""
        if await self.by_email(user.email) is not None:
            raise AccountExists(user.email)
        self.users[user.id] = user

    async def of_org(self, org: str) -> list[StaffUser]:
        """An organization's accounts, by email."""
        return sorted((u for u in self.users.values() if u.org == org), key=lambda u: u.email)

    async def by_id(self, user_id: str) -> StaffUser | None:
        """The account with that id."""
        return self.users.get(user_id)

    async def lock(self, user_id: str, until: datetime) -> None:
        """Lock an account until then."""
        self.users[user_id] = replace(self.users[user_id], locked_until=until)

    async def set_second_factor(self, user_id: str, secret: str | None) -> None:
        """Keep or clear an account's TOTP secret."""
        self.users[user_id] = replace(self.users[user_id], totp_secret=secret)

    async def set_active(self, user_id: str, active: bool) -> None:
        """Let an account sign in, or not."""
        self.users[user_id] = replace(self.users[user_id], active=active)

    async def set_role(self, user_id: str, role: StaffRole) -> None:
        """Change an account's role."""
        self.users[user_id] = replace(self.users[user_id], role=role)

    async def step_down(
        self, user_id: str, org: str, *, active: bool = True, role: StaffRole = StaffRole.ADMIN
    ) -> bool:
        """Deactivate or re-role an admin unless it is the organization's last active one."""
        others = [
            u for u in self.users.values()
            if u.org == org and u.id != user_id and u.active and u.role is StaffRole.ADMIN
        ]  # fmt: skip
        if not others:
            return False
        self.users[user_id] = replace(self.users[user_id], active=active, role=role)
        return True

    async def open(self, key: str, session: StaffSession) -> None:
        """Keep a session."""
        self.sessions[key] = session

    async def find(self, key: str) -> StaffSession | None:
        """The session under that key."""
        return self.sessions.get(key)

    async def close(self, key: str) -> None:
        """Forget a session."""
        self.sessions.pop(key, None)

    async def close_all(self, user_id: str, keep: str = "") -> int:
        """Forget a person's sessions but the one under `keep`."""
        keys = [k for k, s in self.sessions.items() if s.user_id == user_id and k != keep]
        for key in keys:
            del self.sessions[key]
        return len(keys)


class ListAudit:
    """AuditTrail keeping entries in a list."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def append(self, entry: AuditEntry) -> None:
        """Add an entry."""
        self.entries.append(entry)


PHARMACY = Organization("ph-1", Side.PROVIDER, "Pharmacie Un", Admission(("CNSS",)), "pharmacy")
OTHER = Organization("ph-2", Side.PROVIDER, "Pharmacie Deux", Admission(("CNSS",)), "pharmacy")


def account_ports(
    store: FakeAccounts, audit: ListAudit, clock: FakeClock, *, attempts: int = 5
) -> AccountPorts:
    """Ports with fast argon2 parameters and a sign-in throttle of `attempts` per minute."""
    ticks = itertools.count(1)

    def seconds() -> float:
        return clock.now().timestamp()

    return AccountPorts(
        accounts=store,
        sessions=store,
        hasher=Argon2Passwords(time_cost=1, memory_kib=1024),
        second_factor=TotpCodes(),
        per_account=MemoryRateLimiter(rate_per_second=attempts / 60, burst=attempts, clock=seconds),
        per_address=MemoryRateLimiter(rate_per_second=1, burst=100, clock=seconds),
        audit=audit,
        clock=clock,
        new_token=lambda: secrets.token_urlsafe(32),
        new_id=lambda: f"u{next(ticks)}",
    )
