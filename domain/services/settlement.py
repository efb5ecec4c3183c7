"""Use cases of the settlement: run a payer's cycle, take in the bank's statement.

A cycle is three transactions and a file (domain.settlement): plan the batch, post its
payments, write its file, mark it filed. Each transaction first holds the payer's lock and
reads the batch's state again, so that two runs at once, or a run after a crash, take up
where the batch stands and never do a step twice. `checkpoint` is called with the name of
each step once it is durable (the command line uses it to stop there on purpose).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from domain.ledger import Entry, payment, rejection
from domain.money import ZERO, Money
from domain.payment_records import TransferRecord, TransferStatus
from domain.ports import IdGenerator
from domain.records import AuditEntry
from domain.services.payments import announce_paid
from domain.settlement import (
    Batch,
    BatchStatus,
    CycleReport,
    Transfer,
    batch_id,
    group_transfers,
)
from domain.settlement_ports import BankFiles, SettlementUnitOfWork, StatementLine

# Claims written per statement (whole transfers, at least one): few round trips, and memory
# bounded by claims held, whatever the number of claims per provider.
CHUNK = 10_000
BATCH_CREATED, LEDGER_POSTED, FILE_WRITTEN, BATCH_FILED = (
    "batch-created",
    "ledger-posted",
    "file-written",
    "batch-filed",
)
STATEMENT_IMPORTED = "statement-imported"


def _nothing(point: str) -> None:
    return None


@dataclass
class SettlementPorts:
    """What a cycle needs: fresh units of work, the file writer, and hooks."""

    uow: Callable[[], SettlementUnitOfWork]
    files: BankFiles
    checkpoint: Callable[[str], None] = _nothing
    progress: Callable[[int], None] = field(default=lambda done: None)


def settle(ports: SettlementPorts, payer: str, cycle: date, now: datetime) -> CycleReport:
    """Run one settlement cycle of a payer: its due claims paid in transfers, posted to the
    ledger, written to the bank's file. A batch a stopped run left is finished first, then
    what is still due is paid in a batch of its own."""
    batch, skipped, resumed = _plan(ports, payer, cycle, now)
    if batch is None:
        return CycleReport(None, 0, ZERO, without_account=skipped)
    ports.checkpoint(BATCH_CREATED)
    _post(ports, batch, now)
    path = _file(ports, batch)
    count, total = _totals(ports, batch.id)
    finished = CycleReport(batch.id, count, total, str(path), skipped)
    if resumed:
        fresh = settle(ports, payer, cycle, now)
        return finished if fresh.batch is None else fresh
    return finished


def _plan(
    ports: SettlementPorts, payer: str, cycle: date, now: datetime
) -> tuple[Batch | None, tuple[str, ...], bool]:
    skipped: list[str] = []
    with ports.uow() as uow:
        store = uow.settlement
        store.lock_payer(payer)
        if (open_batch := store.open_batch(payer)) is not None:
            return open_batch, (), True
        sequence = store.batches_on(payer, cycle) + 1
        batch = Batch(batch_id(payer, cycle, sequence), payer, cycle, BatchStatus.PLANNED, now)
        accounts = uow.bank_accounts.every_active().get
        planned = group_transfers(
            batch.id, payer, store.due(payer, cycle), accounts, skipped.append
        )
        store.add_batch(batch)
        done = 0
        for chunk in _chunks(planned, CHUNK):
            store.add_transfers(chunk, now)
            done += len(chunk)
            ports.progress(done)
        if not done:
            return None, tuple(skipped), False  # nothing due: no batch (rolled back)
        uow.commit()
    return batch, tuple(skipped), False


def _post(ports: SettlementPorts, batch: Batch, now: datetime) -> None:
    with ports.uow() as uow:
        uow.settlement.lock_payer(batch.payer)
        if _status(uow, batch) is not BatchStatus.PLANNED:
            return
        for chunk in _chunks(uow.settlement.transfers(batch.id), CHUNK):
            uow.ledger.add_many([t.payment(now) for t in chunk])
        uow.settlement.set_status(batch.id, BatchStatus.POSTED)
        uow.commit()
    ports.checkpoint(LEDGER_POSTED)


def _file(ports: SettlementPorts, batch: Batch) -> str:
    with ports.uow() as uow:
        uow.settlement.lock_payer(batch.payer)
        if _status(uow, batch) is BatchStatus.FILED:
            # Filed by another run: its file may be with the bank already, and is never
            # written twice (a bank fetching it again would pay it again).
            return str(ports.files.path(batch.id))
        path = ports.files.write(batch, uow.settlement.transfers(batch.id))
        ports.checkpoint(FILE_WRITTEN)
        uow.settlement.set_status(batch.id, BatchStatus.FILED)
        uow.commit()
    ports.checkpoint(BATCH_FILED)
    return str(path)


def _status(uow: SettlementUnitOfWork, batch: Batch) -> BatchStatus:
    current = uow.settlement.open_batch(batch.payer)
    if current is None or current.id != batch.id:
        return BatchStatus.FILED
    return current.status


def _totals(ports: SettlementPorts, batch: str) -> tuple[int, Money]:
    with ports.uow() as uow:
        return uow.settlement.totals(batch)


def _chunks(items: Iterable[Transfer], claims: int) -> Iterator[Sequence[Transfer]]:
    """Whole transfers, in order, grouped until a group holds at least `claims` claims."""
    chunk: list[Transfer] = []
    held = 0
    for transfer in items:
        chunk.append(transfer)
        held += len(transfer.claims)
        if held >= claims:
            yield chunk
            chunk, held = [], 0
    if chunk:
        yield chunk


@dataclass(frozen=True, slots=True)
class StatementReport:
    """What a statement changed: transfers executed, rejected, already known, unknown, and
    those the bank booked for another amount than the transfer's (left as they were)."""

    executed: int = 0
    rejected: int = 0
    unchanged: int = 0
    unknown: tuple[str, ...] = ()
    mismatched: tuple[str, ...] = ()


def import_statement(
    uow_factory: Callable[[], SettlementUnitOfWork], lines: Iterable[StatementLine],
    now: datetime, new_id: IdGenerator,
) -> StatementReport:  # fmt: skip
    """Mark transfers executed or rejected as the bank's statement says, in one transaction;
    a rejected transfer's payment is undone in the ledger and its claims are due again; an
    executed one is announced to its provider (PaymentNotice, through the outbox). A
    transfer already settled is left as it is: importing a statement twice changes
    nothing."""
    counts = {TransferStatus.EXECUTED: 0, TransferStatus.REJECTED: 0}
    unchanged, unknown, mismatched, paid = 0, [], [], []
    with uow_factory() as uow:
        for line in lines:
            record = uow.settlement.transfer(line.end_to_end_id)
            if record is None:
                unknown.append(line.end_to_end_id)
            elif record.status is not TransferStatus.SENT:
                unchanged += 1
            elif line.centimes is not None and line.centimes != record.amount.centimes:
                mismatched.append(line.end_to_end_id)  # not this transfer: left for a person
            else:
                uow.settlement.settle(record.id, line.status, line.at, line.reason)
                if line.status is TransferStatus.REJECTED:
                    uow.ledger.add_many([_rejected(record, line.at)])
                uow.audit.append(_audit(line, now))
                counts[line.status] += 1
                if line.status is TransferStatus.EXECUTED:
                    paid.append(replace(record, status=line.status, settled_at=line.at))
        announce_paid(paid, uow=uow, new_id=new_id)
        uow.commit()
    executed, rejected = counts[TransferStatus.EXECUTED], counts[TransferStatus.REJECTED]
    return StatementReport(executed, rejected, unchanged, tuple(unknown), tuple(mismatched))


def _rejected(record: TransferRecord, at: datetime) -> Entry:
    paid = payment(
        record.id, payer=record.payer, provider=record.provider,
        claims=tuple(f"{record.provider}:{c.claim_id}" for c in record.claims),
        amount=record.amount, at=record.created,
    )  # fmt: skip
    return rejection(paid, at=at)


def _audit(line: StatementLine, now: datetime) -> AuditEntry:
    detail = line.status.value + (f" {line.reason}" if line.reason else "")
    return AuditEntry(
        now, "settlement.statement", 200, resource=f"Transfer/{line.end_to_end_id}",
        detail=detail,
    )  # fmt: skip
