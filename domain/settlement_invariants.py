"""What must hold of the ledger whatever the settlement did, crashed or was told by a bank.

- every entry balances, and so does the whole: debits equal credits;
- no payable account below zero: a provider is never paid more than it is owed;
- every accepted claim is in at most one live payment (one not undone by a rejection);
- every payment is traceable: each claim it names was accepted on the same payable account,
  is not reversed, and the payment pays exactly their sum.

`LedgerCheck` takes entries one at a time (streamed from the store) and keeps, per claim,
its amount and account; `check_accounts` runs one per payable account, so that checking a
payer's ledger holds one provider's claims at a time. Every entry of the ledger moves one
payable account, so the invariants hold of the whole when they hold of each account.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.ledger import Entry, EntryKind
from domain.money import ZERO, Money

PAYABLE = "payable:"


@dataclass(frozen=True, slots=True)
class _Claim:
    account: str
    amount: Money


@dataclass
class LedgerCheck:
    """Gathers entries, then tells which invariants they break (none: an empty list)."""

    total: Money = ZERO
    problems: list[str] = field(default_factory=list)
    _balances: dict[str, Money] = field(default_factory=dict)
    _claims: dict[str, _Claim] = field(default_factory=dict)
    _reversed: set[str] = field(default_factory=set)
    _payments: dict[str, tuple[str, tuple[str, ...], Money]] = field(default_factory=dict)
    _rejected: set[str] = field(default_factory=set)

    def add(self, entry: Entry) -> None:
        """One entry of the ledger, in any order."""
        self.total += sum((p.amount for p in entry.postings), ZERO)
        for posting in entry.postings:
            if posting.account.startswith(PAYABLE):
                held = self._balances.get(posting.account, ZERO)
                self._balances[posting.account] = held + posting.amount
        if entry.kind is EntryKind.CLAIM:
            credit = next(p for p in entry.postings if p.account.startswith(PAYABLE))
            self._claims[entry.source] = _Claim(credit.account, -credit.amount)
        elif entry.kind is EntryKind.REVERSAL:
            self._reversed.add(entry.source)
        elif entry.kind is EntryKind.PAYMENT:
            debit = next(p for p in entry.postings if p.account.startswith(PAYABLE))
            self._payments[entry.id] = (debit.account, tuple(entry.source.split()), debit.amount)
        elif entry.kind is EntryKind.REJECTION:
            self._rejected.add(entry.id.removeprefix("rejection:"))

    def violations(self) -> list[str]:
        """Each broken invariant, in French, naming what breaks it."""
        problems = list(self.problems)
        if self.total != ZERO:
            problems.append(f"débits et crédits diffèrent de {self.total}")
        problems += [f"{a} sous zéro ({-b})" for a, b in self._balances.items() if b > ZERO]
        live = {pid: p for pid, p in self._payments.items() if pid not in self._rejected}
        paid = Counter(source for _, sources, _ in live.values() for source in sources)
        problems += [f"demande {s} payée {n} fois" for s, n in paid.items() if n > 1]
        problems += [v for pid, p in live.items() for v in self._untraceable(pid, *p)]
        orphans = self._rejected - self._payments.keys()
        problems += [f"rejet sans virement : {pid}" for pid in sorted(orphans)]
        return problems

    def _untraceable(
        self, payment_id: str, account: str, sources: tuple[str, ...], amount: Money
    ) -> list[str]:
        problems, total = [], ZERO
        for source in sources:
            claim = self._claims.get(source)
            if claim is None or claim.account != account:
                problems.append(f"{payment_id} paie {source}, inconnue sur {account}")
                continue
            if source in self._reversed:
                problems.append(f"{payment_id} paie {source}, annulée")
            total += claim.amount
        if not problems and total != amount:
            problems.append(f"{payment_id} paie {amount}, ses demandes {total}")
        return problems


def check_accounts(groups: Iterable[tuple[str, Iterable[Entry]]]) -> list[str]:
    """The broken invariants of a payer's ledger given account by account (every entry on
    the account's postings): one provider's claims held at a time."""
    problems: list[str] = []
    for _, entries in groups:
        problems += check(entries)
    return problems


def check(entries: Iterable[Entry]) -> list[str]:
    """The broken invariants of these entries (none: an empty list)."""
    checker = LedgerCheck()
    for entry in entries:
        checker.add(entry)
    return checker.violations()


def file_matches(count: int, total: Money, payments: list[Entry]) -> list[str]:
    """Whether a bank file's control totals (NbOfTxs, CtrlSum) are its payments'."""
    paid = sum((p.postings[0].amount for p in payments), ZERO)
    problems = []
    if count != len(payments):
        problems.append(f"NbOfTxs {count}, virements au grand livre {len(payments)}")
    if total != paid:
        problems.append(f"CtrlSum {total}, montant au grand livre {paid}")
    return problems
