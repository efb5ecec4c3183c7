"""Transfers kept in process: the TransferReader the app uses until the settlement's tables
are plugged in, and the one tests fill with the transfers a scenario needs."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from domain.payment_records import TransferRecord
from domain.transfer_ports import TransferPage, TransferQuery, position, selects


class MemoryTransfers:
    """domain.transfer_ports.TransferReader over a dict, with `put` for the writer's side."""

    def __init__(self, records: Iterable[TransferRecord] = ()) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, TransferRecord] = {}
        self.put(*records)

    def put(self, *records: TransferRecord) -> None:
        """Keep transfers, replacing any with the same id (a transfer's status changes)."""
        with self._lock:
            self._by_id.update((record.id, record) for record in records)

    async def get(self, provider: str, transfer_id: str) -> TransferRecord | None:
        """The transfer with that id, if it is the provider's."""
        with self._lock:
            found = self._by_id.get(transfer_id)
        return found if found is not None and found.provider == provider else None

    async def search(self, query: TransferQuery) -> TransferPage:
        """One page of the provider's selected transfers, newest first."""
        with self._lock:
            chosen = [r for r in self._by_id.values() if selects(query, r)]
        chosen.sort(key=position, reverse=True)
        if query.after is not None:
            after = query.after
            chosen = [r for r in chosen if position(r) < after]
        shown = tuple(chosen[: query.limit])
        more = len(chosen) > query.limit
        return TransferPage(shown, position(shown[-1]) if more and shown else None)
