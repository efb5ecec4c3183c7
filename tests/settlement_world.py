"""A small world for the settlement tests: providers with approved accounts, accepted
claims in the ledger, and the checks every test ends with."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from adapters.bank_files import Pain001Files, totals
from adapters.sql.transfers import ledger_entries
from adapters.sql.uow import SqlUnitOfWork
from domain.bank_accounts import Rib, parse_rib, rib_key
from domain.ledger import Entry, EntryKind, claim_accepted, reversal
from domain.money import Money
from domain.records import Provider
from domain.services.bank_accounts import approve_account, propose_account
from domain.services.settlement import SettlementPorts
from domain.settlement_invariants import check, file_matches

PAYER = "CNSS"
AT = datetime(2026, 11, 2, 9, tzinfo=UTC)
CYCLE = date(2026, 11, 30)
DEBTOR = parse_rib("011519000001205000534921")

Factory = Callable[[], SqlUnitOfWork]


def rib_for(number: int) -> Rib:
    """A valid RIB of its own for each provider number."""
    account = f"{number:016d}"
    return parse_rib(f"230780{account}{rib_key('230', '780', account)}")


def add_provider(uow_factory: Factory, provider: str, *, with_account: bool = True) -> None:
    """A registered provider, its account proposed by alice and approved by bob."""
    with uow_factory() as uow:
        uow.providers.add(
            Provider(provider, f"INPE-{provider}", f"Officine {provider}", "pharmacy",
                     (PAYER,), f"client-{provider}", '{"keys": []}')
        )  # fmt: skip
        uow.commit()
    if with_account:
        number = int("".join(c for c in provider if c.isdigit()) or "0")
        change = propose_account(
            uow_factory(), provider, rib_for(number), by="alice", now=AT,
            new_id=lambda: f"acct-{provider}",
        )  # fmt: skip
        assert change.proposed_by == "alice"
        approve_account(uow_factory(), provider, by="bob", now=AT)


def accept(uow_factory: Factory, provider: str, claim: str, centimes: int, due: date) -> Entry:
    """An accepted claim, payable to the provider from its due date."""
    entry = claim_accepted(
        f"{provider}:{claim}", payer=PAYER, provider=provider, benefit=Money(centimes),
        at=AT, due=due, request=f"rq-{claim}", response=f"rs-{claim}",
    )  # fmt: skip
    assert entry is not None
    with uow_factory() as uow:
        uow.ledger.add_many([entry])
        uow.commit()
    return entry


def cancel(uow_factory: Factory, entry: Entry) -> None:
    """A claim cancelled before it is paid."""
    with uow_factory() as uow:
        uow.ledger.add_many([reversal(entry, at=AT + timedelta(hours=1))])
        uow.commit()


def ports(uow_factory: Factory, directory: Path, **hooks: object) -> SettlementPorts:
    """The settlement's ports on this store, files in `directory`."""
    files = Pain001Files(directory, {PAYER: DEBTOR})
    return SettlementPorts(uow_factory, files, **hooks)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Ledger:
    """The payer's ledger as it stands."""

    entries: list[Entry]

    def payments(self) -> list[Entry]:
        """The payment entries."""
        return [e for e in self.entries if e.kind is EntryKind.PAYMENT]

    def live_paid(self) -> dict[str, int]:
        """How many live payments name each claim."""
        rejected = {e.id.removeprefix("rejection:") for e in self.entries
                    if e.kind is EntryKind.REJECTION}  # fmt: skip
        counts: dict[str, int] = {}
        for entry in self.payments():
            if entry.id not in rejected:
                for source in entry.source.split():
                    counts[source] = counts.get(source, 0) + 1
        return counts


def ledger(uow_factory: Factory) -> Ledger:
    """The payer's ledger."""
    with uow_factory() as uow:
        return Ledger(list(ledger_entries(uow.session, PAYER)))


def assert_settled(uow_factory: Factory, directory: Path, claims: Iterable[str]) -> Ledger:
    """Every claim paid exactly once, the invariants hold, every file matches the ledger."""
    book = ledger(uow_factory)
    assert check(book.entries) == []
    paid = book.live_paid()
    assert {c: paid.get(c, 0) for c in claims} == {c: 1 for c in claims}
    by_id = {e.id: e for e in book.payments()}
    for path in sorted(directory.glob("*.xml")):
        found = totals(path.read_bytes())
        payments = [by_id[f"payment:{e2e}"] for e2e in found.end_to_end_ids]
        assert file_matches(found.count, Money(found.centimes), payments) == []
    return book
