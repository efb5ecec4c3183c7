"""Requests for information and answers on each backend: stored with the change they make,
encrypted, one answer per request; then the whole exchange through the use cases, the SQL
store and the FHIR mapping (the HTTP routes need the Claim route to create a prise en
charge: tests/e2e/test_communications.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from adapters.cache.memory import MemoryRateLimiter
from adapters.crypto import CryptoError
from adapters.sql import SqlUnitOfWorkFactory
from adapters.sql.authorizations import SqlAuthorizationStore
from adapters.sql.messages import MESSAGE
from adapters.sql.outbox import EVENT
from adapters.sql.reads import SqlExchangeStore, SqlIdempotencyStore, SqlMemberDirectory, SqlReads
from adapters.sql.recorder import GroupCommitRecorder
from domain.errors import NotFound
from domain.money import Money
from domain.notifications import Topic
from domain.prior_auth import PaLine, PaStatus, PriorAuthorization
from domain.records import (
    AuditEntry,
    AuthorizationChange,
    ExchangeRecord,
    Message,
    MessageKind,
    Requester,
)
from domain.services import information
from domain.services.exchanges import ExchangePorts
from domain.services.prior_auth import PriorAuthPorts, Reviewer
from fhir_profiles import communications, systems
from fhir_profiles.claim_form import rerender
from tests.documents import PDF, PNG, attachment, communication
from tests.fakes import FakeClock
from tests.fhir_schema import assert_valid_r4
from tests.pipeline_fakes import FakeIds, patient_key

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
PROVIDER = Requester("org-111222333", "client-pharmacy")
OTHER = Requester("org-444555666", "client-clinic")
CNSS = Reviewer("CNSS", "reviewer-cnss")
INPE = {"system": systems.INPE, "value": "111222333"}
CLAIM = {
    "resourceType": "Claim",
    "id": "claim-1",
    "patient": {"reference": "Patient/1"},
    "provider": {"identifier": INPE},
}


def authorization(status: PaStatus = PaStatus.REQUESTED) -> PriorAuthorization:
    """A hospitalisation of the pharmacy's, addressed to CNSS."""
    line = PaLine(1, "hospitalisation", "hospitalisation", 3, Money.mad("9000"))
    return PriorAuthorization(
        "pa-1", PROVIDER.tenant, "CNSS", "hospitalisation", (line,), NOW,
        NOW + timedelta(hours=48), status=status,
    )  # fmt: skip


def seed(uow_factory: SqlUnitOfWorkFactory, status: PaStatus = PaStatus.REQUESTED) -> None:
    """The exchange that asked for the prise en charge, and the prise en charge."""
    record = ExchangeRecord(
        "pa-1", "preauthorization", PROVIDER.tenant, NOW, "claim-1", status.value, None, (),
        orjson.dumps(CLAIM), b'{"resourceType":"ClaimResponse"}',
    )  # fmt: skip
    with uow_factory() as uow:
        uow.exchanges.add(record)
        uow.authorizations.add_many([authorization(status)])
        uow.commit()


def message(
    message_id: str, kind: MessageKind = MessageKind.REQUEST, based_on: str | None = None
) -> Message:
    """A message on pa-1 whose body names it."""
    body = b'{"resourceType":"CommunicationRequest","note":"le compte rendu de Mme Alaoui"}'
    return Message(
        message_id, "pa-1", kind, PROVIDER.tenant, "CNSS", NOW, body + message_id.encode(),
        reason="complement-compte-rendu", based_on=based_on,
    )  # fmt: skip


def change(version: int, status: PaStatus, stored: Message) -> AuthorizationChange:
    """A change of pa-1 to `status`, carrying a message."""
    audit = AuditEntry(NOW, "preauthorization.ask-information", 200, client_id="reviewer")
    return AuthorizationChange(authorization(status), version, b"{}", audit, (), stored)


def topics(factory: SqlUnitOfWorkFactory) -> list[str]:
    """The topics in the outbox table, in the order they were committed."""
    with factory() as uow:
        rows = uow.session.execute(select(EVENT.c.topic).order_by(EVENT.c.at, EVENT.c.id))
        return [row.topic for row in rows]


class TestSqlMessages:
    def test_a_message_is_stored_with_its_change_and_read_back(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        seed(uow_factory)
        with uow_factory() as uow:
            assert uow.authorizations.change(change(1, PaStatus.INFO_REQUESTED, message("m-1")))
            uow.commit()
        with uow_factory() as uow:
            assert uow.authorizations.message("m-1") == message("m-1")
            assert uow.authorizations.messages("pa-1") == [message("m-1")]
            stored = uow.authorizations.get("pa-1")
            assert stored is not None and stored.request_id == "claim-1"
            assert stored.authorization.status is PaStatus.INFO_REQUESTED

    def test_the_body_is_encrypted_and_bound_to_its_row(
        self, uow_factory: SqlUnitOfWorkFactory
    ) -> None:
        seed(uow_factory)
        with uow_factory() as uow:
            uow.authorizations.change(change(1, PaStatus.INFO_REQUESTED, message("m-1")))
            uow.authorizations.change(
                change(2, PaStatus.REQUESTED, message("m-2", MessageKind.ANSWER, "m-1"))
            )
            uow.commit()
            row = uow.session.execute(
                select(MESSAGE.c.key_id, MESSAGE.c.body_enc).where(MESSAGE.c.id == "m-1")
            ).one()
        assert row.key_id == "k1" and bytes(row.body_enc).startswith(b"v1.k1.")
        assert b"Alaoui" not in bytes(row.body_enc)
        with uow_factory() as uow:
            uow.session.execute(
                update(MESSAGE).where(MESSAGE.c.id == "m-2").values(body_enc=row.body_enc)
            )
            with pytest.raises(CryptoError):
                uow.authorizations.message("m-2")

    def test_an_answer_marks_its_request_answered(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        seed(uow_factory)
        answer = message("m-2", MessageKind.ANSWER, based_on="m-1")
        with uow_factory() as uow:
            uow.authorizations.change(change(1, PaStatus.INFO_REQUESTED, message("m-1")))
            uow.authorizations.change(change(2, PaStatus.REQUESTED, answer))
            uow.commit()
        with uow_factory() as uow:
            request = uow.authorizations.message("m-1")
            assert request is not None and request.answered_by == "m-2"
            assert uow.authorizations.messages("pa-1", MessageKind.ANSWER) == [answer]
            assert [m.id for m in uow.authorizations.messages("pa-1")] == ["m-1", "m-2"]

    def test_a_change_that_lost_stores_no_message(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        seed(uow_factory)
        with uow_factory() as uow:
            assert not uow.authorizations.change(change(7, PaStatus.INFO_REQUESTED, message("m-1")))
            uow.commit()
        with uow_factory() as uow:
            assert uow.authorizations.message("m-1") is None

    def test_a_request_has_one_answer_at_most(self, uow_factory: SqlUnitOfWorkFactory) -> None:
        seed(uow_factory)
        with uow_factory() as uow:
            uow.authorizations.change(change(1, PaStatus.INFO_REQUESTED, message("m-1")))
            uow.authorizations.change(
                change(2, PaStatus.REQUESTED, message("m-2", MessageKind.ANSWER, "m-1"))
            )
            uow.commit()
        with uow_factory() as uow, pytest.raises(IntegrityError):
            late = message("m-3", MessageKind.ANSWER, "m-1")
            uow.authorizations.change(change(3, PaStatus.REQUESTED, late))
            uow.session.flush()


@dataclass(frozen=True)
class Wired:
    """The use cases' ports, and the unit of work factory they write with."""

    ports: PriorAuthPorts
    uow: SqlUnitOfWorkFactory


@pytest.fixture
def wired(uow_factory: SqlUnitOfWorkFactory) -> Iterator[Wired]:
    """The use cases' ports over the backend under test."""
    reads = SqlReads(uow_factory, threads=2, deadline=5.0)
    recorder = GroupCommitRecorder(uow_factory)
    exchange = ExchangePorts(
        limiter=MemoryRateLimiter(rate_per_second=100, burst=100),
        idempotency=SqlIdempotencyStore(reads),
        recorder=recorder,
        audit=recorder,
        store=SqlExchangeStore(reads),
        clock=FakeClock(NOW),
        new_id=FakeIds(),
    )
    store = SqlAuthorizationStore(reads, uow_factory, deadline=5.0)
    yield Wired(
        PriorAuthPorts(exchange, SqlMemberDirectory(reads), store, rerender, patient_key),
        uow_factory,
    )
    recorder.close()


@pytest.mark.anyio
class TestThroughTheUseCases:
    async def test_a_question_and_its_answer_with_a_document(
        self, uow_factory: SqlUnitOfWorkFactory, wired: Wired
    ) -> None:
        ports = wired.ports
        seed(uow_factory)
        asked = await information.ask_information(
            CNSS, "pa-1", "complement-compte-rendu", "Joindre le compte rendu",
            communications.request_composer("complement-compte-rendu", "Joindre le compte rendu"),
            ports=ports,
        )  # fmt: skip
        assert topics(uow_factory) == [Topic.PA_INFORMATION_REQUESTED.value]

        thread = await information.provider_requests(
            PROVIDER, "claim-1", by_claim=True, ports=ports
        )
        [request] = [
            communications.request_as_read(m, thread.authorization) for m in thread.messages
        ]
        assert_valid_r4(request)
        assert (request["id"], request["status"]) == (asked.id, "active")
        assert request["recipient"] == [{"identifier": INPE}]
        with pytest.raises(NotFound):
            await information.provider_requests(OTHER, "claim-1", by_claim=True, ports=ports)

        body = communication(
            asked.id, {"contentString": "Ci-joint"}, attachment(PDF), attachment(PNG, "image/png")
        )
        read = communications.read_answer(body, max_attachment_bytes=2 * 1024 * 1024)
        compose = communications.answer_composer(read, "111222333")
        answered = await information.information_given(PROVIDER, asked.id, compose, ports=ports)

        thread = await information.review_answers(CNSS, "pa-1", ports=ports)
        [kept] = [communications.answer_as_read(m) for m in thread.messages]
        assert_valid_r4(kept)
        assert kept["id"] == answered.id and thread.authorization.status is PaStatus.REQUESTED
        assert communications.documents(kept) == [("application/pdf", PDF), ("image/png", PNG)]
        one = await information.review_answer(CNSS, answered.id, ports=ports)
        assert communications.answer_as_read(one) == kept
        with pytest.raises(NotFound):
            await information.review_answer(replace(CNSS, payer="CNOPS"), answered.id, ports=ports)

        again = await information.provider_request(PROVIDER, asked.id, ports=ports)
        status = communications.request_as_read(again.messages[0], again.authorization)["status"]
        assert status == "completed"
        with uow_factory() as uow:
            stored = uow.authorizations.get("pa-1")
            assert stored is not None and stored.version == 3
            record = uow.exchanges.get(PROVIDER.tenant, "preauthorization", "pa-1")
            assert record is not None and record.status == "requested"
            claim_response = orjson.loads(record.response_body)
            assert (claim_response["resourceType"], claim_response["outcome"]) == (
                "ClaimResponse",
                "queued",
            )
