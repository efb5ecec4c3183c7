"""The reviewer's desk against fakes of its ports: only the reviewer's payer's requests, the
most urgent first, each thread and the patient's rights read and audited; and the bank account
changes waiting for a second approval."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from domain.bank_accounts import AccountChange, parse_rib, propose, rib_key
from domain.errors import NotFound
from domain.records import AuditEntry, QueueQuery, StoredAuthorization
from domain.reference import ReferenceData
from domain.services import bank_accounts, information, review_desk
from tests.pipeline_fakes import FakeAuthorizations
from tests.unit.domain.test_services_information import Composer
from tests.unit.domain.test_services_prior_auth import NOW, PHARMACY, ask, reviewer, stay, world

pytestmark = pytest.mark.anyio


class TestWorklist:
    async def test_the_payers_pending_requests_with_their_state(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        found, total = await review_desk.worklist(reviewer(), QueueQuery("CNSS"), ports=w.ports)
        assert total == 1
        [stored] = found
        assert stored.authorization.pa_type == "hospitalisation"
        assert stored.authorization.payer == "CNSS" and stored.authorization.status.pending

    async def test_another_payers_reviewer_sees_none(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        found, total = await review_desk.worklist(
            reviewer("CNOPS"), QueueQuery("CNSS"), ports=w.ports
        )
        assert (found, total) == ([], 0)

    async def test_overdue_first(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        w.clock.set(NOW + timedelta(hours=1))
        await ask(w, ref, stay(), key="second")
        found, _ = await review_desk.worklist(reviewer(), QueueQuery("CNSS"), ports=w.ports)
        deadlines = [s.authorization.deadline for s in found]
        assert deadlines == sorted(deadlines) and len(deadlines) == 2


AT = datetime(2026, 11, 30, 9, tzinfo=UTC)


class FakeTrail:
    """domain.ports.AuditTrail: keeps what it is given."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


class FakeAccountsUow:
    """Just what pending_changes reads of a settlement unit of work."""

    def __init__(self, pending: list[AccountChange]) -> None:
        self.bank_accounts = self
        self._pending = pending
        self.entered = 0

    def every_pending(self) -> list[AccountChange]:
        return list(self._pending)

    def __enter__(self) -> FakeAccountsUow:
        self.entered += 1
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class TestPendingChanges:
    def test_every_change_waiting_for_a_second_approval(self) -> None:
        rib = parse_rib(f"011780{'7' * 16}{rib_key('011', '780', '7' * 16)}")
        change = propose("c-1", "p-1", rib, by="finance@cnss", at=AT)
        uow = FakeAccountsUow([change])
        assert bank_accounts.pending_changes(uow) == [change]  # type: ignore[arg-type]
        assert uow.entered == 1
        assert bank_accounts.masked(rib).endswith(f"{'7' * 4} {rib.value[-2:]}")


class TestReviewThread:
    async def test_questions_and_answers_oldest_first(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        asked = await information.ask_information(
            reviewer(), "id-1", "complement-compte-rendu", "Le compte rendu", Composer("q"),
            ports=w.ports,
        )  # fmt: skip
        given = await information.information_given(
            PHARMACY, asked.id, Composer("a"), ports=w.ports
        )
        thread = await review_desk.review_thread(reviewer(), "id-1", ports=w.ports)
        assert [m.id for m in thread.messages] == [asked.id, given.id]
        assert w.store.audit[-1].resource == "ClaimResponse/id-1"

    async def test_another_payers_is_not_found(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        with pytest.raises(NotFound):
            await review_desk.review_thread(reviewer("CNOPS"), "id-1", ports=w.ports)


class TestReviewRights:
    async def test_the_patients_rights_on_the_date_of_care(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        outcome = await review_desk.review_rights(reviewer(), "id-1", ref=ref, ports=w.ports)
        assert outcome is not None and outcome.decision.status.in_force
        assert "ALD38" in outcome.decision.ald_conditions
        assert w.store.audit[-1].action.endswith("review-rights")

    async def test_another_payers_reviewer_reads_none(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        with pytest.raises(NotFound):
            await review_desk.review_rights(reviewer("CNOPS"), "id-1", ref=ref, ports=w.ports)

    async def test_not_the_requests_patient_reads_none(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        pa, version = w.store.authorizations["id-1"]
        w.store.authorizations["id-1"] = (dataclasses.replace(pa, patient="another"), version)
        assert await review_desk.review_rights(reviewer(), "id-1", ref=ref, ports=w.ports) is None


class Vanishing(FakeAuthorizations):
    """The store after a queued request was removed between the queue's read and its own."""

    async def get(self, authorization_id: str) -> StoredAuthorization | None:
        return None


class TestReviewDeskEdges:
    async def test_a_request_gone_since_the_queue_was_read_is_left_out(
        self, ref: ReferenceData
    ) -> None:
        w = world()
        await ask(w, ref, stay())
        ports = dataclasses.replace(w.ports, authorizations=Vanishing(w.store))
        found, total = await review_desk.worklist(reviewer(), QueueQuery("CNSS"), ports=ports)
        assert (found, total) == ([], 1)

    async def test_a_thread_read_is_audited_under_the_reviewer(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        thread = await review_desk.review_thread(reviewer(), "id-1", ports=w.ports)
        assert thread.authorization.id == "id-1" and thread.messages == ()
        assert w.store.audit[-1] == AuditEntry(
            w.clock.now(), "preauthorization.information-thread", 200, None, "reviewer-CNSS",
            "ClaimResponse/id-1",
        )  # fmt: skip

    async def test_rights_are_read_on_the_date_of_care_audited(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        pa, version = w.store.authorizations["id-1"]
        care = w.clock.now().date() - timedelta(days=3)
        w.store.authorizations["id-1"] = (dataclasses.replace(pa, date_of_care=care), version)
        outcome = await review_desk.review_rights(reviewer(), "id-1", ref=ref, ports=w.ports)
        assert outcome is not None and outcome.decision.date_of_care == care
        assert w.store.audit[-1] == AuditEntry(
            w.clock.now(), "preauthorization.review-rights", 200, None, "reviewer-CNSS",
            "ClaimResponse/id-1",
        )  # fmt: skip

    async def test_a_request_without_its_exchange_reads_no_rights(self, ref: ReferenceData) -> None:
        w = world()
        await ask(w, ref, stay())
        w.store.exchanges.records[:] = [
            r for r in w.store.exchanges.records if r.kind != "preauthorization"
        ]
        assert await review_desk.review_rights(reviewer(), "id-1", ref=ref, ports=w.ports) is None
