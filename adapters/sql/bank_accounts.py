"""Providers' bank accounts in SQL: one row per change, pending until a second user approves
it; the approved row is the account transfers are paid into. It never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from adapters.sql.settlement_tables import BankAccountRow
from domain.bank_accounts import AccountChange, Rib

ACCOUNT = BankAccountRow.__table__
PENDING, ACTIVE, SUPERSEDED = "pending", "active", "superseded"


class SqlBankAccounts:
    """domain.settlement_ports.BankAccounts over the bank_account table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def active(self, provider: str) -> Rib | None:
        """The provider's approved account."""
        row = self._one(provider, ACTIVE)
        return None if row is None else Rib(row.rib)

    def every_active(self) -> dict[str, Rib]:
        """Every provider's approved account, in one statement."""
        rows = self._session.execute(
            select(ACCOUNT.c.provider, ACCOUNT.c.rib).where(ACCOUNT.c.status == ACTIVE)
        )
        return {row.provider: Rib(row.rib) for row in rows}

    def pending(self, provider: str) -> AccountChange | None:
        """The change waiting for its second approval."""
        row = self._one(provider, PENDING)
        if row is None:
            return None
        return _change(row)

    def every_pending(self) -> list[AccountChange]:
        """Every change waiting for its second approval, oldest first."""
        rows = self._session.execute(
            select(ACCOUNT).where(ACCOUNT.c.status == PENDING).order_by(ACCOUNT.c.proposed_at)
        )
        return [_change(r) for r in rows]

    def propose(self, change: AccountChange) -> None:
        """Record a proposal; one still pending is superseded by it."""
        self._move(change.provider, PENDING, SUPERSEDED)
        self._session.execute(
            insert(ACCOUNT),
            [{"id": change.id, "provider": change.provider, "rib": change.rib.value,
              "status": PENDING, "proposed_by": change.proposed_by,
              "proposed_at": change.proposed_at, "holder": change.holder}],
        )  # fmt: skip

    def approve(self, change: AccountChange) -> None:
        """The approved change becomes the provider's account."""
        self._move(change.provider, ACTIVE, SUPERSEDED)
        self._session.execute(
            update(ACCOUNT)
            .where(ACCOUNT.c.id == change.id)
            .values(status=ACTIVE, approved_by=change.approved_by, approved_at=change.approved_at)
        )

    def _move(self, provider: str, old: str, new: str) -> None:
        self._session.execute(
            update(ACCOUNT)
            .where(ACCOUNT.c.provider == provider, ACCOUNT.c.status == old)
            .values(status=new)
        )

    def _one(self, provider: str, status: str) -> Any:
        return self._session.execute(
            select(ACCOUNT)
            .where(ACCOUNT.c.provider == provider, ACCOUNT.c.status == status)
            .order_by(ACCOUNT.c.proposed_at.desc())
            .limit(1)
        ).first()


def _change(row: Any) -> AccountChange:
    return AccountChange(
        row.id, row.provider, Rib(row.rib), row.proposed_by, row.proposed_at, holder=row.holder
    )
