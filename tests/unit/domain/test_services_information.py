"""Requests for information and their answers against the fakes of the ports: who may ask,
who may answer (once), what is stored with the change, and who reads what."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.errors import Conflict, InvalidRequest, NotFound
from domain.notifications import Topic
from domain.prior_auth import PaStatus, TransitionRefused
from domain.records import MessageKind, QueueQuery, Requester, StoredAuthorization
from domain.reference import ReferenceData
from domain.services import information, prior_auth
from domain.services.information import MAX_NOTE_CHARS, RequestState, request_state
from domain.services.prior_auth import ReviewDecision, ReviewVerdict
from tests.unit.domain.test_services_prior_auth import (
    NOW,
    OTHER,
    PHARMACY,
    World,
    ask,
    reviewer,
    stay,
    world,
)

pytestmark = pytest.mark.anyio

PA, CLAIM = "id-1", "id-2"  # the ids the first request is stored under (answer, request)
REASON = "complement-compte-rendu"


class Composer:
    """domain.authorization_ports.MessageComposer: remembers what it was given, writes what a
    test checks."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.given: list[tuple[StoredAuthorization, str, datetime]] = []

    def __call__(self, stored: StoredAuthorization, message_id: str, at: datetime) -> bytes:
        self.given.append((stored, message_id, at))
        pa = stored.authorization
        return f"{self.label}|{message_id}|{stored.request_id}|{pa.status.value}".encode()


async def queued(ref: ReferenceData) -> World:
    """A world with one hospitalisation queued for CNSS's reviewers (id-1, its Claim id-2)."""
    w = world()
    assert await ask(w, ref, stay()) == f"{PA}|requested"
    return w


async def asked(w: World, note: str = "Merci de joindre le compte rendu opératoire") -> str:
    """CNSS's reviewer asks for the report; the request's id."""
    message = await information.ask_information(
        reviewer(), PA, REASON, note, Composer("question"), ports=w.ports
    )
    return message.id


async def answer(w: World, request_id: str, who: Requester = PHARMACY) -> str:
    """The provider answers a request; the answer's id."""
    message = await information.information_given(
        who, request_id, Composer("answer"), ports=w.ports
    )
    return message.id


class TestAskInformation:
    async def test_the_request_is_stored_with_the_change_and_notified(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        compose = Composer("question")
        message = await information.ask_information(
            reviewer(), PA, REASON, "le compte rendu", compose, ports=w.ports
        )
        pa, version = w.store.authorizations[PA]
        assert (pa.status, version, pa.reasons[-1]) == (PaStatus.INFO_REQUESTED, 2, REASON)
        assert w.store.messages == {message.id: message}
        assert (message.kind, message.tenant, message.payer, message.reason, message.at) == (
            MessageKind.REQUEST,
            "pharmacy-1",
            "CNSS",
            REASON,
            NOW,
        )
        assert message.body == f"question|{message.id}|{CLAIM}|info-requested".encode()
        [(stored, given_id, at)] = compose.given
        assert (stored.authorization.id, given_id, at) == (PA, message.id, NOW)
        assert [n.topic for n in w.store.outbox] == [Topic.PA_INFORMATION_REQUESTED.value]
        audit = w.store.audit[-1]
        assert audit.action == "preauthorization.ask-information"
        assert audit.detail == f"CommunicationRequest/{message.id}"

    async def test_a_reason_that_is_no_question_is_refused(self, ref: ReferenceData) -> None:
        w = await queued(ref)
        with pytest.raises(InvalidRequest) as caught:
            await information.ask_information(
                reviewer(), PA, "accord-controle-medical", "", Composer("q"), ports=w.ports
            )
        assert caught.value.code == "motif-non-adapte"
        assert w.store.messages == {} and w.store.authorizations[PA][1] == 1

    async def test_an_unknown_reason_is_refused(self, ref: ReferenceData) -> None:
        w = await queued(ref)
        with pytest.raises(InvalidRequest) as caught:
            await information.ask_information(
                reviewer(), PA, "parce-que", "", Composer("q"), ports=w.ports
            )
        assert caught.value.code == "motif-inconnu"

    async def test_a_note_longer_than_a_page_is_refused_never_cut(self, ref: ReferenceData) -> None:
        w = await queued(ref)
        with pytest.raises(InvalidRequest) as caught:
            await asked(w, note="x" * (MAX_NOTE_CHARS + 1))
        assert caught.value.code == "texte-trop-long"
        assert w.store.messages == {}
        await asked(w, note="x" * MAX_NOTE_CHARS)
        assert len(w.store.messages) == 1

    async def test_another_payers_reviewer_asks_nothing(self, ref: ReferenceData) -> None:
        w = await queued(ref)
        with pytest.raises(NotFound):
            await information.ask_information(
                reviewer("CNOPS"), PA, REASON, "", Composer("q"), ports=w.ports
            )
        assert w.store.messages == {} and w.store.outbox == []

    async def test_asking_again_before_the_answer_is_refused(self, ref: ReferenceData) -> None:
        w = await queued(ref)
        await asked(w)
        with pytest.raises(TransitionRefused):
            await asked(w)
        assert len(w.store.messages) == 1

    async def test_a_request_that_lost_to_a_concurrent_change_is_not_stored(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        w.authorizations.lose_next = True
        with pytest.raises(Conflict):
            await asked(w)
        assert w.store.messages == {} and w.store.outbox == []


class TestInformationGiven:
    async def test_the_answer_is_stored_and_the_request_back_in_the_queue(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        request_id = await asked(w)
        w.clock.set(NOW + timedelta(hours=2))
        answer_id = await answer(w, request_id)
        pa, version = w.store.authorizations[PA]
        assert (pa.status, version) == (PaStatus.REQUESTED, 3)
        stored = w.store.messages[answer_id]
        assert (stored.kind, stored.based_on, stored.at) == (
            MessageKind.ANSWER,
            request_id,
            NOW + timedelta(hours=2),
        )
        assert stored.body == f"answer|{answer_id}|{CLAIM}|requested".encode()
        assert w.store.audit[-1].detail == f"Communication/{answer_id}"
        records, total = await prior_auth.review_queue(reviewer(), QueueQuery(""), ports=w.ports)
        assert total == 1 and records[0].id == PA
        assert len(w.store.outbox) == 1  # the reviewer reads the queue: no notification

    async def test_another_provider_cannot_answer(self, ref: ReferenceData) -> None:
        w = await queued(ref)
        request_id = await asked(w)
        with pytest.raises(NotFound):
            await answer(w, request_id, who=OTHER)
        assert w.store.authorizations[PA][0].status is PaStatus.INFO_REQUESTED
        assert len(w.store.messages) == 1

    async def test_an_unknown_request_or_an_answer_is_not_a_request(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        with pytest.raises(NotFound):
            await answer(w, "nothing")
        answer_id = await answer(w, await asked(w))
        with pytest.raises(NotFound):
            await answer(w, answer_id)

    async def test_answering_twice_is_refused_and_names_the_answer(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        request_id = await asked(w)
        first = await answer(w, request_id)
        with pytest.raises(TransitionRefused) as caught:
            await answer(w, request_id)
        assert caught.value.code == "complement-deja-fourni"
        assert f"Communication/{first}" in caught.value.detail
        assert len(w.store.messages) == 2

    async def test_an_old_request_stays_answered_when_a_new_one_is_asked(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        old = await asked(w)
        await answer(w, old)
        new = await asked(w, note="Et l'ordonnance")
        with pytest.raises(TransitionRefused) as caught:
            await answer(w, old)
        assert caught.value.code == "complement-deja-fourni"
        await answer(w, new)
        assert w.store.authorizations[PA][0].status is PaStatus.REQUESTED

    async def test_a_request_closed_by_a_decision_cannot_be_answered(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        request_id = await asked(w)
        refusal = ReviewDecision(ReviewVerdict.REFUSE, "refus-non-justifie")
        await prior_auth.decide(reviewer(), PA, refusal, ref=ref, ports=w.ports)
        with pytest.raises(TransitionRefused) as caught:
            await answer(w, request_id)
        assert caught.value.code == "transition-refusee"
        assert [m.kind for m in w.store.messages.values()] == [MessageKind.REQUEST]

    async def test_an_answer_that_lost_to_a_concurrent_change_is_not_stored(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        request_id = await asked(w)
        w.authorizations.lose_next = True
        with pytest.raises(Conflict):
            await answer(w, request_id)
        assert len(w.store.messages) == 1
        assert w.store.authorizations[PA][0].status is PaStatus.INFO_REQUESTED


class TestProviderReads:
    async def test_requests_by_claim_or_claim_response_with_their_state(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        first = await asked(w)
        await answer(w, first)
        w.clock.set(NOW + timedelta(minutes=1))
        second = await asked(w)
        by_claim = await information.provider_requests(
            PHARMACY, CLAIM, by_claim=True, ports=w.ports
        )
        by_answer = await information.provider_requests(PHARMACY, PA, by_claim=False, ports=w.ports)
        assert by_claim == by_answer
        assert [m.id for m in by_claim.messages] == [first, second]
        states = [request_state(m, by_claim.authorization) for m in by_claim.messages]
        assert states == [RequestState.ANSWERED, RequestState.OPEN]
        assert w.store.audit[-1].action == "preauthorization.information-requests"

    async def test_another_provider_finds_nothing(self, ref: ReferenceData) -> None:
        w = await queued(ref)
        request_id = await asked(w)
        for wanted, by_claim in ((CLAIM, True), (PA, False)):
            with pytest.raises(NotFound):
                await information.provider_requests(OTHER, wanted, by_claim=by_claim, ports=w.ports)
        with pytest.raises(NotFound):
            await information.provider_request(OTHER, request_id, ports=w.ports)

    async def test_one_request_with_its_prise_en_charge(self, ref: ReferenceData) -> None:
        w = await queued(ref)
        request_id = await asked(w)
        thread = await information.provider_request(PHARMACY, request_id, ports=w.ports)
        assert [m.id for m in thread.messages] == [request_id]
        assert request_state(thread.messages[0], thread.authorization) is RequestState.OPEN
        refusal = ReviewDecision(ReviewVerdict.REFUSE, "refus-non-justifie")
        await prior_auth.decide(reviewer(), PA, refusal, ref=ref, ports=w.ports)
        thread = await information.provider_request(PHARMACY, request_id, ports=w.ports)
        assert request_state(thread.messages[0], thread.authorization) is RequestState.CLOSED

    async def test_its_own_answers_never_the_requests_nor_another_s(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        request_id = await asked(w)
        assert (await information.provider_answers(PHARMACY, PA, ports=w.ports)).messages == ()
        answer_id = await answer(w, request_id)
        thread = await information.provider_answers(PHARMACY, PA, ports=w.ports)
        assert [(m.id, m.kind, m.based_on) for m in thread.messages] == [
            (answer_id, MessageKind.ANSWER, request_id)
        ]
        assert w.store.audit[-1].action == "preauthorization.information-given"
        with pytest.raises(NotFound):
            await information.provider_answers(OTHER, PA, ports=w.ports)


class TestReviewerReads:
    async def test_answers_of_a_prise_en_charge_never_the_requests(
        self, ref: ReferenceData
    ) -> None:
        w = await queued(ref)
        first = await asked(w)
        one = await answer(w, first)
        w.clock.set(NOW + timedelta(minutes=1))
        second = await asked(w)
        two = await answer(w, second)
        thread = await information.review_answers(reviewer(), PA, ports=w.ports)
        assert [m.id for m in thread.messages] == [one, two]
        to_second = await information.review_answers_to(reviewer(), second, ports=w.ports)
        assert [m.id for m in to_second.messages] == [two]
        read = await information.review_answer(reviewer(), one, ports=w.ports)
        assert read.based_on == first
        assert w.store.audit[-1].detail == f"Communication/{one}"

    async def test_another_payers_reviewer_reads_nothing(self, ref: ReferenceData) -> None:
        w = await queued(ref)
        request_id = await asked(w)
        answer_id = await answer(w, request_id)
        cnops = reviewer("CNOPS")
        with pytest.raises(NotFound):
            await information.review_answers(cnops, PA, ports=w.ports)
        with pytest.raises(NotFound):
            await information.review_answers_to(cnops, request_id, ports=w.ports)
        with pytest.raises(NotFound):
            await information.review_answer(cnops, answer_id, ports=w.ports)

    async def test_a_request_is_not_read_as_an_answer(self, ref: ReferenceData) -> None:
        w = await queued(ref)
        request_id = await asked(w)
        with pytest.raises(NotFound):
            await information.review_answer(reviewer(), request_id, ports=w.ports)
        with pytest.raises(NotFound):
            await information.review_answers_to(reviewer(), "unknown", ports=w.ports)
