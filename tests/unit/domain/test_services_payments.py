"""The payment answers' use cases over the in-process transfers: a provider reads and searches
its own transfers only; notices exist for executed transfers only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory_transfers import MemoryTransfers
from domain.errors import NotFound
from domain.notifications import Topic
from domain.payment_records import TransferStatus
from domain.records import Requester
from domain.services.payments import (
    PaymentPorts,
    announce_paid,
    read_notice,
    read_transfer,
    search_notices,
    search_transfers,
)
from domain.transfer_ports import TransferQuery
from tests.payment_worlds import EXECUTED_AT, SENT_AT, rejected, sent, transfer

pytestmark = pytest.mark.anyio
PHARMACY, CLINIC = Requester("org-111222333", "c-ph"), Requester("org-444555666", "c-cl")
PAID = transfer("E2E-1")
RETURNED = rejected("E2E-2")
PENDING = sent("E2E-3", payer="CNOPS", created=SENT_AT + timedelta(days=1))
THEIRS = transfer("E2E-4", provider=CLINIC.tenant)


@pytest.fixture
def ports() -> PaymentPorts:
    return PaymentPorts(MemoryTransfers([PAID, RETURNED, PENDING, THEIRS]))


class TestRead:
    async def test_a_provider_reads_its_transfer(self, ports: PaymentPorts) -> None:
        assert await read_transfer(PHARMACY, "E2E-2", ports=ports) == RETURNED

    async def test_another_provider_s_transfer_is_not_found(self, ports: PaymentPorts) -> None:
        with pytest.raises(NotFound):
            await read_transfer(PHARMACY, "E2E-4", ports=ports)

    async def test_a_notice_is_read_for_an_executed_transfer(self, ports: PaymentPorts) -> None:
        assert await read_notice(PHARMACY, "E2E-1", ports=ports) == PAID

    @pytest.mark.parametrize("transfer_id", ["E2E-2", "E2E-3", "E2E-4", "absent"])
    async def test_no_notice_unless_executed_and_own(
        self, ports: PaymentPorts, transfer_id: str
    ) -> None:
        with pytest.raises(NotFound):
            await read_notice(PHARMACY, transfer_id, ports=ports)


class TestSearch:
    async def test_the_query_s_provider_is_always_the_requester(self, ports: PaymentPorts) -> None:
        page = await search_transfers(PHARMACY, TransferQuery(CLINIC.tenant), ports=ports)
        assert [t.id for t in page.records] == ["E2E-3", "E2E-2", "E2E-1"]  # newest first

    async def test_by_payer_and_status(self, ports: PaymentPorts) -> None:
        cnss = await search_transfers(PHARMACY, TransferQuery("", payer="CNSS"), ports=ports)
        assert {t.id for t in cnss.records} == {"E2E-1", "E2E-2"}
        query = TransferQuery("", statuses=(TransferStatus.REJECTED,))
        assert [t.id for t in (await search_transfers(PHARMACY, query, ports=ports)).records] == [
            "E2E-2"
        ]

    async def test_by_creation_date(self, ports: PaymentPorts) -> None:
        query = TransferQuery("", created_from=SENT_AT + timedelta(hours=1))
        assert [t.id for t in (await search_transfers(PHARMACY, query, ports=ports)).records] == [
            "E2E-3"
        ]

    async def test_pages_follow_each_other_without_overlap(self, ports: PaymentPorts) -> None:
        first = await search_transfers(PHARMACY, TransferQuery("", limit=2), ports=ports)
        assert first.next is not None
        rest = await search_transfers(PHARMACY, TransferQuery("", after=first.next), ports=ports)
        assert [t.id for t in first.records + rest.records] == ["E2E-3", "E2E-2", "E2E-1"]
        assert rest.next is None

    async def test_notices_list_executed_transfers_by_execution_day(
        self, ports: PaymentPorts
    ) -> None:
        query = TransferQuery("", settled_from=EXECUTED_AT, settled_to=EXECUTED_AT + timedelta(1))
        found = await search_notices(PHARMACY, query, ports=ports)
        assert [t.id for t in found.records] == ["E2E-1"]
        later = TransferQuery("", settled_from=EXECUTED_AT + timedelta(days=1))
        assert (await search_notices(PHARMACY, later, ports=ports)).records == ()


class RecordingOutbox:
    def __init__(self) -> None:
        self.added: list[object] = []

    def add_many(self, notifications: object) -> None:
        self.added.extend(notifications)  # type: ignore[call-overload]


class OutboxOnly:
    def __init__(self) -> None:
        self.outbox = RecordingOutbox()


class TestAnnouncePaid:
    def test_each_executed_transfer_is_announced_to_its_provider(self) -> None:
        uow = OutboxOnly()
        ids = iter(["ev-1", "ev-2"])
        events = announce_paid(
            [PAID, RETURNED, PENDING, THEIRS],
            uow=uow,
            new_id=lambda: next(ids),  # type: ignore[arg-type]
        )
        assert [(e.tenant, e.topic, e.focus, e.at) for e in events] == [
            (PHARMACY.tenant, Topic.PAYMENT_NOTIFIED.value, "PaymentNotice/E2E-1", EXECUTED_AT),
            (CLINIC.tenant, Topic.PAYMENT_NOTIFIED.value, "PaymentNotice/E2E-4", EXECUTED_AT),
        ]
        assert uow.outbox.added == list(events)

    def test_nothing_executed_queues_nothing(self) -> None:
        uow = OutboxOnly()
        assert announce_paid([RETURNED], uow=uow, new_id=lambda: "x") == ()  # type: ignore[arg-type]
        assert uow.outbox.added == []
