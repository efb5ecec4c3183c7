"""The in-process TransferReader: the contract every reader keeps, and its writer's side."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.memory_transfers import MemoryTransfers
from domain.payment_records import TransferStatus
from tests.transfer_reader_contract import CONTRACT_TRANSFERS, OWN, TransferReaderContract


@pytest.fixture
def reader() -> MemoryTransfers:
    return MemoryTransfers(CONTRACT_TRANSFERS)


class TestMemoryTransfers(TransferReaderContract):
    async def test_put_replaces_a_transfer_whose_status_changed(
        self, reader: MemoryTransfers
    ) -> None:
        executed = replace(CONTRACT_TRANSFERS[2], status=TransferStatus.EXECUTED)
        reader.put(executed)
        assert await reader.get(OWN, "T-3") == executed
