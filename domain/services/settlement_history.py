"""A payer's finance officers follow its settlement cycles: its batches, each batch's
transfers and how the bank answered them; another payer's batch is not found. Each read is
audited under the person who made it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from domain.errors import NotFound
from domain.money import ZERO, Money
from domain.payment_records import TransferRecord, TransferStatus
from domain.ports import AuditTrail, Clock
from domain.records import AuditEntry
from domain.settlement_ports import BatchSummary, SettlementHistory


@dataclass(frozen=True, slots=True)
class Officer:
    """A payer's person following its money: the payer, and who they are."""

    payer: str
    client_id: str


@dataclass(frozen=True, slots=True)
class HistoryPorts:
    """The batches read, and the audit trail the reads are written to."""

    history: SettlementHistory
    audit: AuditTrail
    clock: Clock


@dataclass(frozen=True, slots=True)
class StatementDay:
    """What the bank statements imported said on one day of the payer's transfers."""

    day: date
    executed: int = 0
    rejected: int = 0
    paid: Money = ZERO  # executed
    returned: Money = ZERO  # rejected


@dataclass(frozen=True, slots=True)
class BatchDetail:
    """One batch and its transfers."""

    summary: BatchSummary
    transfers: tuple[TransferRecord, ...]


async def payer_batches(
    officer: Officer, limit: int, offset: int, *, ports: HistoryPorts
) -> tuple[list[BatchSummary], int]:
    """The officer's payer's batches, newest cycle first, and how many it has."""
    found = await ports.history.batches(officer.payer, limit, offset)
    await ports.audit.append(
        audit(ports, officer, "settlement.batches", None, f"{found[1]} lot(s)")
    )
    return found


async def payer_batch(officer: Officer, batch_id: str, *, ports: HistoryPorts) -> BatchDetail:
    """One of the officer's payer's batches with its transfers (another payer's is not
    found)."""
    summary = await ports.history.batch(batch_id)
    if summary is None or summary.batch.payer != officer.payer:
        raise NotFound(f"Aucun lot de règlement {batch_id[:64]} pour ce payeur")
    transfers = tuple(await ports.history.transfers(batch_id))
    await ports.audit.append(audit(ports, officer, "settlement.batch", f"Batch/{batch_id}", ""))
    return BatchDetail(summary, transfers)


async def statement_days(
    officer: Officer, limit: int, *, ports: HistoryPorts
) -> list[StatementDay]:
    """The bank's answers to the payer's latest `limit` transfers, day by day, newest first."""
    found = await ports.history.answered(officer.payer, limit)
    await ports.audit.append(audit(ports, officer, "settlement.statements", None, ""))
    return by_day(found)


def by_day(transfers: list[TransferRecord]) -> list[StatementDay]:
    """Transfers the bank answered, counted and summed by the day it answered, newest first."""
    days: dict[date, StatementDay] = {}
    for t in transfers:
        if t.settled_at is None:
            continue
        day = days.get(t.settled_at.date()) or StatementDay(t.settled_at.date())
        if t.status is TransferStatus.EXECUTED:
            day = replace(day, executed=day.executed + 1, paid=day.paid + t.amount)
        elif t.status is TransferStatus.REJECTED:
            day = replace(day, rejected=day.rejected + 1, returned=day.returned + t.amount)
        days[day.day] = day
    return sorted(days.values(), key=lambda d: d.day, reverse=True)


def audit(
    ports: HistoryPorts, officer: Officer, action: str, resource: str | None, detail: str
) -> AuditEntry:
    """The audit entry of a payer's person's read."""
    return AuditEntry(
        at=ports.clock.now(),
        action=action,
        outcome=200,
        tenant=f"payer:{officer.payer}",
        client_id=officer.client_id,
        resource=resource,
        detail=detail,
    )
