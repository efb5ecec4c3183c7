"""A payer's finance officers follow its settlement cycles: its batches, each batch's
transfers and how the bank answered them; another payer's batch is not found."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFound
from domain.payment_records import TransferRecord
from domain.settlement_ports import BatchSummary, SettlementHistory


@dataclass(frozen=True, slots=True)
class BatchDetail:
    """One batch and its transfers."""

    summary: BatchSummary
    transfers: tuple[TransferRecord, ...]


async def payer_batches(
    payer: str, limit: int, offset: int, *, history: SettlementHistory
) -> tuple[list[BatchSummary], int]:
    """The payer's batches, newest cycle first, and how many it has."""
    return await history.batches(payer, limit, offset)


async def payer_batch(payer: str, batch_id: str, *, history: SettlementHistory) -> BatchDetail:
    """One of the payer's batches with its transfers (another payer's is not found)."""
    summary = await history.batch(batch_id)
    if summary is None or summary.batch.payer != payer:
        raise NotFound(f"Aucun lot de règlement {batch_id[:64]} pour ce payeur")
    return BatchDetail(summary, tuple(await history.transfers(batch_id)))
