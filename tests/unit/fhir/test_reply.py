"""Answering a FHIR message: a message Bundle whose MessageHeader answers the request's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from fhir_profiles import envelope, r4, reply
from fhir_profiles.envelope import MessageFacts
from fhir_profiles.outcome import operation_outcome
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import bare_request
from tests.unit.fhir.envelopes import HEADER_ID, NPHIES_EVENTS, message

MESSAGE_ID = "0195f1c2-7a3b-7c00-8000-00000000a001"
BASE = "https://passerelle.example.ma/fhir/"
NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
RESPONSE = {
    "resourceType": "CoverageEligibilityResponse",
    "id": "resp-1",
    "status": "active",
    "purpose": ["validation"],
    "patient": {"display": "X"},
    "created": "2026-03-02T08:30:00+00:00",
    "request": {"reference": "CoverageEligibilityRequest/req-1"},
    "outcome": "complete",
    "insurer": {"display": "CNSS"},
}


def facts(**header_changes: Any) -> MessageFacts:
    found = envelope.read(message(bare_request(), **header_changes), "CoverageEligibilityRequest")
    assert found.message is not None
    return found.message


def answered(resource: dict[str, Any], message_facts: MessageFacts | None = None) -> Any:
    bundle = reply.answer(
        resource, message_facts or facts(), message_id=MESSAGE_ID, timestamp=NOW, base_url=BASE
    )
    assert_valid_r4(bundle)
    r4.parse(bundle)
    return bundle, bundle["entry"][0]["resource"]


class TestAnswer:
    def test_is_a_message_bundle_opened_by_its_header(self) -> None:
        bundle, header = answered(RESPONSE)
        assert (bundle["type"], bundle["id"], bundle["timestamp"]) == (
            "message",
            MESSAGE_ID,
            "2026-03-02T08:30:00+00:00",
        )
        assert bundle["entry"][0]["fullUrl"] == f"urn:uuid:{MESSAGE_ID}"
        assert header["id"] == MESSAGE_ID

    def test_the_header_answers_the_request_header_ok_and_focuses_the_response(self) -> None:
        bundle, header = answered(RESPONSE)
        assert header["response"] == {"identifier": HEADER_ID, "code": "ok"}
        response_url = "https://passerelle.example.ma/fhir/CoverageEligibilityResponse/resp-1"
        assert header["focus"] == [{"reference": response_url}]
        assert bundle["entry"][1] == {"fullUrl": response_url, "resource": RESPONSE}

    def test_nphies_eligibility_request_is_answered_by_eligibility_response(self) -> None:
        _, header = answered(RESPONSE)
        assert header["eventCoding"] == {"system": NPHIES_EVENTS, "code": "eligibility-response"}

    def test_other_systems_keep_the_request_event(self) -> None:
        coding = {"system": "urn:x:events", "code": "eligibility-request", "display": "Demande"}
        _, header = answered(RESPONSE, facts(eventCoding=coding))
        assert header["eventCoding"] == coding

    def test_an_event_uri_is_mirrored(self) -> None:
        uri = "https://passerelle.example.ma/event/eligibility"
        _, header = answered(RESPONSE, facts(eventCoding=None, eventUri=uri))
        assert header["eventUri"] == uri and "eventCoding" not in header

    def test_source_and_destination_are_swapped(self) -> None:
        _, header = answered(RESPONSE)
        assert header["source"] == {"endpoint": "https://passerelle.example.ma/fhir"}
        assert header["sender"] == {"type": "Organization", "identifier": {"value": "CNSS"}}
        assert header["destination"] == [
            {
                "endpoint": "http://clinique.example.ma/fhir",
                "receiver": {"type": "Organization", "identifier": {"value": "123456789"}},
            }
        ]

    def test_without_destination_the_answer_leaves_from_our_base(self) -> None:
        _, header = answered(RESPONSE, replace(facts(), destinations=(), sender=None))
        assert header["source"] == {"endpoint": "https://passerelle.example.ma/fhir"}
        assert "sender" not in header and "receiver" not in header["destination"][0]

    def test_a_non_uuid_id_gets_a_rest_full_url(self) -> None:
        bundle = reply.answer(RESPONSE, facts(), message_id="m-1", timestamp=NOW, base_url=BASE)
        assert bundle["entry"][0]["fullUrl"] == f"{BASE}MessageHeader/m-1"

    def test_a_naive_timestamp_is_taken_as_utc(self) -> None:
        bundle = reply.answer(
            RESPONSE, facts(), message_id=MESSAGE_ID, timestamp=datetime(2026, 3, 2), base_url=BASE
        )
        assert bundle["timestamp"] == "2026-03-02T00:00:00+00:00"


class TestErrorAnswer:
    @pytest.mark.parametrize(
        ("issue_type", "code"),
        [
            ("invalid", "fatal-error"),
            ("code-invalid", "fatal-error"),
            ("throttled", "transient-error"),
        ],
    )
    def test_an_operation_outcome_is_the_details_of_an_error_answer(
        self, issue_type: str, code: str
    ) -> None:
        outcome = operation_outcome("enveloppe-invalide", issue_type=issue_type)
        bundle, header = answered(outcome)
        outcome_url = f"https://passerelle.example.ma/fhir/OperationOutcome/{MESSAGE_ID}"
        assert header["response"] == {
            "identifier": HEADER_ID,
            "code": code,
            "details": {"reference": outcome_url},
        }
        assert "focus" not in header
        assert bundle["entry"][1]["resource"]["issue"] == outcome["issue"]
