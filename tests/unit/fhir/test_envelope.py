"""Finding the request in any envelope: bare, collection, document, message."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import DomainError, MalformedRequest, UnknownCode
from fhir_profiles import envelope
from fhir_profiles.envelope import InvalidEnvelope
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.builders import bare_request, idcs
from tests.unit.fhir.envelopes import (
    HEADER_ID,
    NPHIES_EVENTS,
    PATIENT_URL,
    REQUEST_URL,
    collection,
    document,
    message,
    patient,
)

REQUEST = "CoverageEligibilityRequest"


def refused(body: Any, wanted: str = REQUEST) -> DomainError:
    with pytest.raises(DomainError) as caught:
        envelope.read(body, wanted)
    return caught.value


def malformed(body: Any) -> InvalidEnvelope:
    error = refused(body)
    assert isinstance(error, InvalidEnvelope), error
    assert (error.code, isinstance(error, MalformedRequest)) == ("enveloppe-invalide", True)
    assert error.detail
    return error


class TestBareAndCollection:
    def test_a_bare_request_is_its_own_envelope(self) -> None:
        body = bare_request()
        found = envelope.read(body, REQUEST)
        assert (found.kind, found.request, found.message) == ("resource", body, None)

    def test_a_collection_indexes_entries_by_full_url_and_type_id(self) -> None:
        found = envelope.read(collection(bare_request(), patient(idcs())), REQUEST)
        assert (found.kind, found.request["resourceType"]) == ("collection", REQUEST)
        by_type_id = found.resources.resolve({"reference": "Patient/77"})
        by_url = found.resources.resolve({"reference": REQUEST_URL})
        assert by_type_id is not None and by_type_id["identifier"] == [idcs()]
        assert by_url is found.request

    def test_the_wanted_type_is_the_caller_s(self) -> None:
        claim = {"resourceType": "Claim", "id": "c1", "status": "active"}
        found = envelope.read(collection(bare_request(), claim), "Claim")
        assert found.request["id"] == "c1"

    def test_another_resource_type_is_refused(self) -> None:
        error = refused({"resourceType": "Claim"})
        assert (type(error), error.code) == (MalformedRequest, "type-ressource-invalide")


class TestDocument:
    def test_a_document_opened_by_its_composition_carries_the_request(self) -> None:
        body = document(bare_request(), patient(idcs()))
        assert_valid_r4(body)
        found = envelope.read(body, REQUEST)
        assert (found.kind, found.request["id"], found.message) == ("document", "14906", None)
        assert found.resources.resolve({"reference": "Patient/77"}) is not None

    def test_a_document_without_its_composition_first_is_malformed(self) -> None:
        body = document(bare_request())
        body["entry"].reverse()
        assert malformed(body).expression == "Bundle.entry[0].resource"

    def test_an_empty_document_is_malformed(self) -> None:
        body = {"resourceType": "Bundle", "type": "document"}
        assert malformed(body).expression == "Bundle.entry"


class TestMessage:
    def test_the_focus_designates_the_request(self) -> None:
        body = message(bare_request(), patient(idcs()))
        assert_valid_r4(body)
        found = envelope.read(body, REQUEST)
        assert (found.kind, found.request["status"]) == ("message", "active")
        assert found.resources.resolve({"reference": "Patient/77"}) is not None

    def test_the_header_facts_needed_to_answer_are_kept(self) -> None:
        facts = envelope.read(message(bare_request()), REQUEST).message
        assert facts is not None
        assert facts.header_id == HEADER_ID
        assert facts.event_coding == {"system": NPHIES_EVENTS, "code": "eligibility-request"}
        assert facts.event_uri is None
        assert facts.source == {"endpoint": "http://clinique.example.ma/fhir"}
        assert facts.destinations[0]["endpoint"] == "https://passerelle.example.ma/fhir"
        assert facts.sender == {"type": "Organization", "identifier": {"value": "123456789"}}

    def test_an_event_uri_is_kept_as_such(self) -> None:
        uri = "https://passerelle.example.ma/event/eligibility"
        facts = envelope.read(message(bare_request(), eventCoding=None, eventUri=uri), REQUEST)
        assert facts.message is not None
        assert (facts.message.event_uri, facts.message.event_coding) == (uri, None)

    def test_a_focus_by_type_and_id_resolves_too(self) -> None:
        body = message({**bare_request(), "id": "14906"}, focus=[{"reference": f"{REQUEST}/14906"}])
        assert envelope.read(body, REQUEST).request["id"] == "14906"

    def test_a_message_without_its_header_first_is_malformed(self) -> None:
        body = message(bare_request())
        body["entry"].reverse()
        assert malformed(body).expression == "Bundle.entry[0].resource"

    def test_a_focus_pointing_nowhere_is_malformed(self) -> None:
        body = message(bare_request(), focus=[{"reference": PATIENT_URL}])
        assert malformed(body).expression == "Bundle.entry[0].resource.focus[0]"

    def test_a_header_without_focus_is_malformed(self) -> None:
        body = message(bare_request(), focus=None)
        assert malformed(body).expression == "Bundle.entry[0].resource.focus"

    def test_a_focus_on_another_type_is_malformed(self) -> None:
        body = message(bare_request(), patient(idcs()), focus=[{"reference": "Patient/77"}])
        assert malformed(body).expression == "Bundle.entry[0].resource.focus"

    def test_two_requests_are_malformed(self) -> None:
        second = {**bare_request(), "id": "2"}
        body = message(bare_request(), second)
        assert malformed(body).expression == "Bundle.entry"

    @pytest.mark.parametrize(
        ("changes", "expression"),
        [
            ({"id": None}, "Bundle.entry[0].resource.id"),
            ({"eventCoding": None}, "Bundle.entry[0].resource.event"),
            ({"eventUri": "urn:x"}, "Bundle.entry[0].resource.event"),
            ({"source": None}, "Bundle.entry[0].resource.source.endpoint"),
            ({"source": {"name": "x"}}, "Bundle.entry[0].resource.source.endpoint"),
        ],
    )
    def test_a_header_the_answer_cannot_cite_is_malformed(
        self, changes: dict[str, Any], expression: str
    ) -> None:
        assert malformed(message(bare_request(), **changes)).expression == expression


class TestRefusedBundles:
    def test_a_transaction_is_not_an_envelope(self) -> None:
        body = {"resourceType": "Bundle", "type": "transaction", "entry": []}
        assert malformed(body).expression == "Bundle.type"

    def test_an_unknown_bundle_type_is_an_unknown_code(self) -> None:
        error = refused({"resourceType": "Bundle", "type": "pile"})
        assert (type(error), error.expression) == (UnknownCode, "Bundle.type")

    def test_an_entry_without_resource_is_an_invalid_resource(self) -> None:
        error = refused({"resourceType": "Bundle", "type": "collection", "entry": [{}]})
        assert (error.code, error.expression) == (
            "ressource-invalide",
            "Bundle.entry[0].resource",
        )

    def test_a_collection_without_request_is_malformed(self) -> None:
        body = collection(bare_request())
        body["entry"][0]["resource"] = patient(idcs())
        assert "exactement une" in malformed(body).detail
