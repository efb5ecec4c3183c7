"""`amo-gateway settle`, `statement` and `accounts`: the settlement wired from the settings.

AMO_SETTLEMENT_CRASH_AT stops the process dead (SIGKILL, nothing flushed, nothing rolled
back) at a named step of a cycle, to prove that the next run takes up where it stopped:
`batch-created`, `ledger-posted`, `file-written`, `batch-filed`, `statement-imported`, or
`random:<seed>` for a point drawn from the seed (a step, or an instant of the run).
"""

from __future__ import annotations

import os
import random
import signal
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from adapters.bank_files import Pain001Files, UnknownDebtor
from adapters.bank_statements import read_statement
from adapters.iban import checked
from adapters.sql.settlement import SqlSettlementStore
from adapters.sql.transfers import entries_by_account
from adapters.sql.uow import SqlUnitOfWork
from domain.bank_accounts import AccountChange, InvalidRib, Rib, parse_rib, rib_of_iban
from domain.services.bank_accounts import approve_account, propose_account
from domain.services.settlement import (
    STATEMENT_IMPORTED,
    SettlementPorts,
    StatementReport,
    import_statement,
    settle,
)
from domain.settlement import CycleReport
from domain.settlement_invariants import check_accounts
from gateway.bootstrap import Storage, open_storage
from gateway.ids import new_id
from gateway.progress import ProgressBar
from gateway.settings import ConfigurationError, Settings

STEPS = ("batch-created", "ledger-posted", "file-written", "batch-filed", STATEMENT_IMPORTED)
RANDOM_WINDOW = 0.08  # seconds into a run a random crash may fall: a small cycle's length


def any_rib(text: str) -> Rib:
    """A RIB typed as a RIB or as a Moroccan IBAN."""
    cleaned = "".join(text.split()).upper()
    return rib_of_iban(cleaned) if cleaned.startswith("MA") else parse_rib(cleaned)


def debtors(settings: Settings) -> dict[str, Rib]:
    """Each payer's own account, from AMO_SETTLEMENT_DEBTORS ("CNSS=<RIB>,CNOPS=<RIB>")."""
    found: dict[str, Rib] = {}
    for item in filter(None, (i.strip() for i in settings.settlement_debtors.split(","))):
        payer, _, rib = item.partition("=")
        try:
            found[payer.strip()] = any_rib(rib)
        except InvalidRib as exc:
            raise ConfigurationError([f"AMO_SETTLEMENT_DEBTORS : {payer} : {exc.detail}"]) from exc
    return found


def crash_hook(setting: str) -> Callable[[str], None]:
    """The checkpoint that kills this process at the step the setting names (none: a no-op)."""
    if not setting:
        return lambda point: None
    if setting.startswith("random:"):
        draw = random.Random(int(setting.removeprefix("random:")))
        if draw.random() < 0.5:
            return _dies_at(draw.choice(STEPS))
        timer = threading.Timer(draw.uniform(0, RANDOM_WINDOW), _die)
        timer.daemon = True
        timer.start()
        return lambda point: None
    if setting not in STEPS:
        raise ConfigurationError([f"AMO_SETTLEMENT_CRASH_AT : {setting} ? {' | '.join(STEPS)}"])
    return _dies_at(setting)


def _dies_at(step: str) -> Callable[[str], None]:
    def checkpoint(point: str) -> None:
        if point == step:
            _die()

    return checkpoint


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def run_cycle(
    settings: Settings, payer: str, cycle: date, *, quiet: bool = False
) -> tuple[CycleReport, list[str]]:
    """One settlement cycle of a payer, then the invariants of its ledger checked."""
    checkpoint = crash_hook(settings.settlement_crash_at)
    accounts = debtors(settings)
    if payer not in accounts:  # refused before anything is planned or posted
        raise UnknownDebtor(f"AMO_SETTLEMENT_DEBTORS ne donne aucun compte pour {payer}")
    files = Pain001Files(settings.settlement_dir, accounts)
    with open_storage(settings) as storage:
        progress = _progress(storage, payer, cycle, quiet)
        ports = SettlementPorts(_uow(storage), files, checkpoint, progress)
        report = settle(ports, payer, cycle, datetime.now(UTC))
        return report, invariants(storage, payer)


def invariants(storage: Storage, payer: str) -> list[str]:
    """The broken invariants of a payer's ledger (none: an empty list)."""
    with storage.uow() as uow:
        return check_accounts(entries_by_account(_session(uow), payer))


def _progress(storage: Storage, payer: str, cycle: date, quiet: bool) -> Callable[[int], None]:
    """A bar over the transfers to come, counted before the cycle opens its transaction
    (SQLite's writer would keep a second one waiting)."""
    if quiet:
        return lambda done: None
    with storage.uow() as uow:
        total = SqlSettlementStore(_session(uow)).due_providers(payer, cycle)
    return ProgressBar(total, "virements")


def run_statement(settings: Settings, path: Path) -> StatementReport:
    """Import a camt.053 or camt.054 file: transfers marked executed or rejected."""
    checkpoint = crash_hook(settings.settlement_crash_at)
    lines = read_statement(path.read_bytes(), datetime.now(UTC))
    with open_storage(settings) as storage:
        report = import_statement(_uow(storage), lines, datetime.now(UTC), new_id)
    checkpoint(STATEMENT_IMPORTED)
    return report


def propose(
    settings: Settings, provider: str, rib_text: str, by: str, *, holder: str = ""
) -> AccountChange:
    """Propose a provider's new account (RIB or IBAN), checked twice, and its holder's name
    when given (the approver compares it with the provider's RIB certificate)."""
    rib = checked(any_rib(rib_text))
    with open_storage(settings) as storage:
        _known(storage, provider)
        uow = _uow(storage)()
        return propose_account(
            uow, provider, rib, by=by, now=datetime.now(UTC), new_id=new_id, holder=holder
        )


def approve(settings: Settings, provider: str, by: str) -> AccountChange:
    """Approve a provider's pending account: it takes effect."""
    with open_storage(settings) as storage:
        return approve_account(_uow(storage)(), provider, by=by, now=datetime.now(UTC))


def _known(storage: Storage, provider: str) -> None:
    with storage.uow() as uow:
        if not any(provider in (p.id, p.inpe) for p in uow.providers.all()):
            raise SystemExit(f"prestataire {provider} inconnu")


def _uow(storage: Storage) -> Callable[[], SqlUnitOfWork]:
    factory = storage.uow

    def make() -> SqlUnitOfWork:
        uow = factory()
        assert isinstance(uow, SqlUnitOfWork)
        return uow

    return make


def _session(uow: object) -> Session:
    assert isinstance(uow, SqlUnitOfWork)
    return uow.session
