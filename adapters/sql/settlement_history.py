"""A payer's settlement batches read back (domain.settlement_ports.SettlementHistory): each
batch with its transfers counted and summed by status, in one statement per page."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from adapters.sql.reads import SqlReads
from adapters.sql.settlement_tables import SettlementBatchRow, TransferRow
from adapters.sql.transfers import PLANNED, records
from domain.money import Money
from domain.payment_records import TransferRecord, TransferStatus
from domain.settlement import Batch, BatchStatus
from domain.settlement_ports import BatchSummary

BATCH = SettlementBatchRow.__table__
TRANSFER = TransferRow.__table__


def _summaries() -> Select[Any]:
    t = TRANSFER.c

    def counted(status: TransferStatus) -> Any:
        return func.coalesce(func.sum(case((t.status == status.value, 1), else_=0)), 0)

    return (
        select(
            BATCH,
            func.count(t.id).label("transfers"),
            func.coalesce(func.sum(t.amount_centimes), 0).label("total"),
            counted(TransferStatus.EXECUTED).label("executed"),
            counted(TransferStatus.REJECTED).label("rejected"),
        )
        .select_from(BATCH.outerjoin(TRANSFER, t.batch_id == BATCH.c.id))
        .group_by(*BATCH.c)
    )


def _summary(row: Any) -> BatchSummary:
    batch = Batch(row.id, row.payer, row.cycle, BatchStatus(row.status), row.created)
    return BatchSummary(batch, int(row.transfers), Money(int(row.total)), int(row.executed),
                        int(row.rejected))  # fmt: skip


class SqlSettlementHistoryQueries:
    """The statements over one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def batches(self, payer: str, limit: int, offset: int) -> tuple[list[BatchSummary], int]:
        """The payer's batches, newest cycle first, and how many it has."""
        total = self._session.execute(
            select(func.count()).select_from(BATCH).where(BATCH.c.payer == payer)
        ).scalar_one()
        rows = self._session.execute(
            _summaries().where(BATCH.c.payer == payer)
            .order_by(BATCH.c.cycle.desc(), BATCH.c.id.desc()).limit(limit).offset(offset)
        ).all()  # fmt: skip
        return [_summary(r) for r in rows], int(total)

    def batch(self, batch_id: str) -> BatchSummary | None:
        """One batch by id."""
        row = self._session.execute(_summaries().where(BATCH.c.id == batch_id)).first()
        return None if row is None else _summary(row)

    def transfers(self, batch_id: str) -> list[TransferRecord]:
        """A batch's transfers once sent, in id order (planned ones are not yet filed)."""
        rows = self._session.execute(
            select(TRANSFER)
            .where(TRANSFER.c.batch_id == batch_id, TRANSFER.c.status != PLANNED)
            .order_by(TRANSFER.c.id)
        ).all()
        return records(self._session, rows)

    def answered(self, payer: str, limit: int) -> list[TransferRecord]:
        """The payer's transfers a statement answered, latest first (their claims left out)."""
        rows = self._session.execute(
            select(TRANSFER)
            .where(TRANSFER.c.payer == payer, TRANSFER.c.settled_at.is_not(None))
            .order_by(TRANSFER.c.settled_at.desc(), TRANSFER.c.id)
            .limit(limit)
        ).all()
        return [
            TransferRecord(r.id, r.payer, r.provider, r.batch_id, Money(r.amount_centimes),
                           TransferStatus(r.status), r.created, (), r.settled_at, r.reason)
            for r in rows
        ]  # fmt: skip


class SqlSettlementHistory:
    """domain.settlement_ports.SettlementHistory in the reads' worker threads."""

    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def batches(self, payer: str, limit: int, offset: int) -> tuple[list[BatchSummary], int]:
        """The payer's batches, newest cycle first, and how many it has."""
        return await self._reads.run(lambda uow: _queries(uow).batches(payer, limit, offset))

    async def batch(self, batch_id: str) -> BatchSummary | None:
        """One batch by id."""
        return await self._reads.run(lambda uow: _queries(uow).batch(batch_id))

    async def transfers(self, batch_id: str) -> list[TransferRecord]:
        """A batch's transfers, in id order."""
        return await self._reads.run(lambda uow: _queries(uow).transfers(batch_id))

    async def answered(self, payer: str, limit: int) -> list[TransferRecord]:
        """The payer's transfers a statement answered, latest first."""
        return await self._reads.run(lambda uow: _queries(uow).answered(payer, limit))


def _queries(uow: object) -> SqlSettlementHistoryQueries:
    return SqlSettlementHistoryQueries(cast(Any, uow).session)
