"""How the console says a prise en charge: time left or late in words, the questions and
answers with their documents and states, the reviewer's reason codes in every language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import orjson

from domain.money import Money
from domain.prior_auth import PaLine, PaStatus, PriorAuthorization
from domain.reasons import DECISION_REASONS
from domain.records import Message, MessageKind
from fhir_profiles import messages
from gateway.portal import console_views

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
PA = PriorAuthorization(
    "pa-1", "clinic", "CNSS", "hospitalisation",
    (PaLine(1, "hospitalisation", "hospitalisation", 3, Money.mad("9000")),),
    NOW, NOW + timedelta(hours=48), status=PaStatus.REQUESTED,
)  # fmt: skip


def message(mid: str, kind: MessageKind, body: dict[str, object], **more: object) -> Message:
    return replace(Message(mid, "pa-1", kind, "clinic", "CNSS", NOW, orjson.dumps(body)), **more)


class TestTimeLeft:
    def test_left_then_late_in_words(self) -> None:
        assert console_views.time_left(NOW + timedelta(hours=48), NOW, "fr") == "reste 2\xa0jours"
        late = console_views.time_left(NOW - timedelta(hours=3), NOW, "en")
        assert late == "3 hours late"
        assert "ساعات" in console_views.time_left(NOW + timedelta(hours=5), NOW, "ar")


class TestExchange:
    def test_questions_answers_documents_and_states(self) -> None:
        asked = message("q-1", MessageKind.REQUEST, {"payload": [{"contentString": "Le CR"}]},
                        reason="complement-compte-rendu")  # fmt: skip
        answer = message("a-1", MessageKind.ANSWER, {"payload": [
            {"contentString": "Ci-joint"},
            {"contentAttachment": {"contentType": "application/pdf", "data": "JVBERi0=",
                                   "size": 5, "title": "cr.pdf"}},
        ]}, based_on="q-1")  # fmt: skip
        said = console_views.exchange(PA, (asked, answer), "fr")
        assert [(s.kind, s.state) for s in said] == [("request", "answered"), ("answer", "")]
        assert said[0].reason == messages.label("complement-compte-rendu", "fr")
        assert said[1].texts == ("Ci-joint",)
        [document] = said[1].documents
        assert (document.answer, document.index, document.title) == ("a-1", 0, "cr.pdf")

    def test_an_unanswered_question_of_a_decided_request_is_closed(self) -> None:
        asked = message("q-1", MessageKind.REQUEST, {}, reason="complement-devis")
        decided = replace(PA, status=PaStatus.REFUSED)
        [said] = console_views.exchange(decided, (asked,), "en")
        assert said.state == "closed" and said.texts == ()


class TestReasons:
    def test_every_reviewer_reason_is_a_decision_reason_said_in_each_language(self) -> None:
        for code in (*console_views.REVIEW_REASONS, *console_views.ASK_REASONS):
            assert code in DECISION_REASONS
            for lang in ("fr", "ar", "en"):
                assert messages.label(code, lang) != code
