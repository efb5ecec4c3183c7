"""An Idempotency-Key's answer: kept, being made (waited for), or ours to make."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from domain.errors import InProgress, KeyReused, Unavailable
from domain.idempotency_ports import Lease, Unguarded
from domain.members import IdentifierKind, PersonIdentifier
from domain.records import IdempotencyKey, IdempotentAnswer
from domain.reference import ReferenceData
from domain.services.eligibility import check_eligibility
from domain.services.idempotency import reserve
from tests.pipeline_fakes import FakeInFlight, FakeStore
from tests.unit.domain.test_services_eligibility import command, pipeline, submitted

pytestmark = pytest.mark.anyio

TENANT = "prov-1"
ASKED = IdempotencyKey("k1", "h1")
IDCS = PersonIdentifier(IdentifierKind.IDCS, "1234567890")


def answer(request_hash: str = "h1") -> IdempotentAnswer:
    return IdempotentAnswer(TENANT, "k1", request_hash, 200, b"first", "resp-1", "req-1")


async def reserved(store: FakeStore, in_flight: FakeInFlight, wait: float = 0.0) -> object:
    return await reserve(store, in_flight, TENANT, ASKED, wait_seconds=wait)


class TestReserve:
    async def test_a_free_key_is_leased_to_the_request(self) -> None:
        in_flight = FakeInFlight()
        assert await reserved(FakeStore(), in_flight) == Lease(TENANT, "k1", "held")
        assert in_flight.held == {(TENANT, "k1")}

    async def test_the_answer_kept_for_the_same_request_is_given_again(self) -> None:
        store, in_flight = FakeStore(), FakeInFlight()
        store.answers.claim(answer())
        assert await reserved(store, in_flight) == answer()
        assert in_flight.asked == 0  # a replay takes no lease

    async def test_the_same_key_for_another_request_is_refused(self) -> None:
        store = FakeStore()
        store.answers.claim(answer(request_hash="h0"))
        with pytest.raises(KeyReused) as refused:
            await reserved(store, FakeInFlight())
        assert refused.value.code == "cle-idempotence-reutilisee"

    async def test_a_retry_waits_for_the_answer_of_the_request_holding_the_key(self) -> None:
        store, in_flight = FakeStore(), FakeInFlight()
        lease = await reserved(store, in_flight)
        assert isinstance(lease, Lease)

        async def first_answers() -> None:
            await asyncio.sleep(0.2)
            store.answers.claim(answer())
            await in_flight.end(lease)

        task = asyncio.create_task(first_answers())
        assert await reserved(store, in_flight, wait=2.0) == answer()
        await task
        assert in_flight.held == set()

    async def test_a_retry_is_told_to_come_back_when_the_answer_is_late(self) -> None:
        store, in_flight = FakeStore(), FakeInFlight()
        await reserved(store, in_flight)
        started = time.monotonic()
        with pytest.raises(InProgress) as refused:
            await reserved(store, in_flight, wait=0.3)
        assert 0.3 <= time.monotonic() - started < 1.5
        assert (refused.value.code, refused.value.retry_after) == ("requete-en-cours", 1.0)

    async def test_a_key_given_back_without_an_answer_goes_to_the_retry(self) -> None:
        """The first request was refused (nothing kept): the retry is decided in its turn."""
        store, in_flight = FakeStore(), FakeInFlight()
        lease = await reserved(store, in_flight)
        assert isinstance(lease, Lease)

        async def first_refused() -> None:
            await asyncio.sleep(0.1)
            await in_flight.end(lease)

        task = asyncio.create_task(first_refused())
        assert isinstance(await reserved(store, in_flight, wait=2.0), Lease)
        await task

    async def test_unguarded_always_leases(self) -> None:
        unguarded = Unguarded()
        assert await unguarded.begin(TENANT, "k1") == await unguarded.begin(TENANT, "k1")


class TestSubmitOnce:
    """The pipeline takes the key's lease for the time of a decision, and gives it back."""

    async def test_the_key_is_given_back_once_answered(self, ref: ReferenceData) -> None:
        p = pipeline(IDCS)
        in_flight = FakeInFlight()
        ports = replace(p.ports, exchange=replace(p.ports.exchange, in_flight=in_flight))
        first = await check_eligibility(submitted(command(IDCS), "k1"), ref=ref, ports=ports)
        again = await check_eligibility(submitted(command(IDCS), "k1"), ref=ref, ports=ports)
        assert again.replayed and again.body == first.body
        assert in_flight.held == set() and in_flight.asked == 1

    async def test_the_key_is_given_back_when_nothing_was_recorded(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline(IDCS)
        in_flight = FakeInFlight()
        ports = replace(p.ports, exchange=replace(p.ports.exchange, in_flight=in_flight))

        def fail() -> None:
            raise Unavailable("down")

        p.store.before_record = fail
        with pytest.raises(Unavailable):
            await check_eligibility(submitted(command(IDCS), "k1"), ref=ref, ports=ports)
        assert in_flight.held == set()

    async def test_a_retry_while_the_key_is_held_is_told_to_come_back(
        self, ref: ReferenceData
    ) -> None:
        p = pipeline(IDCS)
        in_flight = FakeInFlight()
        in_flight.held.add(("prov-1", "k1"))  # the first request, on another replica
        exchange = replace(p.ports.exchange, in_flight=in_flight, wait_seconds=0.1)
        with pytest.raises(InProgress):
            await check_eligibility(
                submitted(command(IDCS), "k1"), ref=ref, ports=replace(p.ports, exchange=exchange)
            )
        assert p.store.exchanges.records == [] and p.meter.counted == []
