"""Staff accounts and their sessions; each call one unit of work in a worker thread.

A TOTP secret is encrypted at rest like personal data (FieldCipher, bound to its account).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.crypto import FieldCipher
from adapters.sql.account_tables import StaffSessionRow, StaffUserRow
from adapters.sql.providers import PROVIDER
from adapters.sql.reads import in_thread
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.accounts import (
    PAYERS,
    AccountExists,
    Organization,
    Side,
    StaffRole,
    StaffSession,
    StaffUser,
)
from domain.records import Admission, Convention

USER = StaffUserRow.__table__
SESSION = StaffSessionRow.__table__
T = TypeVar("T")
PAYER_NAMES = {"CNSS": "Caisse nationale de sécurité sociale",
               "CNOPS": "Caisse nationale des organismes de prévoyance sociale"}  # fmt: skip


def totp_aad(user_id: str) -> bytes:
    """What binds a TOTP secret's ciphertext to its account."""
    return b"staff-totp\x1f" + user_id.encode()


class SqlAccountStore:
    """domain.account_ports.AccountStore and SessionStore over staff_user and staff_session."""

    def __init__(self, uow: SqlUnitOfWorkFactory, *, cipher: FieldCipher, deadline: float):
        self._uow = uow
        self._cipher = cipher
        self._deadline = deadline

    async def organization(self, org: str) -> Organization | None:
        """A registered provider (by id) or a payer (by code)."""
        if org in PAYERS:
            return Organization(org, Side.PAYER, PAYER_NAMES[org])
        return await self._run(lambda s: _provider_org(s, org))

    async def by_email(self, email: str) -> StaffUser | None:
        """The account with that normalised email."""
        query = select(USER).where(USER.c.email == email)
        row = await self._run(lambda s: s.execute(query).first())
        return None if row is None else self._user(row)

    async def add(self, user: StaffUser) -> None:
        """Store a new account, committed; a taken email raises AccountExists."""
        row = {
            "id": user.id, "org": user.org, "side": user.side.value, "email": user.email,
            "role": user.role.value, "password_hash": user.password_hash, "active": user.active,
            "created_at": user.created, "key_id": None, "totp_enc": None,
        }  # fmt: skip
        row.update(self._sealed(user.id, user.totp_secret))
        if not await self._run(lambda s: _inserted(s, row)):
            raise AccountExists(f"Un compte existe déjà pour {user.email}")

    async def of_org(self, org: str) -> list[StaffUser]:
        """An organization's accounts, by email."""
        query = select(USER).where(USER.c.org == org).order_by(USER.c.email)
        rows = await self._run(lambda s: list(s.execute(query)))
        return [self._user(row) for row in rows]

    async def by_id(self, user_id: str) -> StaffUser | None:
        """The account with that id."""
        query = select(USER).where(USER.c.id == user_id)
        row = await self._run(lambda s: s.execute(query).first())
        return None if row is None else self._user(row)

    async def lock(self, user_id: str, until: datetime) -> None:
        """Refuse the account's sign-ins until then, committed."""
        await self._change(user_id, locked_until=until)

    async def set_second_factor(self, user_id: str, secret: str | None) -> None:
        """Keep the account's TOTP secret encrypted (None: none), committed."""
        await self._change(user_id, **self._sealed(user_id, secret))

    async def set_active(self, user_id: str, active: bool) -> None:
        """Let the account sign in, or not, committed."""
        await self._change(user_id, active=active)

    async def set_role(self, user_id: str, role: StaffRole) -> None:
        """Change the account's role, committed."""
        await self._change(user_id, role=role.value)

    async def step_down(
        self, user_id: str, org: str, *, active: bool = True, role: StaffRole = StaffRole.ADMIN
    ) -> bool:
        """Deactivate or re-role an admin unless no other active admin of the organization
        would remain. The organization's active admins are locked while checked (FOR UPDATE
        on PostgreSQL; SQLite's write transactions begin IMMEDIATE, one at a time), so a
        colleague stepping this one down at the same moment waits and then sees the change."""
        admins = (
            select(USER.c.id)
            .where(USER.c.org == org, USER.c.active.is_(True))
            .where(USER.c.role == StaffRole.ADMIN.value)
            .order_by(USER.c.id)
            .with_for_update()
        )
        change = update(USER).where(USER.c.id == user_id).values(active=active, role=role.value)

        def work(session: Session) -> bool:
            if not set(session.execute(admins).scalars()) - {user_id}:
                return False
            session.execute(change)
            return True

        return await self._run(work, commit=True)

    async def open(self, key: str, session: StaffSession) -> None:
        """Store a new session, committed."""
        row = {
            "key": key, "user_id": session.user_id, "org": session.org,
            "side": session.side.value, "role": session.role.value, "email": session.email,
            "created_at": session.created, "expires_at": session.expires,
        }  # fmt: skip
        await self._run(lambda s: s.execute(insert(SESSION), [row]), commit=True)

    async def find(self, key: str) -> StaffSession | None:
        """The session under that key."""
        query = select(SESSION).where(SESSION.c.key == key)
        row = await self._run(lambda s: s.execute(query).first())
        return None if row is None else _session(row)

    async def close(self, key: str) -> None:
        """Forget one session, committed."""
        await self._run(lambda s: s.execute(delete(SESSION).where(SESSION.c.key == key)), True)

    async def close_all(self, user_id: str, keep: str = "") -> int:
        """Forget every session of a person but the one under `keep`, committed; how many."""
        query = delete(SESSION).where(SESSION.c.user_id == user_id, SESSION.c.key != keep)
        return int(await self._run(lambda s: s.execute(query).rowcount, commit=True))

    async def _change(self, user_id: str, **values: Any) -> None:
        change = update(USER).where(USER.c.id == user_id).values(**values)
        await self._run(lambda s: s.execute(change), commit=True)

    def _sealed(self, user_id: str, secret: str | None) -> dict[str, Any]:
        """The columns keeping a TOTP secret: encrypted under the current key, bound to
        its account."""
        if secret is None:
            return {"key_id": None, "totp_enc": None}
        token = self._cipher.encrypt(secret.encode(), aad=totp_aad(user_id))
        return {"key_id": self._cipher.current_key_id, "totp_enc": token}

    async def _run(self, work: Callable[[Session], T], commit: bool = False) -> T:
        def unit() -> T:
            with self._uow() as uow:
                result = work(uow.session)
                if commit:
                    uow.commit()
                return result

        return await in_thread(unit, deadline=self._deadline)

    def _user(self, row: Row[Any]) -> StaffUser:
        secret = None
        if row.totp_enc is not None:
            secret = self._cipher.decrypt(row.totp_enc, aad=totp_aad(row.id)).decode()
        return StaffUser(
            id=row.id, org=row.org, side=Side(row.side), email=row.email,
            role=StaffRole(row.role), password_hash=row.password_hash, created=row.created_at,
            totp_secret=secret, active=row.active, locked_until=row.locked_until,
        )  # fmt: skip


def _inserted(session: Session, row: dict[str, Any]) -> bool:
    try:
        session.execute(insert(USER), [row])
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def _provider_org(session: Session, org: str) -> Organization | None:
    query = select(PROVIDER.c.id, PROVIDER.c.name, PROVIDER.c.category, PROVIDER.c.payers,
                   PROVIDER.c.convention, PROVIDER.c.inpe).where(PROVIDER.c.id == org)  # fmt: skip
    row = session.execute(query).first()
    if row is None:
        return None
    payers = tuple(p for p in row.payers.split(",") if p)
    admission = Admission(payers, Convention(row.convention))
    return Organization(row.id, Side.PROVIDER, row.name, admission, row.category, row.inpe)


def _session(row: Row[Any]) -> StaffSession:
    return StaffSession(
        user_id=row.user_id, org=row.org, side=Side(row.side), role=StaffRole(row.role),
        email=row.email, created=row.created_at, expires=row.expires_at,
    )  # fmt: skip


def forget_expired_sessions(uow: SqlUnitOfWorkFactory, now: datetime) -> int:
    """Delete the sessions past their end, committed; how many (the worker's job)."""
    with uow() as work:
        gone = work.session.execute(delete(SESSION).where(SESSION.c.expires_at <= now)).rowcount
        work.commit()
    return int(gone)
