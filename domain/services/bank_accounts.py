"""Use cases of providers' bank accounts: a change proposed by one payer-side user, taking
effect when another approves it, both in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from domain.bank_accounts import (
    AccountChange,
    NoPendingChange,
    Rib,
    approve,
    propose,
)
from domain.records import AuditEntry
from domain.settlement_ports import SettlementUnitOfWork


def propose_account(
    uow: SettlementUnitOfWork, provider: str, rib: Rib, *, by: str, now: datetime,
    new_id: Callable[[], str], holder: str = "",
) -> AccountChange:  # fmt: skip
    """Record a new account for a provider (and its holder's name, when given), waiting
    for a second user's approval."""
    change = propose(new_id(), provider, rib, by=by, at=now, holder=holder)
    with uow:
        uow.bank_accounts.propose(change)
        uow.audit.append(_audit("bank_account.propose", change, by, now))
        uow.commit()
    return change


def approve_account(
    uow: SettlementUnitOfWork, provider: str, *, by: str, now: datetime
) -> AccountChange:
    """Make the provider's pending account its account, approved by a second user."""
    with uow:
        pending = uow.bank_accounts.pending(provider)
        if pending is None:
            raise NoPendingChange(f"Aucun changement de compte en attente pour {provider}")
        done = approve(pending, by=by, at=now)
        uow.bank_accounts.approve(done)
        uow.audit.append(_audit("bank_account.approve", done, by, now))
        uow.commit()
    return done


def pending_changes(uow: SettlementUnitOfWork) -> list[AccountChange]:
    """Every change of account waiting for a second approval, oldest first."""
    with uow:
        return uow.bank_accounts.every_pending()


def masked(rib: Rib) -> str:
    """A RIB as the audit shows it: bank, city and the account's last four digits."""
    return f"{rib.bank} {rib.city} ************{rib.account[-4:]} {rib.value[-2:]}"


def _audit(action: str, change: AccountChange, by: str, now: datetime) -> AuditEntry:
    return AuditEntry(
        now, action, 200, tenant=change.provider, client_id=by,
        resource=f"BankAccount/{change.id}", detail=masked(change.rib),
    )  # fmt: skip
