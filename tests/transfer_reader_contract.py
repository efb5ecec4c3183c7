"""What every TransferReader does (domain/transfer_ports.py), whatever keeps the transfers:
subclass `TransferReaderContract` and give it a `reader` fixture holding `CONTRACT_TRANSFERS`
(tests/unit/adapters/test_memory_transfers.py does so for the in-process one)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.payment_records import TransferStatus
from domain.transfer_ports import TransferQuery, TransferReader
from tests.payment_worlds import EXECUTED_AT, SENT_AT, rejected, sent, transfer

OWN, OTHER = "org-111222333", "org-444555666"
CONTRACT_TRANSFERS = (
    transfer("T-1", provider=OWN),  # CNSS, executed on EXECUTED_AT, created SENT_AT
    rejected("T-2", provider=OWN),  # CNSS, returned on EXECUTED_AT, created SENT_AT
    sent("T-3", provider=OWN, payer="CNOPS", created=SENT_AT + timedelta(days=2)),
    transfer("T-4", provider=OTHER, created=SENT_AT + timedelta(days=1)),
)


async def listed(reader: TransferReader, query: TransferQuery) -> list[str]:
    """Every id the query selects, page after page."""
    seen: list[str] = []
    while True:
        page = await reader.search(query)
        assert len(page.records) <= query.limit
        seen += [t.id for t in page.records]
        if page.next is None:
            return seen
        query = replace(query, after=page.next)


@pytest.mark.anyio
class TransferReaderContract:
    async def test_get_finds_the_provider_s_own_only(self, reader: TransferReader) -> None:
        assert await reader.get(OWN, "T-2") == CONTRACT_TRANSFERS[1]
        assert await reader.get(OWN, "T-4") is None
        assert await reader.get(OTHER, "T-1") is None
        assert await reader.get(OWN, "absent") is None

    async def test_search_is_the_provider_s_own_newest_first_then_by_id(
        self, reader: TransferReader
    ) -> None:
        assert await listed(reader, TransferQuery(OWN)) == ["T-3", "T-2", "T-1"]
        assert await listed(reader, TransferQuery(OTHER)) == ["T-4"]

    @pytest.mark.parametrize("limit", [1, 2, 3])
    async def test_pages_neither_skip_nor_repeat(self, reader: TransferReader, limit: int) -> None:
        assert await listed(reader, TransferQuery(OWN, limit=limit)) == ["T-3", "T-2", "T-1"]

    async def test_the_last_page_has_no_next(self, reader: TransferReader) -> None:
        assert (await reader.search(TransferQuery(OWN, limit=3))).next is None

    async def test_by_payer_and_statuses(self, reader: TransferReader) -> None:
        assert await listed(reader, TransferQuery(OWN, payer="CNOPS")) == ["T-3"]
        both = (TransferStatus.EXECUTED, TransferStatus.REJECTED)
        assert await listed(reader, TransferQuery(OWN, statuses=both)) == ["T-2", "T-1"]

    async def test_created_from_is_inclusive_and_created_to_exclusive(
        self, reader: TransferReader
    ) -> None:
        day_after = SENT_AT + timedelta(days=2)
        assert await listed(reader, TransferQuery(OWN, created_from=day_after)) == ["T-3"]
        assert await listed(reader, TransferQuery(OWN, created_to=day_after)) == ["T-2", "T-1"]

    async def test_settled_bounds_leave_out_what_is_not_settled(
        self, reader: TransferReader
    ) -> None:
        query = TransferQuery(OWN, settled_from=EXECUTED_AT, settled_to=EXECUTED_AT + timedelta(1))
        assert await listed(reader, query) == ["T-2", "T-1"]
        later = TransferQuery(OWN, settled_to=EXECUTED_AT)
        assert await listed(reader, later) == []
